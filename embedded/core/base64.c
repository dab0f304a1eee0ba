#include "base64.h"

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

void b64_dec_init(b64_decoder *d)
{
    d->npend = 0;
    d->npad = 0;
    d->done = false;
    d->err = B64_OK;
}

static int fail(b64_decoder *d, int err)
{
    d->err = err;
    return err;
}

int b64_dec_update(b64_decoder *d, const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    if (d->err != B64_OK) return d->err;
    size_t o = *out_len;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (d->done) return fail(d, B64_ERR_PADDING);
        if (c == '=') {
            /* padding may only fill positions 3 and 4 of a quantum */
            if (d->npend + d->npad < 2) return fail(d, B64_ERR_PADDING);
            d->npad++;
        } else {
            int v = sextet(c);
            if (v < 0) return fail(d, B64_ERR_CHAR);
            if (d->npad > 0) return fail(d, B64_ERR_PADDING);
            d->pend[d->npend++] = (uint8_t)v;
        }
        if (d->npend + d->npad == 4) {
            uint32_t q = ((uint32_t)d->pend[0] << 18) | ((uint32_t)d->pend[1] << 12);
            if (d->npend > 2) q |= (uint32_t)d->pend[2] << 6;
            if (d->npend > 3) q |= d->pend[3];
            size_t nb = (size_t)d->npend - 1u; /* 4 chars → 3 bytes, 3 → 2, 2 → 1 */
            if (out == NULL) {
                o += nb; /* count only */
            } else {
                if (o > cap || nb > cap - o) {
                    *out_len = o;
                    return fail(d, B64_ERR_OVERFLOW);
                }
                out[o++] = (uint8_t)(q >> 16);
                if (nb > 1) out[o++] = (uint8_t)(q >> 8);
                if (nb > 2) out[o++] = (uint8_t)q;
            }
            if (d->npad > 0) d->done = true;
            d->npend = 0;
            d->npad = 0;
        }
    }
    *out_len = o;
    return B64_OK;
}

int b64_dec_finish(b64_decoder *d)
{
    if (d->err != B64_OK) return d->err;
    if (d->npend != 0 || d->npad != 0) return fail(d, B64_ERR_INCOMPLETE);
    return B64_OK;
}

const char *b64_strerror(int err)
{
    switch (err) {
    case B64_OK: return "ok";
    case B64_ERR_CHAR: return "invalid base64 character";
    case B64_ERR_PADDING: return "invalid base64 padding";
    case B64_ERR_OVERFLOW: return "decoded data exceeds the buffer";
    case B64_ERR_INCOMPLETE: return "truncated base64 data";
    default: return "unknown base64 error";
    }
}

size_t b64_decoded_max(size_t n_chars) { return (n_chars / 4u) * 3u + ((n_chars % 4u) * 3u) / 4u; }

size_t b64_encoded_len(size_t n_bytes) { return ((n_bytes + 2u) / 3u) * 4u; }

int b64_encode(const uint8_t *in, size_t n, char *out, size_t cap, size_t *out_len)
{
    size_t need = b64_encoded_len(n);
    if (n > (SIZE_MAX / 4u) * 3u - 3u || cap < need + 1u) return B64_ERR_OVERFLOW;
    size_t o = 0;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t q = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
        out[o++] = ALPHABET[(q >> 18) & 63];
        out[o++] = ALPHABET[(q >> 12) & 63];
        out[o++] = ALPHABET[(q >> 6) & 63];
        out[o++] = ALPHABET[q & 63];
    }
    if (n - i == 1) {
        uint32_t q = (uint32_t)in[i] << 16;
        out[o++] = ALPHABET[(q >> 18) & 63];
        out[o++] = ALPHABET[(q >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t q = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
        out[o++] = ALPHABET[(q >> 18) & 63];
        out[o++] = ALPHABET[(q >> 12) & 63];
        out[o++] = ALPHABET[(q >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    if (out_len != NULL) *out_len = o;
    return B64_OK;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int b64_dec_update_json(b64_decoder *d, const char *raw, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    if (d->err != B64_OK) return d->err;
    char piece[32];
    size_t np = 0;
    size_t i = 0;
    while (i < n) {
        char c = raw[i];
        if (c == '\\') {
            if (i + 1 >= n) return fail(d, B64_ERR_CHAR);
            char e = raw[i + 1];
            if (e == '/') {
                c = '/';
                i += 2;
            } else if (e == 'u') {
                if (i + 6 > n) return fail(d, B64_ERR_CHAR);
                int v = 0;
                for (size_t k = 2; k < 6; k++) {
                    int h = hexv(raw[i + k]);
                    if (h < 0) return fail(d, B64_ERR_CHAR);
                    v = (v << 4) | h;
                }
                if (v >= 0x80) return fail(d, B64_ERR_CHAR);
                c = (char)v;
                i += 6;
            } else {
                return fail(d, B64_ERR_CHAR);
            }
        } else {
            i++;
        }
        piece[np++] = c;
        if (np == sizeof piece) {
            int r = b64_dec_update(d, piece, np, out, cap, out_len);
            if (r != B64_OK) return r;
            np = 0;
        }
    }
    return np > 0 ? b64_dec_update(d, piece, np, out, cap, out_len) : B64_OK;
}

int b64_json_decoded_len(const char *raw, size_t n, size_t *out_len)
{
    b64_decoder d;
    b64_dec_init(&d);
    size_t len = 0;
    int r = b64_dec_update_json(&d, raw, n, NULL, 0, &len);
    if (r == B64_OK) r = b64_dec_finish(&d);
    if (r == B64_OK) *out_len = len;
    return r;
}
