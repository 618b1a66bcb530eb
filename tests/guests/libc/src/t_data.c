/* t_data.c: the "data" group: the loader placed .data, .bss and .rodata
 * right: initial values, zeroes, constants, and writes that stick. */
#include <stdint.h>
#include <string.h>

#include "check.h"

struct record {
    int id;
    char tag;
    long long big;
    const char *name;
};

int data_int = 12345;
long long data_neg = -9876543210LL;
int data_array[6] = {1, 1, 2, 3, 5, 8};
struct record data_struct = {42, 'q', 0x0123456789abcdefLL, "answer"};
const char *data_string = "initialised string";
char data_chars[] = "mutable chars";

unsigned char bss_big[64 * 1024];
int bss_int;
static long bss_static_array[100];
struct record bss_struct;

static const uint16_t rodata_table[16] = {
    0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50a5, 0x60c6, 0x70e7,
    0x8108, 0x9129, 0xa14a, 0xb16b, 0xc18c, 0xd1ad, 0xe1ce, 0xf1ef,
};
static const char rodata_text[] = "read-only text";

/* Reads and writes through here cannot be folded to the initialisers. */
__attribute__((noinline)) static void *opaque(void *p)
{
    __asm__ volatile("" : "+r"(p));
    return p;
}

/* Constructors run before main, in priority order. */
static int constructed[3], construct_order;
__attribute__((constructor(200))) static void construct_second(void) { constructed[1] = ++construct_order; }
__attribute__((constructor(101))) static void construct_first(void) { constructed[0] = ++construct_order; }
__attribute__((constructor)) static void construct_last(void) { constructed[2] = ++construct_order; }

__attribute__((noinline)) static int counter(void)
{
    static int calls = 100;
    return ++calls;
}

static void initial_values(void)
{
    check_int("constructor(101) ran first", constructed[0], 1);
    check_int("constructor(200) ran second", constructed[1], 2);
    check_int("plain constructor ran last", constructed[2], 3);
    check_int("int in .data", *(int *)opaque(&data_int), 12345);
    check_int("long long in .data", *(long long *)opaque(&data_neg), -9876543210LL);
    int *arr = opaque(data_array);
    int sum = 0;
    for (int i = 0; i < 6; i++)
        sum += arr[i] * (i + 1);
    check_int("array in .data (weighted sum)", sum, 1 + 2 + 6 + 12 + 25 + 48);
    check_int("array in .data [5]", arr[5], 8);
    struct record *r = opaque(&data_struct);
    check_int("struct in .data: id", r->id, 42);
    check_int("struct in .data: tag", r->tag, 'q');
    check_int("struct in .data: big", r->big, 0x0123456789abcdefLL);
    check_str("struct in .data: name", r->name, "answer");
    check_str("string pointer in .data", *(const char **)opaque(&data_string),
              "initialised string");
    check_str("char array in .data", opaque(data_chars), "mutable chars");

    const unsigned char *z = opaque(bss_big);
    size_t nonzero = 0;
    for (size_t i = 0; i < sizeof bss_big; i++)
        nonzero += z[i] != 0;
    check_int("64 KiB .bss array: non-zero bytes", (long long)nonzero, 0);
    check_int("int in .bss", *(int *)opaque(&bss_int), 0);
    const long *l = opaque(bss_static_array);
    long any = 0;
    for (int i = 0; i < 100; i++)
        any |= l[i];
    check_int("static array in .bss", any, 0);
    struct record *b = opaque(&bss_struct);
    check_true("struct in .bss", b->id == 0 && b->tag == 0 && b->big == 0 && b->name == NULL);

    const uint16_t *t = opaque((void *)rodata_table);
    unsigned sum16 = 0;
    for (int i = 0; i < 16; i++)
        sum16 += t[i];
    check_int("const table in .rodata: sum", sum16, 0x78f78);
    check_int("const table in .rodata: [9]", t[9], 0x9129);
    check_str("const string in .rodata", opaque((void *)rodata_text), "read-only text");

    /* The linker script orders text, rodata, then data and bss. */
    uintptr_t text = (uintptr_t)&counter, ro = (uintptr_t)rodata_table;
    uintptr_t data = (uintptr_t)&data_int, bss = (uintptr_t)bss_big;
    check_true("section order: text < rodata < data < bss", text < ro && ro < data && data < bss);
}

static void writes_persist(void)
{
    check_int("static local counter, first call", counter(), 101);
    check_int("static local counter, second call", counter(), 102);
    check_int("static local counter, third call", counter(), 103);

    *(volatile int *)&data_int += 1;
    check_int("write to .data int persists", *(int *)opaque(&data_int), 12346);
    data_array[2] = -2;
    check_int("write to .data array persists", ((int *)opaque(data_array))[2], -2);
    data_struct.name = "changed";
    check_str("write to .data struct persists", ((struct record *)opaque(&data_struct))->name,
              "changed");
    strcpy(opaque(data_chars), "MUTATED");
    check_str("write to .data chars persists", data_chars, "MUTATED");
    data_string = "other";
    check_str("write to .data pointer persists", *(const char **)opaque(&data_string), "other");

    unsigned char *z = opaque(bss_big);
    z[0] = 0x11;
    z[32768] = 0x22;
    z[sizeof bss_big - 1] = 0x33;
    unsigned char *w = opaque(bss_big);
    check_true("writes to .bss array persist",
               w[0] == 0x11 && w[32768] == 0x22 && w[sizeof bss_big - 1] == 0x33 && w[1] == 0);
    bss_int = 77;
    check_int("write to .bss int persists", *(int *)opaque(&bss_int), 77);
    memset(opaque(bss_big), 0xee, sizeof bss_big);
    size_t ee = 0;
    for (size_t i = 0; i < sizeof bss_big; i++)
        ee += ((unsigned char *)opaque(bss_big))[i] == 0xee;
    check_int("memset of the whole .bss array", (long long)ee, (long long)sizeof bss_big);
    check_int("neighbours of the .bss array untouched", *(int *)opaque(&bss_int), 77);
}

void group_data(void)
{
    initial_values();
    writes_persist();
}
