/* malloc.c: boundary-tag allocator with segregated free lists over the heap
 * that crt0 hands to __hl_malloc_init.
 *
 * Block layout: an 8-byte header (size | flags) followed by the payload, so
 * headers sit at 8 mod 16 and payloads are 16-byte aligned. Sizes are
 * multiples of 16. A free block also keeps list links after its header and a
 * copy of its size in its last 8 bytes (the footer), which lets free() find a
 * free left neighbour; allocated blocks need no footer because the right
 * neighbour's PREV_USED bit says whether one exists. Adjacent free blocks are
 * always coalesced, so a free block's neighbours are both in use. */
#include <hl/guest.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tiny_internal.h"

#define HDR        8u
#define MIN_BLOCK  32u /* header + two links + footer */
#define USED       1u
#define PREV_USED  2u
#define SIZE_MASK  (~(size_t)15)

/* Bins 2..63 hold one exact size each (32..1008 bytes); above that, four
 * bins per power of two. The last bin takes everything larger. */
#define NBINS      192u
#define SMALL_LIMIT 1024u

struct block {
    size_t head;
    struct block *next, *prev; /* valid only while free */
};

static struct block *bins[NBINS];
static uint64_t nonempty[NBINS / 64];
static uintptr_t heap_lo;   /* first block */
static uintptr_t heap_end;  /* the epilogue: a zero-size, in-use header */

static inline size_t size_of(const struct block *b) { return b->head & SIZE_MASK; }
static inline struct block *at(uintptr_t a) { return (struct block *)a; }
static inline struct block *next_of(struct block *b) { return at((uintptr_t)b + size_of(b)); }
static inline void set_footer(struct block *b)
{
    *(size_t *)((uintptr_t)b + size_of(b) - sizeof(size_t)) = size_of(b);
}

static unsigned bin_of(size_t size)
{
    if (size < SMALL_LIMIT)
        return (unsigned)(size >> 4);
    unsigned lg = 63u - (unsigned)__builtin_clzll(size);
    unsigned bin = 64u + (lg - 10u) * 4u + (unsigned)((size >> (lg - 2u)) & 3u);
    return bin < NBINS ? bin : NBINS - 1u;
}

static void insert(struct block *b)
{
    unsigned i = bin_of(size_of(b));
    b->prev = NULL;
    b->next = bins[i];
    if (b->next)
        b->next->prev = b;
    bins[i] = b;
    nonempty[i / 64] |= 1ull << (i % 64);
}

static void unlink_block(struct block *b)
{
    if (b->prev) {
        b->prev->next = b->next;
    } else {
        unsigned i = bin_of(size_of(b));
        bins[i] = b->next;
        if (!b->next)
            nonempty[i / 64] &= ~(1ull << (i % 64));
    }
    if (b->next)
        b->next->prev = b->prev;
}

void __hl_malloc_init(uint64_t start, uint64_t size)
{
    uint64_t end = start + size < start ? UINT64_MAX : start + size;
    uintptr_t lo = (uintptr_t)(((start + HDR + 15u) & ~(uint64_t)15) - HDR);
    /* Start from empty lists even if called again (host-side tests do). */
    memset(bins, 0, sizeof bins);
    memset(nonempty, 0, sizeof nonempty);
    heap_lo = heap_end = 0;
    if (end < 2u * HDR + 16u)
        return;
    uintptr_t epi = (uintptr_t)(((end - 2u * HDR) & ~(uint64_t)15) + HDR);
    if (epi < lo || epi - lo < MIN_BLOCK)
        return; /* too small to hold a block: every malloc returns NULL */
    heap_lo = lo;
    heap_end = epi;
    struct block *b = at(lo);
    b->head = (epi - lo) | PREV_USED;
    set_footer(b);
    insert(b);
    at(epi)->head = USED;
}

/* First fit within the request's own bin, else the head of the next
 * non-empty bin, whose blocks are all larger than the request. */
