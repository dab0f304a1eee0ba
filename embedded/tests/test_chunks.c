/* Chunk assembly of registry/server deliveries. */
#include <stdint.h>
#include <stdlib.h>

#include "base64.h"
#include "check.h"
#include "chunks.h"
#include "sha256.h"

#define ARTIFACT_LEN 1000u
#define CHUNK 300u
#define TOTAL 4u

static uint8_t artifact[ARTIFACT_LEN];
static char enc[TOTAL][512];
static char digest[80];
static uint8_t arena[PROPLET_MAX_ASSEMBLIES * 4096u];

static void setup(void)
{
    for (size_t i = 0; i < ARTIFACT_LEN; i++) artifact[i] = (uint8_t)(i * 31u + 7u);
    for (size_t c = 0; c < TOTAL; c++) {
        size_t off = c * CHUNK;
        size_t n = off + CHUNK <= ARTIFACT_LEN ? CHUNK : ARTIFACT_LEN - off;
        if (b64_encode(artifact + off, n, enc[c], sizeof enc[c], NULL) != B64_OK) abort();
    }
    uint8_t d[SHA256_DIGEST_LEN];
    char hex[SHA256_HEX_LEN + 1];
    sha256(artifact, ARTIFACT_LEN, d);
    sha256_hex(d, hex);
    strcpy(digest, "sha256:");
    strcat(digest, hex);
}

static chunk_msg msg(const char *app, int64_t idx, int64_t total, const char *data, const char *dg)
{
    chunk_msg m;
    m.app_name = app;
    m.chunk_idx = idx;
    m.total_chunks = total;
    m.data = data;
    m.data_len = data != NULL ? strlen(data) : 0;
    m.digest = dg;
    return m;
}

static chunk_status add(chunk_set *s, const char *app, int64_t idx, const char *dg, chunk_assembly **slot)
{
    chunk_msg m = msg(app, idx, TOTAL, enc[idx], dg);
    return chunks_add(s, &m, 0, slot, NULL);
}

static void every_order(void)
{
    /* all 24 arrival orders of the 4 chunks, with and without a digest */
    int perm[TOTAL] = {0, 1, 2, 3};
    int count = 0;
    for (int a = 0; a < 4; a++) {
        for (int b = 0; b < 4; b++) {
            for (int c = 0; c < 4; c++) {
                for (int d = 0; d < 4; d++) {
                    if (a == b || a == c || a == d || b == c || b == d || c == d) continue;
                    perm[0] = a;
                    perm[1] = b;
                    perm[2] = c;
                    perm[3] = d;
                    for (int with_digest = 0; with_digest < 2; with_digest++) {
                        chunk_set s;
                        chunks_init(&s, arena, sizeof arena, 60000);
                        CHECK(chunks_expect(&s, "app:v1", 0) != NULL);
                        chunk_assembly *slot = NULL;
                        for (int k = 0; k < 4; k++) {
                            chunk_status st = add(&s, "app:v1", perm[k], with_digest ? digest : "", &slot);
                            CHECK_INT(k == 3 ? CHUNK_COMPLETE : CHUNK_ACCEPTED, st);
                        }
                        CHECK(slot != NULL);
                        if (slot != NULL) {
                            CHECK_INT(ASSEMBLY_COMPLETE, slot->state);
                            CHECK_MEM(artifact, ARTIFACT_LEN, slot->buf, slot->len);
                        }
                    }
                    count++;
                }
            }
        }
    }
    CHECK_INT(24, count);
}

static void single_chunk_and_escapes(void)
{
    chunk_set s;
    chunks_init(&s, arena, sizeof arena, 60000);
    CHECK(chunks_expect(&s, "one", 0) != NULL);
    /* "+/8=" decodes to fb ff; the proxy's JSON writes '+' as \u002B */
    chunk_msg m = msg("one", 0, 1, "\\u002B\\/8=", NULL);
    chunk_assembly *slot = NULL;
    CHECK_INT(CHUNK_COMPLETE, chunks_add(&s, &m, 0, &slot, NULL));
    const uint8_t want[2] = {0xfb, 0xff};
    CHECK(slot != NULL && slot->len == 2 && memcmp(slot->buf, want, 2) == 0);
    /* a finished slot ignores more chunks until released */
    CHECK_INT(CHUNK_NOT_WAITING, chunks_add(&s, &m, 0, &slot, NULL));
    chunks_release(&s, "one");
    CHECK(chunks_find(&s, "one") == NULL);
    CHECK_INT(CHUNK_NOT_WAITING, chunks_add(&s, &m, 0, &slot, NULL));
}

