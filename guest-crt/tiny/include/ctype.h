/* <ctype.h>: character classification for the "C" locale (the only one). */
#ifndef HL_CTYPE_H
#define HL_CTYPE_H

#ifdef __cplusplus
extern "C" {
#endif

int isdigit(int c);
int isxdigit(int c);
int isspace(int c);
int isalpha(int c);
int isalnum(int c);
int isupper(int c);
int islower(int c);
int isprint(int c);
int ispunct(int c);
int tolower(int c);
int toupper(int c);

#ifdef __cplusplus
}
#endif

#endif /* HL_CTYPE_H */
