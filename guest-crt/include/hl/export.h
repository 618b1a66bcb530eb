/* <hl/export.h> (included by <hl/guest.h>): functions a guest offers to its
 * host, and the loop that serves them.
 *
 *   HL_EXPORT(int64_t, add, (int64_t, a), (int64_t, b))
 *   {
 *       return a + b;
 *   }
 *
 *   int main(void)
 *   {
 *       ... initialise ...
 *       hl_serve();   // ready: the host calls exports from here on
 *   }
 *
 * Types: int32_t int64_t uint64_t double bool hl_string hl_bytes, and void
 * as a return type. Each parameter is written (TYPE, NAME). A string or
 * bytes argument points into the call area and is valid until the call
 * returns; a string or bytes result must stay valid until then too (static
 * or heap memory, not the function's stack). See hl-abi(7). */
#ifndef HL_EXPORT_H
#define HL_EXPORT_H

#include <hl/abi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct { const char *ptr; size_t len; } hl_string;
typedef struct { const void *ptr; size_t len; } hl_bytes;

/* A NUL-terminated C string as an hl_string. */
hl_string hl_str(const char *text);

/* Declares the guest initialised and serves calls from the host forever. */
_Noreturn void hl_serve(void);

/* ---- Machinery behind HL_EXPORT: not for direct use ---- */
static inline double hl_bits_to_double_(uint64_t bits) { union { uint64_t u; double d; } v = {bits}; return v.d; }
static inline uint64_t hl_double_to_bits_(double d) { union { double d; uint64_t u; } v = {d}; return v.u; }

#define HL_TYPE_CODE_int32_t 'i'
#define HL_TYPE_CODE_int64_t 'l'
#define HL_TYPE_CODE_uint64_t 'u'
#define HL_TYPE_CODE_double 'd'
#define HL_TYPE_CODE_bool 'b'
#define HL_TYPE_CODE__Bool 'b'
#define HL_TYPE_CODE_hl_string 's'
#define HL_TYPE_CODE_hl_bytes 'y'
#define HL_TYPE_CODE_void 'v'

#define HL_UNPACK_int32_t(v) ((int32_t)(v).bits)
#define HL_UNPACK_int64_t(v) ((int64_t)(v).bits)
#define HL_UNPACK_uint64_t(v) ((uint64_t)(v).bits)
#define HL_UNPACK_double(v) hl_bits_to_double_((v).bits)
#define HL_UNPACK_bool(v) ((v).bits != 0)
#define HL_UNPACK__Bool(v) ((v).bits != 0)
#define HL_UNPACK_hl_string(v) ((hl_string){(const char *)(uintptr_t)(v).bits, (size_t)(v).len})
#define HL_UNPACK_hl_bytes(v) ((hl_bytes){(const void *)(uintptr_t)(v).bits, (size_t)(v).len})

#define HL_RETURN_int32_t(f, call) ((f)->ret = (struct hl_value){(uint64_t)(int64_t)(call), 0})
#define HL_RETURN_int64_t(f, call) ((f)->ret = (struct hl_value){(uint64_t)(call), 0})
#define HL_RETURN_uint64_t(f, call) ((f)->ret = (struct hl_value){(uint64_t)(call), 0})
#define HL_RETURN_double(f, call) ((f)->ret = (struct hl_value){hl_double_to_bits_(call), 0})
#define HL_RETURN_bool(f, call) ((f)->ret = (struct hl_value){(call) ? 1u : 0u, 0})
#define HL_RETURN__Bool(f, call) HL_RETURN_bool(f, call)
#define HL_RETURN_hl_string(f, call) \
    do { hl_string r_ = (call); (f)->ret = (struct hl_value){(uint64_t)(uintptr_t)r_.ptr, r_.len}; } while (0)
#define HL_RETURN_hl_bytes(f, call) \
    do { hl_bytes r_ = (call); (f)->ret = (struct hl_value){(uint64_t)(uintptr_t)r_.ptr, r_.len}; } while (0)
#define HL_RETURN_void(f, call) ((call), (f)->ret = (struct hl_value){0, 0})

#define HL_CAT_(a, b) a##b
#define HL_CAT(a, b) HL_CAT_(a, b)
#define HL_NARGS_(_0, _1, _2, _3, _4, _5, _6, _7, _8, n, ...) n
#define HL_NARGS(...) HL_NARGS_(0, ##__VA_ARGS__, 8, 7, 6, 5, 4, 3, 2, 1, 0)

