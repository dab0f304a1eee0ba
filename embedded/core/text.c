#include "text.h"

#include <string.h>

void text_init(text_buf *t, char *buf, size_t cap)
{
    t->buf = buf;
    t->cap = cap;
    t->len = 0;
    t->truncated = cap == 0;
    if (cap > 0) buf[0] = '\0';
}

bool text_add_n(text_buf *t, const char *s, size_t n)
{
    if (t->cap == 0) return false;
    size_t room = t->cap - 1 - t->len;
    if (n > room) {
        n = room;
        t->truncated = true;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
    return !t->truncated;
}

bool text_add(text_buf *t, const char *s) { return text_add_n(t, s, strlen(s)); }

bool text_add_u64(text_buf *t, uint64_t v)
{
    char tmp[21];
    size_t n = 0;
    do {
        tmp[sizeof tmp - 1 - n] = (char)('0' + v % 10u);
        n++;
        v /= 10u;
    } while (v != 0);
    return text_add_n(t, tmp + sizeof tmp - n, n);
}

bool text_add_i64(text_buf *t, int64_t v)
{
    if (v < 0) {
        text_add(t, "-");
        return text_add_u64(t, (uint64_t)0 - (uint64_t)v);
    }
    return text_add_u64(t, (uint64_t)v);
}

bool text_copy(char *dst, size_t cap, const char *s)
{
    text_buf t;
    text_init(&t, dst, cap);
    return text_add(&t, s);
}
