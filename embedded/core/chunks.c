#include "chunks.h"

#include <string.h>

#include "base64.h"
#include "sha256.h"
#include "text.h"

static void reset_slot(chunk_assembly *a)
{
    uint8_t *buf = a->buf;
    size_t cap = a->cap;
    memset(a, 0, sizeof *a);
    a->buf = buf;
    a->cap = cap;
}

void chunks_init(chunk_set *set, uint8_t *arena, size_t arena_len, uint64_t ttl_ms)
{
    size_t per = arena_len / PROPLET_MAX_ASSEMBLIES;
    if (per > PROPLET_MAX_BINARY_BYTES) per = PROPLET_MAX_BINARY_BYTES;
    set->ttl_ms = ttl_ms;
    for (size_t i = 0; i < PROPLET_MAX_ASSEMBLIES; i++) {
        chunk_assembly *a = &set->slots[i];
        a->buf = arena != NULL ? arena + i * per : NULL;
        a->cap = arena != NULL ? per : 0;
        reset_slot(a);
    }
}

chunk_assembly *chunks_find(chunk_set *set, const char *app_name)
{
    for (size_t i = 0; i < PROPLET_MAX_ASSEMBLIES; i++) {
        chunk_assembly *a = &set->slots[i];
        if (a->state != ASSEMBLY_FREE && strcmp(a->app_name, app_name) == 0) return a;
    }
    return NULL;
}

chunk_assembly *chunks_expect(chunk_set *set, const char *app_name, uint64_t now_ms)
{
    if (app_name == NULL || app_name[0] == '\0' || strlen(app_name) > PROPLET_APP_NAME_MAX) return NULL;
    chunk_assembly *a = chunks_find(set, app_name);
    if (a != NULL) return a;
    for (size_t i = 0; i < PROPLET_MAX_ASSEMBLIES; i++) {
        a = &set->slots[i];
        if (a->state == ASSEMBLY_FREE) {
            reset_slot(a);
            a->state = ASSEMBLY_IN_PROGRESS;
            text_copy(a->app_name, sizeof a->app_name, app_name);
            a->started_ms = now_ms;
            return a;
        }
    }
    return NULL;
}

void chunks_fail(chunk_assembly *a, const char *error)
{
    a->state = ASSEMBLY_FAILED;
    text_copy(a->error, sizeof a->error, error);
}

void chunks_release(chunk_set *set, const char *app_name)
{
    chunk_assembly *a = chunks_find(set, app_name);
    if (a != NULL) reset_slot(a);
}

chunk_assembly *chunks_sweep(chunk_set *set, uint64_t now_ms)
{
    for (size_t i = 0; i < PROPLET_MAX_ASSEMBLIES; i++) {
        chunk_assembly *a = &set->slots[i];
        if (a->state == ASSEMBLY_IN_PROGRESS && now_ms >= a->started_ms && now_ms - a->started_ms >= set->ttl_ms) {
            chunks_fail(a, "Timeout waiting for binary chunks");
            return a;
        }
    }
    return NULL;
}

static chunk_status fail_size(chunk_assembly *a, chunk_assembly **slot)
{
    text_buf t;
    text_init(&t, a->error, sizeof a->error);
    text_add(&t, "binary for ");
    text_add(&t, a->app_name);
    text_add(&t, " from the proxy exceeds size limit (");
    text_add_u64(&t, a->cap);
    text_add(&t, " bytes)");
    a->state = ASSEMBLY_FAILED;
    if (slot != NULL) *slot = a;
    return CHUNK_FAILED;
}

static chunk_status reject(const char *why, chunk_assembly *a, const char **reason)
{
    a->rejected++;
    if (reason != NULL) *reason = why;
    return CHUNK_REJECTED;
}

static bool has(const chunk_assembly *a, uint32_t i) { return ((unsigned)a->have[i / 8u] >> (i % 8u)) & 1u; }
static void mark(chunk_assembly *a, uint32_t i) { a->have[i / 8u] = (uint8_t)(a->have[i / 8u] | (1u << (i % 8u))); }

static int decode_at(chunk_assembly *a, const chunk_msg *m, size_t off, size_t expect)
{
    b64_decoder d;
    b64_dec_init(&d);
    size_t n = 0;
    int r = b64_dec_update_json(&d, m->data, m->data_len, a->buf + off, expect, &n);
    if (r == B64_OK) r = b64_dec_finish(&d);
    if (r == B64_OK && n != expect) r = B64_ERR_INCOMPLETE;
    return r;
}

static bool lower_hex_eq(const char *announced, const char *hex)
{
    for (size_t i = 0; i < SHA256_HEX_LEN; i++) {
        char c = announced[i];
        if (c >= 'A' && c <= 'F') c = (char)(c - 'A' + 'a');
        if (c != hex[i]) return false;
    }
    return announced[SHA256_HEX_LEN] == '\0';
}

