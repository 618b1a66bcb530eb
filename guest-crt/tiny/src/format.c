/* format.c: the printf engine (a glibc-compatible subset), shared by every printf.
 * Conversions it leaves out (floating point, wide characters) stop the guest
 * with a message rather than print wrong text. */
#include <hl/guest.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tiny_internal.h"

/* Not <limits.h>: gcc's copy needs a libc one behind it under -nostdinc. */
#define INT_MAX __INT_MAX__
#define INT_MIN (-__INT_MAX__ - 1)

enum {
    F_LEFT = 1 << 0,
    F_PLUS = 1 << 1,
    F_SPACE = 1 << 2,
    F_ALT = 1 << 3,
    F_ZERO = 1 << 4,
    F_GROUP = 1 << 5, /* accepted like glibc; the C locale has no separator */
    F_MINUS = 1 << 6, /* a literal '-', unlike a negative '*' width */
};

enum length { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_J, L_T };

struct out {
    __hl_sink sink;
    void *ctx;
    size_t count; /* size_t so a run past INT_MAX is detected, not wrapped */
};

struct spec {
    unsigned flags;
    int width;  /* >= 0 */
    int prec;   /* -1 when absent */
    char conv;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (n) {
        o->sink(o->ctx, s, n);
        o->count += n;
    }
}

static void pad(struct out *o, char c, size_t n)
{
    static const char spaces[32] = "                                ";
    static const char zeros[32] = "00000000000000000000000000000000";
    const char *src = c == '0' ? zeros : spaces;
    while (n) {
        size_t k = n < sizeof spaces ? n : sizeof spaces;
        put(o, src, k);
        n -= k;
    }
}

/* Strings, %c and "(nil)" pad with spaces even under the 0 flag, as glibc does. */
static void emit_padded(struct out *o, const struct spec *sp, const char *s, size_t n)
{
    size_t fill = (size_t)sp->width > n ? (size_t)sp->width - n : 0;
    if (!(sp->flags & F_LEFT))
        pad(o, ' ', fill);
    put(o, s, n);
    if (sp->flags & F_LEFT)
        pad(o, ' ', fill);
}

