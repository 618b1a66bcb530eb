/* t_ctype.c: the "ctype" group: every classification over 0..255 and EOF,
 * in the "C" locale. */
#include <ctype.h>
#include <stdio.h>

#include "check.h"

struct classifier {
    const char *name;
    int (*fn)(int);
    int ascii;      /* how many of 0..127 it accepts */
    const char *in; /* some it must accept */
    const char *out; /* some it must reject */
};

static const struct classifier classifiers[] = {
    {"isdigit", isdigit, 10, "0123456789", "a/:O "},
    {"isxdigit", isxdigit, 22, "09afAF", "gG:/` x"},
    {"isspace", isspace, 6, " \t\n\v\f\r", "a_\b\x1c"},
    {"isalpha", isalpha, 52, "azAZmM", "09@[`{ _"},
    {"isalnum", isalnum, 62, "az09AZ", "@[`{/: "},
    {"isupper", isupper, 26, "AZM", "az@[0"},
    {"islower", islower, 26, "azm", "AZ`{0"},
    {"isprint", isprint, 95, " ~aZ0!", "\x7f\x1f\t\n"},
    {"ispunct", ispunct, 32, "!/:@[`{~", " aZ0\x7f"},
};

static void classify(const struct classifier *c)
{
    char what[64];
    int ascii = 0, high = 0;
    for (int ch = 0; ch < 128; ch++)
        ascii += c->fn(ch) != 0;
    for (int ch = 128; ch < 256; ch++)
        high += c->fn(ch) != 0;
    snprintf(what, sizeof what, "%s: true among 0..127", c->name);
    check_int(what, ascii, c->ascii);
    snprintf(what, sizeof what, "%s: true among 128..255", c->name);
    check_int(what, high, 0);
    snprintf(what, sizeof what, "%s(EOF)", c->name);
    check_int(what, c->fn(EOF) != 0, 0);
    for (const char *p = c->in; *p; p++) {
        snprintf(what, sizeof what, "%s(0x%02x)", c->name, (unsigned char)*p);
        check_int(what, c->fn((unsigned char)*p) != 0, 1);
    }
    for (const char *p = c->out; *p; p++) {
        snprintf(what, sizeof what, "%s(0x%02x)", c->name, (unsigned char)*p);
        check_int(what, c->fn((unsigned char)*p) != 0, 0);
    }
}

static void conversions(void)
{
    int up = 0, down = 0, wrong = 0;
    for (int ch = 0; ch < 256; ch++) {
        int u = toupper(ch), l = tolower(ch);
        up += u != ch;
        down += l != ch;
        if (islower(ch))
            wrong += u != ch - 'a' + 'A' || tolower(u) != ch;
        else if (isupper(ch))
            wrong += l != ch - 'A' + 'a' || toupper(l) != ch;
    }
    check_int("toupper changes exactly", up, 26);
    check_int("tolower changes exactly", down, 26);
    check_int("toupper/tolower pairs wrong", wrong, 0);
    check_int("toupper('a')", toupper('a'), 'A');
    check_int("toupper('z')", toupper('z'), 'Z');
    check_int("toupper('1')", toupper('1'), '1');
    check_int("tolower('A')", tolower('A'), 'a');
    check_int("tolower('[')", tolower('['), '[');
    check_int("tolower(EOF)", tolower(EOF), EOF);
    check_int("toupper(EOF)", toupper(EOF), EOF);
    check_int("toupper(0xe9)", toupper(0xe9), 0xe9);
}

void group_ctype(void)
{
    for (size_t i = 0; i < sizeof classifiers / sizeof classifiers[0]; i++)
        classify(&classifiers[i]);
    conversions();
}