static void rejects_and_duplicates(void)
{
    chunk_set s;
    chunks_init(&s, arena, sizeof arena, 60000);
    chunk_assembly *slot = NULL;
    const char *why = NULL;
    CHECK_INT(CHUNK_NOT_WAITING, add(&s, "nobody-waits", 0, "", &slot));
    CHECK(slot == NULL);
    CHECK(chunks_expect(&s, "app", 0) != NULL);
    CHECK(chunks_expect(&s, "app", 5) == chunks_expect(&s, "app", 9)); /* shared by waiters */

    chunk_msg m = msg("app", 4, TOTAL, enc[0], digest);
    CHECK_INT(CHUNK_REJECTED, chunks_add(&s, &m, 0, &slot, &why));
    CHECK_STR("chunk_idx out of range", why);
    m = msg("app", -1, TOTAL, enc[0], digest);
    CHECK_INT(CHUNK_REJECTED, chunks_add(&s, &m, 0, &slot, &why));
    m = msg("app", 0, 0, enc[0], digest);
    CHECK_INT(CHUNK_REJECTED, chunks_add(&s, &m, 0, &slot, &why));
    CHECK_STR("total_chunks must be positive", why);
    m = msg("app", 0, TOTAL, NULL, digest);
    CHECK_INT(CHUNK_REJECTED, chunks_add(&s, &m, 0, &slot, &why));
    CHECK_STR("data missing", why);
    m = msg("app", 0, TOTAL, "Zm9v!", digest);
    CHECK_INT(CHUNK_REJECTED, chunks_add(&s, &m, 0, &slot, &why));
    CHECK_STR("data is not base64", why);
    m = msg("app", 0, TOTAL, "Zm9", digest);
    CHECK_INT(CHUNK_REJECTED, chunks_add(&s, &m, 0, &slot, &why));
    m = msg("app", 0, TOTAL, "", digest);
    CHECK_INT(CHUNK_REJECTED, chunks_add(&s, &m, 0, &slot, &why));
    CHECK_STR("data is empty", why);

    CHECK_INT(CHUNK_ACCEPTED, add(&s, "app", 1, digest, &slot));
    /* first chunk fixed total=4 and the digest */
    m = msg("app", 0, 5, enc[0], digest);
    CHECK_INT(CHUNK_REJECTED, chunks_add(&s, &m, 0, &slot, &why));
    CHECK_STR("total_chunks differs from the first chunk", why);
    m = msg("app", 0, TOTAL, enc[0], "sha256:00");
    CHECK_INT(CHUNK_REJECTED, chunks_add(&s, &m, 0, &slot, &why));
    CHECK_STR("digest differs from the first chunk", why);
    /* a non-last chunk of another size than the others */
    m = msg("app", 0, TOTAL, enc[3], digest);
    CHECK_INT(CHUNK_REJECTED, chunks_add(&s, &m, 0, &slot, &why));
    CHECK_STR("chunk size differs from the other chunks", why);
    /* duplicates: the first copy wins (a different payload for index 1 must not overwrite it) */
    CHECK_INT(CHUNK_DUPLICATE, add(&s, "app", 1, digest, &slot));
    m = msg("app", 1, TOTAL, enc[2], digest);
    CHECK_INT(CHUNK_DUPLICATE, chunks_add(&s, &m, 0, &slot, &why));
    CHECK_INT(ASSEMBLY_IN_PROGRESS, slot->state);
    CHECK_INT(2, slot->duplicates);
    CHECK_INT(CHUNK_ACCEPTED, add(&s, "app", 0, digest, &slot));
    CHECK_INT(CHUNK_ACCEPTED, add(&s, "app", 3, digest, &slot));
    CHECK_INT(CHUNK_COMPLETE, add(&s, "app", 2, digest, &slot));
    CHECK_MEM(artifact, ARTIFACT_LEN, slot->buf, slot->len);
    CHECK_INT(4, slot->received);
    CHECK(slot->rejected >= 10);
}

