/* <assert.h>: assert() reporting through hl_abort(). */
/* assert is redefined on every inclusion, as C requires, so a file can switch
 * NDEBUG between inclusions; only the declarations sit behind the guard. */
#ifndef HL_ASSERT_H
#define HL_ASSERT_H

#ifdef __cplusplus
extern "C" {
#endif

/* Ends the guest with "Assertion failed: EXPR (FILE:LINE: FUNC)". */
__attribute__((__noreturn__)) void __hl_assert_fail(const char *expr, const char *file, int line,
                                                const char *func);

#ifdef __cplusplus
}
#endif

#if !defined(__cplusplus) && !defined(static_assert)
#define static_assert _Static_assert
#endif

#endif /* HL_ASSERT_H */

#undef assert
#ifdef NDEBUG
#define assert(expr) ((void)0)
#else
#define assert(expr) \
    ((expr) ? (void)0 : __hl_assert_fail(#expr, __FILE__, __LINE__, __func__))
#endif