static chunk_status finish(chunk_assembly *a, chunk_assembly **slot)
{
    a->len = a->total == 1 ? a->last_len : (size_t)(a->total - 1u) * a->chunk_size + a->last_len;
    if (slot != NULL) *slot = a;
    if (a->digest[0] != '\0') {
        uint8_t dg[SHA256_DIGEST_LEN];
        char hex[SHA256_HEX_LEN + 1];
        sha256(a->buf, a->len, dg);
        sha256_hex(dg, hex);
        bool ok = strncmp(a->digest, "sha256:", 7) == 0 && strlen(a->digest) == 7 + SHA256_HEX_LEN &&
                  lower_hex_eq(a->digest + 7, hex);
        if (!ok) {
            text_buf t;
            text_init(&t, a->error, sizeof a->error);
            text_add(&t, "binary for ");
            text_add(&t, a->app_name);
            text_add(&t, " failed verification: the proxy announced ");
            text_add(&t, a->digest);
            text_add(&t, " but the chunks hash to sha256:");
            text_add(&t, hex);
            a->state = ASSEMBLY_FAILED;
            return CHUNK_FAILED;
        }
    }
    a->state = ASSEMBLY_COMPLETE;
    return CHUNK_COMPLETE;
}

chunk_status chunks_add(chunk_set *set, const chunk_msg *m, uint64_t now_ms, chunk_assembly **slot,
                        const char **reason)
{
    (void)now_ms;
    if (slot != NULL) *slot = NULL;
    if (reason != NULL) *reason = NULL;
    if (m == NULL || m->app_name == NULL) return CHUNK_NOT_WAITING;
    chunk_assembly *a = chunks_find(set, m->app_name);
    if (a == NULL || a->state != ASSEMBLY_IN_PROGRESS) return CHUNK_NOT_WAITING;
    if (slot != NULL) *slot = a;
    const char *digest = m->digest != NULL ? m->digest : "";

    if (m->total_chunks <= 0) return reject("total_chunks must be positive", a, reason);
    if (m->chunk_idx < 0 || m->chunk_idx >= m->total_chunks) return reject("chunk_idx out of range", a, reason);
    if (a->total != 0 && (int64_t)a->total != m->total_chunks) {
        return reject("total_chunks differs from the first chunk", a, reason);
    }
    if (a->total != 0 && strcmp(a->digest, digest) != 0) return reject("digest differs from the first chunk", a, reason);
    if (m->data == NULL) return reject("data missing", a, reason);
    size_t dlen = 0;
    if (b64_json_decoded_len(m->data, m->data_len, &dlen) != B64_OK) return reject("data is not base64", a, reason);
    if (dlen == 0) return reject("data is empty", a, reason);

    if (a->total == 0) {
        if (m->total_chunks > PROPLET_MAX_CHUNKS) {
            text_buf t;
            text_init(&t, a->error, sizeof a->error);
            text_add(&t, "binary for ");
            text_add(&t, a->app_name);
            text_add(&t, " from the proxy has too many chunks (");
            text_add_i64(&t, m->total_chunks);
            text_add(&t, " > ");
            text_add_u64(&t, PROPLET_MAX_CHUNKS);
            text_add(&t, ")");
            a->state = ASSEMBLY_FAILED;
            return CHUNK_FAILED;
        }
        if (strlen(digest) > PROPLET_DIGEST_MAX) return reject("digest too long", a, reason);
        a->total = (uint32_t)m->total_chunks;
        text_copy(a->digest, sizeof a->digest, digest);
    }

    uint32_t idx = (uint32_t)m->chunk_idx;
    if (has(a, idx)) {
        a->duplicates++;
        return CHUNK_DUPLICATE;
    }
    bool is_last = idx == a->total - 1u;

    if (is_last) {
        if (a->chunk_size != 0 && dlen > a->chunk_size) return reject("last chunk larger than the others", a, reason);
        size_t off;
        if (a->total == 1) {
            off = 0;
        } else if (a->chunk_size != 0) {
            off = (size_t)(a->total - 1u) * a->chunk_size;
        } else {
            off = a->cap >= dlen ? a->cap - dlen : 0;
        }
        if (dlen > a->cap || off > a->cap - dlen) return fail_size(a, slot);
        if (decode_at(a, m, off, dlen) != B64_OK) return reject("data is not base64", a, reason);
        a->last_len = dlen;
        a->last_parked = a->total > 1 && a->chunk_size == 0;
    } else {
        if (a->chunk_size == 0) {
            if (a->last_len != 0 && a->last_len > dlen) return reject("chunk smaller than the last chunk", a, reason);
            /* the artifact is at least (total-1)*S + max(1, last_len) bytes */
            size_t tail = a->last_len != 0 ? a->last_len : 1u;
            if (a->cap < tail || (size_t)(a->total - 1u) > (a->cap - tail) / dlen) return fail_size(a, slot);
            if (a->last_parked) {
                size_t to = (size_t)(a->total - 1u) * dlen;
                memmove(a->buf + to, a->buf + a->cap - a->last_len, a->last_len);
                a->last_parked = false;
            }
            a->chunk_size = dlen;
        } else if (dlen != a->chunk_size) {
            return reject("chunk size differs from the other chunks", a, reason);
        }
        if (decode_at(a, m, (size_t)idx * a->chunk_size, dlen) != B64_OK) {
            return reject("data is not base64", a, reason);
        }
    }
    mark(a, idx);
    a->received++;
    if (a->received == a->total) return finish(a, slot);
    return CHUNK_ACCEPTED;
}