static void last_chunk_larger_than_others(void)
{
    chunk_set s;
    chunks_init(&s, arena, sizeof arena, 60000);
    chunks_expect(&s, "odd", 0);
    const char *why = NULL;
    chunk_msg m = msg("odd", 0, 2, "Zg==", NULL); /* 1 byte */
    CHECK_INT(CHUNK_ACCEPTED, chunks_add(&s, &m, 0, NULL, &why));
    m = msg("odd", 1, 2, "Zm9v", NULL); /* 3 bytes > S */
    CHECK_INT(CHUNK_REJECTED, chunks_add(&s, &m, 0, NULL, &why));
    CHECK_STR("last chunk larger than the others", why);
    /* and the other way round: the last arrives first, a later non-last chunk is smaller */
    chunks_init(&s, arena, sizeof arena, 60000);
    chunks_expect(&s, "odd", 0);
    m = msg("odd", 1, 2, "Zm9v", NULL);
    CHECK_INT(CHUNK_ACCEPTED, chunks_add(&s, &m, 0, NULL, &why));
    m = msg("odd", 0, 2, "Zg==", NULL);
    CHECK_INT(CHUNK_REJECTED, chunks_add(&s, &m, 0, NULL, &why));
}

static void oversize_cases(void)
{
    static uint8_t small[PROPLET_MAX_ASSEMBLIES * 950u];
    chunk_set s;
    chunk_assembly *slot = NULL;
    /* 950 per slot: chunks 0..2 fit (900 bytes), the 100-byte last chunk does not */
    chunks_init(&s, small, sizeof small, 60000);
    chunks_expect(&s, "big", 0);
    CHECK_INT(CHUNK_ACCEPTED, add(&s, "big", 0, "", &slot));
    CHECK_INT(CHUNK_ACCEPTED, add(&s, "big", 1, "", &slot));
    CHECK_INT(CHUNK_FAILED, add(&s, "big", 3, "", &slot));
    CHECK_STR("binary for big from the proxy exceeds size limit (950 bytes)", slot->error);
    CHECK_INT(ASSEMBLY_FAILED, slot->state);
    CHECK_INT(CHUNK_NOT_WAITING, add(&s, "big", 2, "", &slot));

    /* last chunk parked first, then the first non-last chunk reveals the size is too large */
    chunks_init(&s, small, sizeof small, 60000);
    chunks_expect(&s, "big", 0);
    CHECK_INT(CHUNK_ACCEPTED, add(&s, "big", 3, "", &slot));
    CHECK_INT(CHUNK_FAILED, add(&s, "big", 2, "", &slot));
    CHECK_INT(ASSEMBLY_FAILED, slot->state);

    /* a single chunk larger than the slot */
    static uint8_t tiny[PROPLET_MAX_ASSEMBLIES * 2u];
    chunks_init(&s, tiny, sizeof tiny, 60000);
    chunks_expect(&s, "t", 0);
    chunk_msg m = msg("t", 0, 1, "Zm9v", NULL);
    CHECK_INT(CHUNK_FAILED, chunks_add(&s, &m, 0, &slot, NULL));
    CHECK_STR("binary for t from the proxy exceeds size limit (2 bytes)", slot->error);

    /* no arena at all: every chunk overflows, nothing is written */
    chunks_init(&s, NULL, 0, 60000);
    CHECK_INT(0, s.slots[0].cap);
    chunks_expect(&s, "none", 0);
    CHECK_INT(CHUNK_FAILED, add(&s, "none", 0, "", &slot));
    chunks_init(&s, NULL, 0, 60000);
    chunks_expect(&s, "none", 0);
    CHECK_INT(CHUNK_FAILED, add(&s, "none", 3, "", &slot));
    CHECK_STR("binary for none from the proxy exceeds size limit (0 bytes)", slot->error);

    /* more chunks than the bitmap holds */
    chunks_init(&s, arena, sizeof arena, 60000);
    chunks_expect(&s, "many", 0);
    m = msg("many", 0, (int64_t)PROPLET_MAX_CHUNKS + 1, "Zm9v", NULL);
    CHECK_INT(CHUNK_FAILED, chunks_add(&s, &m, 0, &slot, NULL));
    CHECK(strstr(slot->error, "too many chunks") != NULL);
}

