/* SHA-256 (FIPS 180-4), streaming, no allocation. */
#ifndef PROPLET_SHA256_H
#define PROPLET_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN 64

typedef struct {
    uint32_t h[8];
    uint64_t total; /* bytes hashed so far */
    uint8_t block[64];
    size_t nblock; /* bytes in block */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
void sha256_final(sha256_ctx *c, uint8_t out[SHA256_DIGEST_LEN]);
/* One shot. */
void sha256(const void *data, size_t n, uint8_t out[SHA256_DIGEST_LEN]);
/* Lower-case hex of a digest; out must hold SHA256_HEX_LEN + 1 bytes (NUL-terminated). */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_LEN], char out[SHA256_HEX_LEN + 1]);

#endif
