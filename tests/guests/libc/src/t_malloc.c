/* t_malloc.c: the "malloc" group: a long random churn of malloc, calloc,
 * realloc and free whose blocks carry patterns checked before each release,
 * then reuse, exhaustion and absurd requests. */
#include <hl/guest.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define SLOTS 256
#define OPS   24000
#define MiB   (1024u * 1024u)

struct slot {
    unsigned char *p;
    size_t size;
    uint32_t tag; /* slot index and generation: the seed of the pattern */
};

static struct slot slots[SLOTS];
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void) /* xorshift64 */
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned char pattern(uint32_t tag, size_t j)
{
    return (unsigned char)(tag * 2654435761u + j * 7u + (j >> 8) * 13u);
}

static void fill(const struct slot *s)
{
    for (size_t j = 0; j < s->size; j++)
        s->p[j] = pattern(s->tag, j);
}

/* Bytes of [0, n) that lost their pattern. */
static size_t damaged(const struct slot *s, size_t n)
{
    size_t bad = 0;
    for (size_t j = 0; j < n; j++)
        bad += s->p[j] != pattern(s->tag, j);
    return bad;
}

static size_t random_size(void)
{
    unsigned r = (unsigned)(rnd() % 100);
    if (r < 70)
        return 1 + rnd() % 128;
    if (r < 95)
        return 1 + rnd() % 2048;
    return 1 + rnd() % 8192;
}

struct stats {
    long ops, mallocs, callocs, reallocs, frees;
    long null_returns, misaligned, corrupted, calloc_dirty, realloc_lost;
};

static void allocated(struct stats *st, struct slot *s, unsigned char *p, size_t size)
{
    if (p == NULL) {
        st->null_returns++;
        s->p = NULL;
        return;
    }
    st->misaligned += ((uintptr_t)p & 15) != 0;
    s->p = p;
    s->size = size;
}

static void churn(void)
{
    struct stats st = {0};
    uint32_t gen = 0;

    for (st.ops = 0; st.ops < OPS; st.ops++) {
        unsigned i = (unsigned)(rnd() % SLOTS);
        struct slot *s = &slots[i];
        if (s->p == NULL) {
            size_t size = random_size();
            if (rnd() % 4 == 0) {
                st.callocs++;
                size_t nmemb = rnd() % 2 ? size : 1, each = nmemb == 1 ? size : 1;
                allocated(&st, s, calloc(nmemb, each), size);
                if (s->p) {
                    size_t nonzero = 0;
                    for (size_t j = 0; j < size; j++)
                        nonzero += s->p[j] != 0;
                    st.calloc_dirty += nonzero != 0;
                }
            } else {
                st.mallocs++;
                allocated(&st, s, malloc(size), size);
            }
            if (s->p) {
                s->tag = i | (++gen << 8);
                fill(s);
            }
        } else if (rnd() % 2) {
            st.corrupted += damaged(s, s->size) != 0;
            st.frees++;
            free(s->p);
            s->p = NULL;
        } else {
            st.corrupted += damaged(s, s->size) != 0;
            size_t size = random_size(), keep = size < s->size ? size : s->size;
            st.reallocs++;
            unsigned char *q = realloc(s->p, size);
            if (q == NULL) { /* the old block is still ours */
                st.null_returns++;
                continue;
            }
            st.misaligned += ((uintptr_t)q & 15) != 0;
            s->p = q;
            st.realloc_lost += damaged(s, keep) != 0;
            s->size = size;
            s->tag = i | (++gen << 8);
            fill(s);
        }
    }
    for (unsigned i = 0; i < SLOTS; i++) {
        if (slots[i].p) {
            st.corrupted += damaged(&slots[i], slots[i].size) != 0;
            free(slots[i].p);
            slots[i].p = NULL;
        }
    }

    check_true("churn: at least 20000 operations",
               st.mallocs + st.callocs + st.reallocs + st.frees >= 20000);
    check_true("churn: every kind of call was made",
               st.mallocs > 1000 && st.callocs > 1000 && st.reallocs > 1000 && st.frees > 1000);
    check_int("churn: NULL returns", st.null_returns, 0);
    check_int("churn: blocks not 16-byte aligned", st.misaligned, 0);
    check_int("churn: blocks whose pattern was damaged", st.corrupted, 0);
    check_int("churn: calloc blocks not zeroed", st.calloc_dirty, 0);
    check_int("churn: realloc blocks that lost contents", st.realloc_lost, 0);
}

