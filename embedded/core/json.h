/* Bounded JSON tokenizer and writer (C11, no allocation).
 *
 * Parsing fills a caller-provided token array in document order (pre-order). Each token records its type, its
 * byte range in the input, how many children it has and the index of the first token after its subtree, so a
 * caller can walk objects and arrays without recursion:
 *   object: count = number of members; children are key (string), value, key, value, ...
 *   array:  count = number of elements; children are the elements.
 *   string: start/len cover the raw text between the quotes (escapes not yet decoded; use json_get_string).
 *   number, true, false, null: start/len cover the literal.
 * Strings are validated while parsing (escapes, \uXXXX incl. surrogate pairs, no raw control characters), so
 * json_get_string on a parsed token never meets a malformed escape. */
#ifndef PROPLET_JSON_H
#define PROPLET_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proplet_limits.h"

typedef enum {
    JSON_OK = 0,
    JSON_ERR_INVALID = -1,    /* not JSON */
    JSON_ERR_TRUNCATED = -2,  /* input ended inside a value */
    JSON_ERR_NOMEM = -3,      /* more tokens than the caller's array holds */
    JSON_ERR_DEPTH = -4,      /* nested deeper than PROPLET_JSON_MAX_DEPTH */
    JSON_ERR_TOO_LONG = -5,   /* a value does not fit the caller's buffer */
    JSON_ERR_TYPE = -6,       /* the token has another type than asked for */
    JSON_ERR_NOT_FOUND = -7,  /* key not present */
    JSON_ERR_RANGE = -8       /* number out of the asked integer range */
} json_err;

typedef enum {
    JSON_OBJECT = 1,
    JSON_ARRAY,
    JSON_STRING,
    JSON_NUMBER,
    JSON_TRUE,
    JSON_FALSE,
    JSON_NULL
} json_type;

typedef struct {
    json_type type;
    uint32_t start; /* byte offset in the input */
    uint32_t len;   /* byte length (strings: without the quotes) */
    uint32_t count; /* members (object) or elements (array); 0 otherwise */
    uint32_t next;  /* index of the first token after this token's subtree */
} json_token;

typedef struct {
    const char *js;
    size_t len;
    json_token *toks;
    size_t cap;
    size_t n; /* tokens used; token 0 is the root */
} json_doc;

/* Parse js[0..len) into toks[0..cap). Returns JSON_OK or a negative json_err. Leading/trailing whitespace is
 * allowed, anything else after the root value is JSON_ERR_INVALID. */
int json_parse(json_doc *doc, const char *js, size_t len, json_token *toks, size_t cap);

/* Short English name of an error code ("truncated input", ...). */
const char *json_strerror(int err);

/* Index of the value of member `key` in object token `obj`, or -1 (not an object, or absent). Keys are compared
 * after unescaping. With duplicate keys the first wins. */
int json_find(const json_doc *doc, int obj, const char *key);

/* Array/object iteration: index of the first child of `tok` (or -1 when empty), and the token after `tok`'s
 * subtree (its next sibling). For an object, the children are alternately keys and values.
 *   for (int i = json_first(d, arr), k = 0; k < (int)d->toks[arr].count; k++, i = json_next(d, i)) ... */
int json_first(const json_doc *doc, int tok);
int json_next(const json_doc *doc, int tok);

/* Unescaped string into out (always NUL-terminated on success; out_len may be NULL). JSON_ERR_TOO_LONG when
 * the text plus the NUL does not fit; JSON_ERR_TYPE when tok is not a string. */
int json_get_string(const json_doc *doc, int tok, char *out, size_t cap, size_t *out_len);

/* Like json_get_string, but a text that does not fit is cut at the last whole escape/byte that fits (success). */
int json_get_string_trunc(const json_doc *doc, int tok, char *out, size_t cap);

/* True when string token tok unescapes to exactly s. */
bool json_string_eq(const json_doc *doc, int tok, const char *s);

/* Integer number (no fraction or exponent; "-0" is 0) → JSON_OK, JSON_ERR_TYPE or JSON_ERR_RANGE. */
int json_get_int64(const json_doc *doc, int tok, int64_t *out);
int json_get_bool(const json_doc *doc, int tok, bool *out);
bool json_is_null(const json_doc *doc, int tok);

/* Convenience: member `key` of object `obj` as a string / int64 / bool. JSON_ERR_NOT_FOUND when absent. */
int json_obj_string(const json_doc *doc, int obj, const char *key, char *out, size_t cap);
int json_obj_int64(const json_doc *doc, int obj, const char *key, int64_t *out);
int json_obj_bool(const json_doc *doc, int obj, const char *key, bool *out);

/* Bounded writer. Every call appends at most what fits; once something did not fit, `overflow` stays set and
 * json_w_finish returns -1. Commas and colons are inserted automatically. The output is NUL-terminated
 * (one byte of the buffer is reserved for it). */
typedef struct {
    char *buf;
    size_t cap;
    size_t len;
    bool overflow;
    bool after_key;
    uint8_t depth;
    uint32_t has_items; /* bit d: the container at depth d already has an element */
} json_writer;

#define JSON_WRITER_MAX_DEPTH 31

void json_w_init(json_writer *w, char *buf, size_t cap);
void json_w_begin_object(json_writer *w);
void json_w_end_object(json_writer *w);
void json_w_begin_array(json_writer *w);
void json_w_end_array(json_writer *w);
void json_w_key(json_writer *w, const char *key);
void json_w_string(json_writer *w, const char *s);
void json_w_string_n(json_writer *w, const char *s, size_t n);
void json_w_int64(json_writer *w, int64_t v);
void json_w_uint64(json_writer *w, uint64_t v);
/* Fixed-point number: scaled / 10^decimals, e.g. (125, 1) → 12.5; trailing zeros are kept. decimals ≤ 9. */
void json_w_decimal(json_writer *w, int64_t scaled, unsigned decimals);
void json_w_bool(json_writer *w, bool v);
void json_w_null(json_writer *w);
/* Already-encoded JSON text, written verbatim as one value. */
void json_w_raw(json_writer *w, const char *s, size_t n);
/* Length written (without the NUL), or -1 on overflow or unbalanced containers. */
long json_w_finish(json_writer *w);

#endif