/* sign: '-', '+', ' ' or 0; prefix: "0x"/"0X" or NULL. */
static void emit_number(struct out *o, const struct spec *sp, uint64_t v, char sign,
                        const char *prefix)
{
    char buf[24]; /* 22 octal digits cover 64 bits */
    char *end = buf + sizeof buf, *p = end;
    unsigned base = sp->conv == 'o' ? 8 : (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p') ? 16 : 10;
    const char *digits = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";

    /* An explicit zero precision prints no digits for the value 0. */
    if (v != 0 || sp->prec != 0) {
        do {
            *--p = digits[v % base];
            v /= base;
        } while (v);
    }
    size_t ndigits = (size_t)(end - p);
    size_t zeros = sp->prec > 0 && (size_t)sp->prec > ndigits ? (size_t)sp->prec - ndigits : 0;
    /* "%#o" guarantees a leading 0, which precision zeros may already give. */
    if (sp->conv == 'o' && (sp->flags & F_ALT) && zeros == 0 && (ndigits == 0 || *p != '0'))
        zeros = 1;

    size_t plen = prefix ? 2 : 0;
    size_t total = (sign ? 1 : 0) + plen + zeros + ndigits;
    size_t fill = (size_t)sp->width > total ? (size_t)sp->width - total : 0;
    bool zero_fill = (sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->prec < 0;

    if (!(sp->flags & F_LEFT) && !zero_fill)
        pad(o, ' ', fill);
    if (sign)
        put(o, &sign, 1);
    put(o, prefix, plen);
    if (zero_fill)
        pad(o, '0', fill);
    pad(o, '0', zeros);
    put(o, p, ndigits);
    if (sp->flags & F_LEFT)
        pad(o, ' ', fill);
}

/* glibc rebuilds an unknown conversion from its parsed parts (lengths
 * dropped, '*' replaced by its value) rather than echoing the source text. */
static void emit_unknown(struct out *o, const struct spec *sp)
{
    char buf[48], *p = buf;
    *p++ = '%';
    if (sp->flags & F_ALT)
        *p++ = '#';
    if (sp->flags & F_GROUP)
        *p++ = '\'';
    if (sp->flags & F_PLUS)
        *p++ = '+';
    else if (sp->flags & F_SPACE)
        *p++ = ' ';
    if (sp->flags & F_LEFT)
        *p++ = '-';
    if ((sp->flags & F_ZERO) && !(sp->flags & F_MINUS))
        *p++ = '0';
    put(o, buf, (size_t)(p - buf));
    if (sp->width != 0) {
        struct spec d = {0, 0, -1, 'u'};
        emit_number(o, &d, (uint64_t)sp->width, 0, NULL);
    }
    if (sp->prec >= 0) {
        struct spec d = {0, 0, -1, 'u'};
        put(o, ".", 1);
        emit_number(o, &d, (uint64_t)sp->prec, 0, NULL);
    }
    put(o, &sp->conv, 1);
}

/* A conversion C defines that this libc leaves out, as the format wrote it.
 * Printing it as text would be wrong output nobody notices (a JSON writer's
 * "%.17g" makes invalid JSON), so the guest stops here, saying what it needs. */
_Noreturn static void refuse(const char *conversion, size_t length, const char *needs)
{
    char message[160];
    snprintf(message, sizeof message,
             "printf: %.*s needs %s, which hl's tiny libc leaves out; build with libc = \"musl\"",
             (int)(length < 32 ? length : 32), conversion, needs);
    __hl_fail(message);
}

/* %n: the count so far, stored through the length's type. */
static void store_count(va_list *ap, enum length len, size_t count)
{
    switch (len) {
    case L_HH: *va_arg(*ap, signed char *) = (signed char)count; break;
    case L_H: *va_arg(*ap, short *) = (short)count; break;
    case L_L: *va_arg(*ap, long *) = (long)count; break;
    case L_LL: *va_arg(*ap, long long *) = (long long)count; break;
    case L_Z: *va_arg(*ap, size_t *) = count; break;
    case L_J: *va_arg(*ap, intmax_t *) = (intmax_t)count; break;
    case L_T: *va_arg(*ap, ptrdiff_t *) = (ptrdiff_t)count; break;
    default: *va_arg(*ap, int *) = (int)count; break;
    }
}

/* Decimal field with saturation: glibc fails past INT_MAX, we just clamp. */
static int parse_decimal(const char **fmt)
{
    int v = 0;
    for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++) {
        int d = **fmt - '0';
        v = v > (INT_MAX - d) / 10 ? INT_MAX : v * 10 + d;
    }
    return v;
}

static int64_t arg_signed(va_list *ap, enum length len)
{
    switch (len) {
    case L_HH: return (signed char)va_arg(*ap, int);
    case L_H: return (short)va_arg(*ap, int);
    case L_L: return va_arg(*ap, long);
    case L_LL: return va_arg(*ap, long long);
    case L_Z: return va_arg(*ap, long); /* ssize_t */
    case L_J: return va_arg(*ap, intmax_t);
    case L_T: return va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, int);
    }
}

static uint64_t arg_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case L_HH: return (unsigned char)va_arg(*ap, unsigned);
    case L_H: return (unsigned short)va_arg(*ap, unsigned);
    case L_L: return va_arg(*ap, unsigned long);
    case L_LL: return va_arg(*ap, unsigned long long);
    case L_Z: return va_arg(*ap, size_t);
    case L_J: return va_arg(*ap, uintmax_t);
    case L_T: return (uint64_t)va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, unsigned);
    }
}