/* (TYPE, NAME) pairs -> declarations, unpacked arguments, type codes. */
#define HL_DECL_(type, name) type name
#define HL_ARG_(type, name) HL_UNPACK_##type
#define HL_CODE_(type, name) HL_TYPE_CODE_##type,
#define HL_DECL(p) HL_DECL_ p
#define HL_ARG(f, i, p) HL_ARG_ p((f)->args[i])
#define HL_CODE(p) HL_CODE_ p

#define HL_DECLS_0() void
#define HL_DECLS_1(a) HL_DECL(a)
#define HL_DECLS_2(a, b) HL_DECL(a), HL_DECL(b)
#define HL_DECLS_3(a, b, c) HL_DECLS_2(a, b), HL_DECL(c)
#define HL_DECLS_4(a, b, c, d) HL_DECLS_3(a, b, c), HL_DECL(d)
#define HL_DECLS_5(a, b, c, d, e) HL_DECLS_4(a, b, c, d), HL_DECL(e)
#define HL_DECLS_6(a, b, c, d, e, g) HL_DECLS_5(a, b, c, d, e), HL_DECL(g)
#define HL_DECLS_7(a, b, c, d, e, g, h) HL_DECLS_6(a, b, c, d, e, g), HL_DECL(h)
#define HL_DECLS_8(a, b, c, d, e, g, h, k) HL_DECLS_7(a, b, c, d, e, g, h), HL_DECL(k)

#define HL_ARGS_0(f)
#define HL_ARGS_1(f, a) HL_ARG(f, 0, a)
#define HL_ARGS_2(f, a, b) HL_ARGS_1(f, a), HL_ARG(f, 1, b)
#define HL_ARGS_3(f, a, b, c) HL_ARGS_2(f, a, b), HL_ARG(f, 2, c)
#define HL_ARGS_4(f, a, b, c, d) HL_ARGS_3(f, a, b, c), HL_ARG(f, 3, d)
#define HL_ARGS_5(f, a, b, c, d, e) HL_ARGS_4(f, a, b, c, d), HL_ARG(f, 4, e)
#define HL_ARGS_6(f, a, b, c, d, e, g) HL_ARGS_5(f, a, b, c, d, e), HL_ARG(f, 5, g)
#define HL_ARGS_7(f, a, b, c, d, e, g, h) HL_ARGS_6(f, a, b, c, d, e, g), HL_ARG(f, 6, h)
#define HL_ARGS_8(f, a, b, c, d, e, g, h, k) HL_ARGS_7(f, a, b, c, d, e, g, h), HL_ARG(f, 7, k)

#define HL_CODES_0()
#define HL_CODES_1(a) HL_CODE(a)
#define HL_CODES_2(a, b) HL_CODE(a) HL_CODE(b)
#define HL_CODES_3(a, b, c) HL_CODES_2(a, b) HL_CODE(c)
#define HL_CODES_4(a, b, c, d) HL_CODES_3(a, b, c) HL_CODE(d)
#define HL_CODES_5(a, b, c, d, e) HL_CODES_4(a, b, c, d) HL_CODE(e)
#define HL_CODES_6(a, b, c, d, e, g) HL_CODES_5(a, b, c, d, e) HL_CODE(g)
#define HL_CODES_7(a, b, c, d, e, g, h) HL_CODES_6(a, b, c, d, e, g) HL_CODE(h)
#define HL_CODES_8(a, b, c, d, e, g, h, k) HL_CODES_7(a, b, c, d, e, g, h) HL_CODE(k)

/* Declares export NAME returning RET with (TYPE, NAME) parameters; the
 * function's body follows the macro. */
#define HL_EXPORT(ret, name, ...)                                                                   \
    static ret name(HL_CAT(HL_DECLS_, HL_NARGS(__VA_ARGS__))(__VA_ARGS__));                        \
    static void hl_thunk_##name(struct hl_call_frame *frame)                                      \
    {                                                                                              \
        (void)frame;                                                                               \
        HL_RETURN_##ret(frame, name(HL_CAT(HL_ARGS_, HL_NARGS(__VA_ARGS__))(frame, ##__VA_ARGS__))); \
    }                                                                                              \
    __attribute__((section(".hl_exports"), used, aligned(8))) static const struct hl_export        \
        hl_export_##name = {(uint64_t)(uintptr_t)hl_thunk_##name, #name,                           \
                            {HL_TYPE_CODE_##ret, HL_CAT(HL_CODES_, HL_NARGS(__VA_ARGS__))(__VA_ARGS__) 0}}; \
    static ret name(HL_CAT(HL_DECLS_, HL_NARGS(__VA_ARGS__))(__VA_ARGS__))

#ifdef __cplusplus
}
#endif

#endif /* HL_EXPORT_H */