static struct block *find_fit(size_t need)
{
    unsigned i = bin_of(need);
    for (struct block *b = bins[i]; b; b = b->next)
        if (size_of(b) >= need)
            return b;
    for (i++; i < NBINS; i = (i | 63u) + 1u) {
        uint64_t bits = nonempty[i / 64] & (~0ull << (i % 64));
        if (bits)
            return bins[(i & ~63u) + (unsigned)__builtin_ctzll(bits)];
    }
    return NULL;
}

/* Turns [b + keep, b + size_of(b)) of the in-use block b into a free block,
 * merged with its right neighbour when that is free too. */
static void release_tail(struct block *b, size_t keep)
{
    size_t rest = size_of(b) - keep;
    if (rest < MIN_BLOCK)
        return;
    b->head = keep | (b->head & (USED | PREV_USED));
    struct block *t = next_of(b);
    struct block *n = at((uintptr_t)t + rest);
    if (!(n->head & USED)) {
        unlink_block(n);
        rest += size_of(n);
    } else {
        n->head &= ~(size_t)PREV_USED;
    }
    t->head = rest | PREV_USED;
    set_footer(t);
    insert(t);
}

/* Request size to block size; 0 when no block could ever satisfy it. */
static size_t block_size(size_t n)
{
    if (n > heap_end - heap_lo)
        return 0;
    size_t need = (n + HDR + 15u) & SIZE_MASK;
    return need < MIN_BLOCK ? MIN_BLOCK : need;
}

void *malloc(size_t n)
{
    size_t need = block_size(n);
    if (!need)
        return NULL;
    struct block *b = find_fit(need);
    if (!b)
        return NULL;
    unlink_block(b);
    b->head |= USED;
    next_of(b)->head |= PREV_USED;
    release_tail(b, need);
    return (char *)b + HDR;
}

/* Catches frees of pointers malloc never returned and most double frees,
 * which would otherwise corrupt the lists silently. */
static struct block *checked_block(void *p, const char *who)
{
    uintptr_t a = (uintptr_t)p - HDR;
    struct block *b = at(a);
    if (((uintptr_t)p & 15u) || a < heap_lo || a >= heap_end || !(b->head & USED) ||
        size_of(b) < MIN_BLOCK || size_of(b) > heap_end - a || !(next_of(b)->head & PREV_USED))
        __hl_fail(who);
    return b;
}

void free(void *p)
{
    if (!p)
        return;
    struct block *b = checked_block(p, "free(): invalid pointer or double free");
    size_t size = size_of(b);
    struct block *n = next_of(b);
    if (!(n->head & USED)) {
        unlink_block(n);
        size += size_of(n);
    }
    if (!(b->head & PREV_USED)) {
        size_t psize = *(size_t *)((uintptr_t)b - sizeof(size_t));
        b = at((uintptr_t)b - psize);
        unlink_block(b);
        size += psize;
    }
    b->head = size | PREV_USED; /* its left neighbour is in use, or it merged */
    set_footer(b);
    next_of(b)->head &= ~(size_t)PREV_USED;
    insert(b);
}

void *calloc(size_t nmemb, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(nmemb, size, &total))
        return NULL;
    void *p = malloc(total);
    if (p)
        memset(p, 0, total);
    return p;
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (n == 0) { /* glibc's choice: free and return NULL */
        free(p);
        return NULL;
    }
    struct block *b = checked_block(p, "realloc(): invalid pointer");
    size_t need = block_size(n);
    if (!need)
        return NULL;
    size_t size = size_of(b);
    if (need <= size) {
        release_tail(b, need);
        return p;
    }
    struct block *nb = next_of(b);
    if (!(nb->head & USED) && size + size_of(nb) >= need) {
        unlink_block(nb);
        b->head += size_of(nb);
        next_of(b)->head |= PREV_USED;
        release_tail(b, need);
        return p;
    }
    void *q = malloc(n);
    if (q) {
        memcpy(q, p, size - HDR);
        free(p);
    }
    return q;
}
