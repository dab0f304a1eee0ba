/* Assembly of Wasm binaries delivered in chunks on `registry/server`
 * ({"app_name","chunk_idx","total_chunks","data":"<base64>","digest":"sha256:<hex>"?}, docs/protocol.md).
 *
 * Design
 * - A fixed table of PROPLET_MAX_ASSEMBLIES slots, keyed by app_name. A slot is opened only by chunks_expect()
 *   (a task waits for that app_name); chunks for any other app_name are dropped unread (CHUNK_NOT_WAITING).
 * - The caller's arena is split evenly between the slots; a slot's capacity is min(arena/slots,
 *   PROPLET_MAX_BINARY_BYTES). Nothing is allocated.
 * - Chunks are decoded straight from the payload into their final place (no per-chunk copy). Every chunk but the
 *   last has the same decoded size S (the proxy cuts the artifact into equal pieces), so chunk i goes to offset
 *   i*S, whatever the arrival order. S is learnt from the first non-last chunk that arrives. If the last chunk
 *   arrives before S is known, it is parked at the end of the slot buffer and moved to (total-1)*S once S is
 *   known. A bitmap (PROPLET_MAX_CHUNKS bits) records which indexes are present.
 * - A chunk is rejected (CHUNK_REJECTED, the assembly goes on) when chunk_idx is outside [0,total_chunks),
 *   total_chunks or digest differ from the first chunk's, data is missing/empty/not base64, or a non-last chunk's
 *   size differs from S (or the last one is larger than S). A repeated index is ignored (the first copy wins)
 *   and counted. The assembly fails when total_chunks > PROPLET_MAX_CHUNKS or the bytes exceed the slot.
 * - When the last missing chunk arrives the artifact is complete; if the chunks carried a digest, its SHA-256
 *   must match, else the assembly fails with the protocol's verification text.
 * - Time is passed in by the caller (milliseconds, any monotonic origin): chunks_sweep() fails assemblies older
 *   than the TTL with "Timeout waiting for binary chunks".
 * - A complete or failed slot keeps its result (bytes or error text) until chunks_release(); further chunks for
 *   it are ignored (CHUNK_NOT_WAITING). */
#ifndef PROPLET_CHUNKS_H
#define PROPLET_CHUNKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proplet_limits.h"

typedef enum {
    ASSEMBLY_FREE = 0,
    ASSEMBLY_IN_PROGRESS,
    ASSEMBLY_COMPLETE,
    ASSEMBLY_FAILED
} assembly_state;

typedef struct {
    assembly_state state;
    char app_name[PROPLET_APP_NAME_MAX + 1];
    char digest[PROPLET_DIGEST_MAX + 1]; /* from the first chunk; "" when none */
    uint32_t total;                      /* 0 until the first chunk */
    uint32_t received;
    uint32_t duplicates;
    uint32_t rejected;
    size_t chunk_size; /* S; 0 until known */
    size_t last_len;   /* decoded size of the last chunk; 0 until it arrived */
    bool last_parked;  /* last chunk sits at the end of buf */
    uint64_t started_ms;
    uint8_t *buf;
    size_t cap;
    size_t len; /* bytes of the complete artifact */
    char error[PROPLET_ERROR_MAX + 1];
    uint8_t have[(PROPLET_MAX_CHUNKS + 7) / 8];
} chunk_assembly;

typedef struct {
    chunk_assembly slots[PROPLET_MAX_ASSEMBLIES];
    uint64_t ttl_ms;
} chunk_set;

/* One parsed chunk message (see proto_parse_chunk). data/data_len: the raw, still JSON-escaped, content of the
 * "data" string inside the payload (data == NULL: missing). digest: NUL-terminated, "" when absent. */
typedef struct {
    const char *app_name;
    int64_t chunk_idx;
    int64_t total_chunks;
    const char *data;
    size_t data_len;
    const char *digest;
} chunk_msg;

typedef enum {
    CHUNK_ACCEPTED = 0,    /* stored; more to come */
    CHUNK_COMPLETE = 1,    /* this chunk completed the artifact: slot->buf[0..slot->len) */
    CHUNK_FAILED = 2,      /* the assembly failed now: slot->error */
    CHUNK_NOT_WAITING = 3, /* no open assembly for this app_name (or it already finished): dropped */
    CHUNK_DUPLICATE = 4,   /* index already present: ignored */
    CHUNK_REJECTED = 5     /* this chunk is invalid (reason given); the assembly goes on */
} chunk_status;

void chunks_init(chunk_set *set, uint8_t *arena, size_t arena_len, uint64_t ttl_ms);
/* Open (or keep) the assembly for app_name. Returns the slot, or NULL when app_name is too long or every slot
 * is taken. Several tasks waiting for one app_name share one slot. */
chunk_assembly *chunks_expect(chunk_set *set, const char *app_name, uint64_t now_ms);
chunk_assembly *chunks_find(chunk_set *set, const char *app_name);
/* Feed one chunk. *slot (may be NULL) gets the assembly it went to; *reason (may be NULL) a static text for
 * CHUNK_REJECTED. */
chunk_status chunks_add(chunk_set *set, const chunk_msg *msg, uint64_t now_ms, chunk_assembly **slot,
                        const char **reason);
/* Fail the next in-progress assembly older than the TTL and return it; NULL when none is left. Call in a loop. */
chunk_assembly *chunks_sweep(chunk_set *set, uint64_t now_ms);
/* Fail an assembly with a caller's text (e.g. registry/status error). */
void chunks_fail(chunk_assembly *slot, const char *error);
/* Free the slot of app_name (after its waiters took the result, or when nobody waits any more). */
void chunks_release(chunk_set *set, const char *app_name);

#endif