static void ttl(void)
{
    chunk_set s;
    chunks_init(&s, arena, sizeof arena, 60000);
    chunk_assembly *a = chunks_expect(&s, "slow", 1000);
    CHECK(a != NULL);
    CHECK_INT(CHUNK_ACCEPTED, add(&s, "slow", 0, "", NULL));
    CHECK(chunks_sweep(&s, 60999) == NULL);
    chunk_assembly *x = chunks_sweep(&s, 61000);
    CHECK(x == a);
    CHECK_STR("Timeout waiting for binary chunks", x->error);
    CHECK_INT(ASSEMBLY_FAILED, x->state);
    CHECK(chunks_sweep(&s, 99999) == NULL); /* reported once */
    CHECK_INT(CHUNK_NOT_WAITING, add(&s, "slow", 1, "", NULL));
    /* a clock that went backwards does not expire anything */
    chunks_init(&s, arena, sizeof arena, 60000);
    chunks_expect(&s, "slow", 5000);
    CHECK(chunks_sweep(&s, 10) == NULL);
}

static void digest_check(void)
{
    chunk_set s;
    chunk_assembly *slot = NULL;
    char wrong[80];
    strcpy(wrong, "sha256:");
    for (int i = 0; i < 64; i++) strcat(wrong, "0");
    chunks_init(&s, arena, sizeof arena, 60000);
    chunks_expect(&s, "reg/app:v2", 0);
    for (int64_t i = 0; i < 3; i++) CHECK_INT(CHUNK_ACCEPTED, add(&s, "reg/app:v2", i, wrong, &slot));
    CHECK_INT(CHUNK_FAILED, add(&s, "reg/app:v2", 3, wrong, &slot));
    char want[300];
    strcpy(want, "binary for reg/app:v2 failed verification: the proxy announced ");
    strcat(want, wrong);
    strcat(want, " but the chunks hash to ");
    strcat(want, digest);
    CHECK_STR(want, slot->error);

    /* upper-case hex from the proxy is the same digest */
    char upper[80];
    strcpy(upper, digest);
    for (char *p = upper + 7; *p != '\0'; p++) {
        if (*p >= 'a' && *p <= 'f') *p = (char)(*p - 'a' + 'A');
    }
    chunks_init(&s, arena, sizeof arena, 60000);
    chunks_expect(&s, "u", 0);
    for (int64_t i = 0; i < 3; i++) CHECK_INT(CHUNK_ACCEPTED, add(&s, "u", i, upper, &slot));
    CHECK_INT(CHUNK_COMPLETE, add(&s, "u", 3, upper, &slot));

    /* a digest in another format never verifies */
    chunks_init(&s, arena, sizeof arena, 60000);
    chunks_expect(&s, "v", 0);
    for (int64_t i = 0; i < 3; i++) CHECK_INT(CHUNK_ACCEPTED, add(&s, "v", i, "md5:abc", &slot));
    CHECK_INT(CHUNK_FAILED, add(&s, "v", 3, "md5:abc", &slot));
}

static void slots_and_fail(void)
{
    chunk_set s;
    chunks_init(&s, arena, sizeof arena, 60000);
    char name[8];
    for (int i = 0; i < PROPLET_MAX_ASSEMBLIES; i++) {
        name[0] = 'a';
        name[1] = (char)('0' + i);
        name[2] = '\0';
        CHECK(chunks_expect(&s, name, 0) != NULL);
    }
    CHECK(chunks_expect(&s, "one-too-many", 0) == NULL);
    CHECK(chunks_expect(&s, "", 0) == NULL);
    chunk_assembly *a = chunks_find(&s, "a0");
    chunks_fail(a, "manifest unknown");
    CHECK_INT(ASSEMBLY_FAILED, a->state);
    CHECK_STR("manifest unknown", a->error);
    chunks_release(&s, "a0");
    CHECK(chunks_expect(&s, "one-too-many", 0) != NULL);
    /* slots never share buffer bytes */
    CHECK(s.slots[0].buf + s.slots[0].cap <= s.slots[1].buf);
}

int main(void)
{
    setup();
    every_order();
    single_chunk_and_escapes();
    rejects_and_duplicates();
    last_chunk_larger_than_others();
    oversize_cases();
    ttl();
    digest_check();
    slots_and_fail();
    return check_done("test_chunks");
}