int __hl_vformat(__hl_sink sink, void *ctx, const char *fmt, va_list ap_in)
{
    struct out o = {sink, ctx, 0};
    va_list ap;
    va_copy(ap, ap_in); /* a va_list that can be passed by address portably */

    for (;;) {
        const char *pct = fmt;
        while (*pct && *pct != '%')
            pct++;
        put(&o, fmt, (size_t)(pct - fmt));
        if (!*pct)
            break;
        fmt = pct + 1;

        struct spec sp = {0, 0, -1, 0};
        for (;; fmt++) {
            if (*fmt == '-') sp.flags |= F_LEFT | F_MINUS;
            else if (*fmt == '+') sp.flags |= F_PLUS;
            else if (*fmt == ' ') sp.flags |= F_SPACE;
            else if (*fmt == '#') sp.flags |= F_ALT;
            else if (*fmt == '0') sp.flags |= F_ZERO;
            else if (*fmt == '\'') sp.flags |= F_GROUP;
            else break;
        }
        if (*fmt == '*') {
            fmt++;
            int w = va_arg(ap, int);
            if (w < 0) {
                sp.flags |= F_LEFT;
                w = w == INT_MIN ? INT_MAX : -w;
            }
            sp.width = w;
        } else {
            sp.width = parse_decimal(&fmt);
        }
        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                fmt++;
                int p = va_arg(ap, int);
                sp.prec = p < 0 ? -1 : p;
            } else {
                sp.prec = parse_decimal(&fmt);
            }
        }

        enum length len = L_NONE;
        switch (*fmt) {
        case 'h':
            fmt++;
            len = L_H;
            if (*fmt == 'h') { fmt++; len = L_HH; }
            break;
        case 'l':
            fmt++;
            len = L_L;
            if (*fmt == 'l') { fmt++; len = L_LL; }
            break;
        case 'L': case 'q': fmt++; len = L_LL; break;
        case 'z': fmt++; len = L_Z; break;
        case 'j': fmt++; len = L_J; break;
        case 't': fmt++; len = L_T; break;
        }

        sp.conv = *fmt;
        if (sp.conv == '\0') {
            /* glibc rejects a format that ends inside a conversion. */
            va_end(ap);
            return -1;
        }
        fmt++;

        switch (sp.conv) {
        case 'd':
        case 'i': {
            int64_t v = arg_signed(&ap, len);
            char sign = v < 0 ? '-' : (sp.flags & F_PLUS) ? '+' : (sp.flags & F_SPACE) ? ' ' : 0;
            uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
            emit_number(&o, &sp, mag, sign, NULL);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            uint64_t v = arg_unsigned(&ap, len);
            const char *prefix = NULL;
            if ((sp.flags & F_ALT) && v != 0 && sp.conv != 'o' && sp.conv != 'u')
                prefix = sp.conv == 'x' ? "0x" : "0X";
            emit_number(&o, &sp, v, 0, prefix);
            break;
        }
        case 'p': {
            const void *ptr = va_arg(ap, const void *);
            if (ptr == NULL) {
                emit_padded(&o, &sp, "(nil)", 5);
            } else {
                /* glibc formats a pointer as "%#lx" but keeps the sign flags. */
                char sign = (sp.flags & F_PLUS) ? '+' : (sp.flags & F_SPACE) ? ' ' : 0;
                emit_number(&o, &sp, (uint64_t)(uintptr_t)ptr, sign, "0x");
            }
            break;
        }
        case 'c': {
            if (len == L_L)
                refuse(pct, (size_t)(fmt - pct), "wide characters");
            char c = (char)va_arg(ap, int);
            emit_padded(&o, &sp, &c, 1);
            break;
        }
        case 's': {
            if (len == L_L)
                refuse(pct, (size_t)(fmt - pct), "wide characters");
            const char *s = va_arg(ap, const char *);
            if (s == NULL) /* glibc prints "(null)" only if it fits the precision */
                s = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
            size_t n = sp.prec < 0 ? strlen(s) : strnlen(s, (size_t)sp.prec);
            emit_padded(&o, &sp, s, n);
            break;
        }
        case '%':
            put(&o, "%", 1);
            break;
        case 'n':
            store_count(&ap, len, o.count);
            break;
        case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
            refuse(pct, (size_t)(fmt - pct), "floating point");
        case 'C': case 'S': /* glibc's %lc and %ls */
            refuse(pct, (size_t)(fmt - pct), "wide characters");
        default:
            emit_unknown(&o, &sp);
            break;
        }
    }
    va_end(ap);
    return o.count > INT_MAX ? -1 : (int)o.count;
}
