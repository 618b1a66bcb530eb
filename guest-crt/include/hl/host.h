/* <hl/host.h> (included by <hl/guest.h>): calling functions the host
 * registered (Sandbox::register_host). Each call is one hypercall.
 *
 *   HL_HOST_FN(int64_t, mul, (int64_t, a), (int64_t, b));
 *   HL_HOST_FN(void, log_line, (hl_string, text));
 *   ...
 *   int64_t product;
 *   if (mul(&product, 6, 7) != 0)          // a value result comes first, by pointer
 *       printf("mul failed: %s\n", hl_host_error());
 *   log_line(hl_str("hello"));            // void: just the arguments
 *
 * A stub returns 0, or HL_ENOENT (no such host function), HL_EINVAL (the
 * host's function has another signature) or HL_EHOST (it failed); then
 * hl_host_error() says why. A string or bytes result lives in a runtime
 * buffer until the next host call: copy it to keep it. */
#ifndef HL_HOST_H
#define HL_HOST_H

#include <hl/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Why the last host call failed ("" after a success). */
const char *hl_host_error(void);

/* The hypercall behind every stub: not for direct use. */
int __hl_host_call(const char *name, const char *signature, const struct hl_value *args, uint32_t argc,
                   struct hl_value *ret);

#define HL_TO_VALUE_int32_t(x) ((struct hl_value){(uint64_t)(int64_t)(x), 0})
#define HL_TO_VALUE_int64_t(x) ((struct hl_value){(uint64_t)(x), 0})
#define HL_TO_VALUE_uint64_t(x) ((struct hl_value){(uint64_t)(x), 0})
#define HL_TO_VALUE_double(x) ((struct hl_value){hl_double_to_bits_(x), 0})
#define HL_TO_VALUE_bool(x) ((struct hl_value){(x) ? 1u : 0u, 0})
#define HL_TO_VALUE__Bool(x) HL_TO_VALUE_bool(x)
#define HL_TO_VALUE_hl_string(x) ((struct hl_value){(uint64_t)(uintptr_t)(x).ptr, (x).len})
#define HL_TO_VALUE_hl_bytes(x) ((struct hl_value){(uint64_t)(uintptr_t)(x).ptr, (x).len})

#define HL_TO_VALUE_OF(type, name) HL_TO_VALUE_##type(name)
#define HL_SET(i, p) args_[i] = HL_TO_VALUE_OF p;
#define HL_SETS_0()
#define HL_SETS_1(a) HL_SET(0, a)
#define HL_SETS_2(a, b) HL_SETS_1(a) HL_SET(1, b)
#define HL_SETS_3(a, b, c) HL_SETS_2(a, b) HL_SET(2, c)
#define HL_SETS_4(a, b, c, d) HL_SETS_3(a, b, c) HL_SET(3, d)
#define HL_SETS_5(a, b, c, d, e) HL_SETS_4(a, b, c, d) HL_SET(4, e)
#define HL_SETS_6(a, b, c, d, e, g) HL_SETS_5(a, b, c, d, e) HL_SET(5, g)
#define HL_SETS_7(a, b, c, d, e, g, h) HL_SETS_6(a, b, c, d, e, g) HL_SET(6, h)
#define HL_SETS_8(a, b, c, d, e, g, h, k) HL_SETS_7(a, b, c, d, e, g, h) HL_SET(7, k)

/* ", T a, T b": parameters after the result pointer. */
#define HL_MORE_0()
#define HL_MORE_1(a) , HL_DECL(a)
#define HL_MORE_2(a, b) HL_MORE_1(a), HL_DECL(b)
#define HL_MORE_3(a, b, c) HL_MORE_2(a, b), HL_DECL(c)
#define HL_MORE_4(a, b, c, d) HL_MORE_3(a, b, c), HL_DECL(d)
#define HL_MORE_5(a, b, c, d, e) HL_MORE_4(a, b, c, d), HL_DECL(e)
#define HL_MORE_6(a, b, c, d, e, g) HL_MORE_5(a, b, c, d, e), HL_DECL(g)
#define HL_MORE_7(a, b, c, d, e, g, h) HL_MORE_6(a, b, c, d, e, g), HL_DECL(h)
#define HL_MORE_8(a, b, c, d, e, g, h, k) HL_MORE_7(a, b, c, d, e, g, h), HL_DECL(k)

#define HL_HOST_BODY_(ret, name, n, ...)                                                    \
    struct hl_value args_[HL_MAX_ARGS];                                                     \
    HL_CAT(HL_SETS_, n)(__VA_ARGS__)                                                        \
    static const char signature_[] = {HL_TYPE_CODE_##ret, HL_CAT(HL_CODES_, n)(__VA_ARGS__) 0}; \
    struct hl_value ret_;                                                                   \
    const int status_ = __hl_host_call(#name, signature_, args_, n, &ret_)

#define HL_HOST_FN_VALUE(ret, name, ...)                                                    \
    static inline int name(ret *result HL_CAT(HL_MORE_, HL_NARGS(__VA_ARGS__))(__VA_ARGS__)) \
    {                                                                                       \
        HL_HOST_BODY_(ret, name, HL_NARGS(__VA_ARGS__), ##__VA_ARGS__);                     \
        if (status_ == 0)                                                                   \
            *result = HL_UNPACK_##ret(ret_);                                                \
        return status_;                                                                     \
    }

#define HL_HOST_FN_void(ret, name, ...)                                                     \
    static inline int name(HL_CAT(HL_DECLS_, HL_NARGS(__VA_ARGS__))(__VA_ARGS__))           \
    {                                                                                       \
        HL_HOST_BODY_(ret, name, HL_NARGS(__VA_ARGS__), ##__VA_ARGS__);                     \
        (void)ret_;                                                                         \
        return status_;                                                                     \
    }
#define HL_HOST_FN_int32_t HL_HOST_FN_VALUE
#define HL_HOST_FN_int64_t HL_HOST_FN_VALUE
#define HL_HOST_FN_uint64_t HL_HOST_FN_VALUE
#define HL_HOST_FN_double HL_HOST_FN_VALUE
#define HL_HOST_FN_bool HL_HOST_FN_VALUE
#define HL_HOST_FN_hl_string HL_HOST_FN_VALUE
#define HL_HOST_FN_hl_bytes HL_HOST_FN_VALUE

/* Declares a stub for host function NAME returning RET with (TYPE, NAME) parameters. */
#define HL_HOST_FN(ret, name, ...) HL_HOST_FN_##ret(ret, name, ##__VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* HL_HOST_H */