static void big_blocks(void)
{
    /* Everything is free again, so one block of most of the heap must fit,
     * and again and again: freed memory is reused, not bump-allocated. */
    int ok = 0;
    for (int round = 0; round < 8; round++) {
        unsigned char *p = malloc(3 * MiB);
        if (p == NULL)
            break;
        ok += ((uintptr_t)p & 15) == 0;
        memset(p, round, 3 * MiB);
        ok -= p[0] != round || p[3 * MiB - 1] != round;
        free(p);
    }
    check_int("malloc(3 MiB) after freeing everything, 8 times", ok, 8);

    /* Exhaust the heap in 64 KiB blocks chained through their first bytes,
     * free them all (every other one first, so frees merge both ways), and
     * a block of most of the heap fits again. The heap is what guest memory
     * leaves over, at least the 4 MiB of hlbuild.toml. */
    const uint64_t heap = hl_boot_info()->heap_size;
    void **chain = NULL, **odd = NULL;
    uint64_t n = 0;
    for (void **b; (b = malloc(64 * 1024)) != NULL; n++) {
        *b = chain;
        chain = b;
    }
    check_true("64 KiB blocks until NULL fill the heap",
               n * 65536 + 2 * MiB >= heap && n * 65536 <= heap);
    for (int pass = 0; pass < 2; pass++) {
        for (uint64_t i = 0; chain != NULL; i++) {
            void **next = *chain;
            if (pass == 1 || (i & 1) == 0) {
                free(chain);
            } else {
                *chain = odd;
                odd = chain;
            }
            chain = next;
        }
        chain = odd;
        odd = NULL;
    }
    void *p = malloc(3 * MiB);
    check_true("malloc(3 MiB) after exhausting the heap", p != NULL);
    free(p);
    p = malloc(heap - MiB);
    check_true("malloc(heap_size - 1 MiB) after freeing everything", p != NULL);
    free(p);
}

static void edge_cases(void)
{
    volatile size_t huge = (size_t)1 << 40; /* volatile: gcc warns on a literal */
    check_true("malloc(1 << 40) is NULL", malloc(huge) == NULL);
    check_true("malloc(SIZE_MAX) is NULL", malloc(huge * 0 + SIZE_MAX) == NULL);
    check_true("malloc(SIZE_MAX - 8) is NULL", malloc(huge * 0 + SIZE_MAX - 8) == NULL);
    const size_t heap = hl_boot_info()->heap_size;
    check_true("malloc(heap_size) is NULL", malloc(heap) == NULL);
    check_true("malloc(heap_size + 1) is NULL", malloc(heap + 1) == NULL);
    check_true("calloc overflowing nmemb * size is NULL",
               calloc(huge * 0 + SIZE_MAX / 2 + 2, 2) == NULL);
    check_true("calloc(1 << 20, 1 << 20) is NULL", calloc(huge * 0 + MiB, MiB) == NULL);
    free(NULL);
    check_true("free(NULL) returns", 1);

    unsigned char *a = malloc(100);
    if (!check_true("malloc(100)", a != NULL))
        return;
    memset(a, 0x5a, 100);
    check_true("realloc(p, 1 << 40) is NULL", realloc(a, huge) == NULL);
    check_true("...and p is untouched", a[0] == 0x5a && a[99] == 0x5a);

    unsigned char *b = malloc(100); /* likely a's right neighbour: a must move */
    for (int i = 0; i < 100; i++)
        a[i] = (unsigned char)(i + 1);
    unsigned char *c = realloc(a, 5000);
    int lost = c == NULL;
    for (int i = 0; !lost && i < 100; i++)
        lost = c[i] != (unsigned char)(i + 1);
    check_true("realloc grow keeps contents", !lost);
    if (c) {
        a = realloc(c, 10);
        lost = a == NULL;
        for (int i = 0; !lost && i < 10; i++)
            lost = a[i] != (unsigned char)(i + 1);
        check_true("realloc shrink keeps contents", !lost);
        free(a);
    }
    free(b);

    unsigned char *r = realloc(NULL, 100);
    check_true("realloc(NULL, 100) allocates", r != NULL && ((uintptr_t)r & 15) == 0);
    memset(r, 0xff, 100);
    free(r);
    unsigned char *d = malloc(4096);
    memset(d, 0xff, 4096);
    free(d);
    unsigned char *z = calloc(64, 64);
    int dirty = z == NULL;
    for (int i = 0; !dirty && i < 4096; i++)
        dirty = z[i] != 0;
    check_true("calloc(64, 64) of reused memory is zeroed", !dirty);
    free(z);

    r = malloc(50);
    check_true("realloc(p, 0) frees and returns NULL (glibc)", realloc(r, 0) == NULL);

    void *m0 = malloc(0); /* NULL or a block free() accepts */
    check_true("malloc(0) is NULL or aligned", ((uintptr_t)m0 & 15) == 0);
    free(m0);
}

void group_malloc(void)
{
    churn();
    big_blocks();
    edge_cases();
}
