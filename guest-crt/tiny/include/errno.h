/* <errno.h>: the minimal errno the strto* functions need; guests are single-threaded. */
#ifndef HL_ERRNO_H
#define HL_ERRNO_H

#ifdef __cplusplus
extern "C" {
#endif

extern int errno;

#define EINVAL 22
#define ERANGE 34

#ifdef __cplusplus
}
#endif

#endif /* HL_ERRNO_H */
