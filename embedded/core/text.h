/* Bounded text building for error messages and topics (no printf in the core). Every function keeps buf
 * NUL-terminated, never writes past cap, and returns false once something was cut off. */
#ifndef PROPLET_TEXT_H
#define PROPLET_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *buf;
    size_t cap;
    size_t len;
    bool truncated;
} text_buf;

void text_init(text_buf *t, char *buf, size_t cap);
bool text_add(text_buf *t, const char *s);
bool text_add_n(text_buf *t, const char *s, size_t n);
bool text_add_u64(text_buf *t, uint64_t v);
bool text_add_i64(text_buf *t, int64_t v);

/* Copy s into dst[cap] (NUL-terminated); false when it did not fit (dst then holds the cut-off prefix). */
bool text_copy(char *dst, size_t cap, const char *s);

#endif
