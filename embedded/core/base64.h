/* Base64 (RFC 4648, standard alphabet, '=' padding) — streaming decoder and one-shot encoder, no allocation.
 *
 * The decoder is fed pieces of any size; it keeps at most 3 characters of an incomplete 4-character quantum
 * between calls and appends decoded bytes to the caller's buffer. Invalid characters, misplaced padding, data
 * after padding and output overflow are errors; after an error the decoder stays failed. Whitespace is invalid. */
#ifndef PROPLET_BASE64_H
#define PROPLET_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    B64_OK = 0,
    B64_ERR_CHAR = -1,     /* character outside the alphabet */
    B64_ERR_PADDING = -2,  /* '=' in a wrong place, or data after the padding */
    B64_ERR_OVERFLOW = -3, /* output buffer too small */
    B64_ERR_INCOMPLETE = -4 /* finish with a partial quantum */
} b64_err;

typedef struct {
    uint8_t pend[4]; /* sextet values of the incomplete quantum */
    uint8_t npend;   /* 0..3 */
    uint8_t npad;    /* '=' seen in the current quantum */
    bool done;       /* a padded quantum ended the data */
    int err;         /* sticky error */
} b64_decoder;

void b64_dec_init(b64_decoder *d);
/* Decode in[0..n) appending to out[*out_len..cap). *out_len is advanced by the bytes written. With out == NULL
 * nothing is written and *out_len is advanced by the bytes that would be (validate and measure). */
int b64_dec_update(b64_decoder *d, const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);
/* Call after the last piece: B64_ERR_INCOMPLETE when characters of a partial quantum remain. */
int b64_dec_finish(b64_decoder *d);
const char *b64_strerror(int err);

/* Same as b64_dec_update, but `raw` is the raw content of a JSON string (as json_token start/len give it): the
 * escapes \/ and \u00XX (ASCII; System.Text.Json writes '+' as \u002B) are decoded on the fly, so a large base64
 * field can be decoded straight out of the received payload without an unescaped copy. */
int b64_dec_update_json(b64_decoder *d, const char *raw, size_t n, uint8_t *out, size_t cap, size_t *out_len);
/* Validate JSON-escaped base64 text completely and give its exact decoded size. */
int b64_json_decoded_len(const char *raw, size_t n, size_t *out_len);

/* Upper bound of the decoded size of n base64 characters, and the exact encoded size of n bytes. */
size_t b64_decoded_max(size_t n_chars);
size_t b64_encoded_len(size_t n_bytes);
/* Encode; out gets a NUL terminator, so cap must be ≥ b64_encoded_len(n) + 1. */
int b64_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len);

#endif
