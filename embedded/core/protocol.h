/* The wire protocol of docs/protocol.md as the embedded proplet speaks it: topics, parsing of what the manager
 * and the proxy send, and the payloads the proplet publishes. Bounded, no allocation: parsers take a caller's
 * token array (PROPLET_JSON_MAX_TOKENS is a good size) and fill fixed-size structs; emitters write into a
 * caller's buffer and return the length, or -1 when it does not fit. */
#ifndef PROPLET_PROTOCOL_H
#define PROPLET_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chunks.h"
#include "json.h"
#include "proplet_limits.h"

/* Topic suffixes below m/{tenant}/c/{channel}/ */
#define PROTO_CREATE "control/proplet/create"
#define PROTO_ALIVE "control/proplet/alive"
#define PROTO_METRICS "control/proplet/metrics"
#define PROTO_TASK_METRICS "control/proplet/task_metrics"
#define PROTO_RESULTS "control/proplet/results"
#define PROTO_START "control/manager/start"
#define PROTO_STOP "control/manager/stop"
#define PROTO_DISCOVER "control/manager/discover"
#define PROTO_REGISTRY_PROPLET "registry/proplet"
#define PROTO_REGISTRY_SERVER "registry/server"
#define PROTO_REGISTRY_STATUS "registry/status"

typedef enum {
    PROTO_OK = 0,
    PROTO_ERR_JSON = -1,    /* payload is not JSON (or too many tokens / too deep) */
    PROTO_ERR_FIELD = -2,   /* a field is missing, of the wrong type, or out of range */
    PROTO_ERR_TOO_LONG = -3, /* a value exceeds its PROPLET_* limit */
    PROTO_ERR_BUFFER = -4   /* output buffer too small */
} proto_err;

/* Who we are: fixed at startup. */
typedef struct {
    char tenant[PROPLET_ID_MAX + 1];
    char channel[PROPLET_ID_MAX + 1];
    char proplet_id[PROPLET_ID_MAX + 1];
    char ns[PROPLET_ID_MAX + 1]; /* "namespace" */
} proto_ctx;

/* Fills ctx; PROTO_ERR_TOO_LONG when a value exceeds PROPLET_ID_MAX, PROTO_ERR_FIELD when one is empty. */
int proto_ctx_init(proto_ctx *ctx, const char *tenant, const char *channel, const char *proplet_id, const char *ns);
/* True when s can be one MQTT topic level (non-empty, no '/', '+', '#'); direct topics are used only then. */
bool proto_is_topic_level(const char *s);

/* m/{tenant}/c/{channel}/{suffix} → out; returns the length or -1. */
int proto_topic(const proto_ctx *ctx, const char *suffix, char *out, size_t cap);
/* m/{tenant}/c/{channel}/control/manager/{start|stop}/{proplet_id}; -1 also when the id is not a topic level. */
int proto_topic_direct_start(const proto_ctx *ctx, char *out, size_t cap);
int proto_topic_direct_stop(const proto_ctx *ctx, char *out, size_t cap);

typedef enum {
    PROTO_TOPIC_OTHER = 0, /* not ours / not for us */
    PROTO_TOPIC_START,     /* channel-wide or control/manager/start/{our id} */
    PROTO_TOPIC_STOP,      /* channel-wide or control/manager/stop/{our id} */
    PROTO_TOPIC_DISCOVER,
    PROTO_TOPIC_REGISTRY_SERVER,
    PROTO_TOPIC_REGISTRY_STATUS
} proto_topic_kind;

proto_topic_kind proto_classify(const proto_ctx *ctx, const char *topic, size_t len);

typedef struct {
    char key[PROPLET_ENV_KEY_MAX + 1];
    char value[PROPLET_ENV_VALUE_MAX + 1];
} proto_env;

typedef struct {
    char id[PROPLET_ID_MAX + 1];
    char name[PROPLET_NAME_MAX + 1];
    char image_url[PROPLET_APP_NAME_MAX + 1];
    char proplet_id[PROPLET_ID_MAX + 1]; /* "" when absent */
    bool has_file;  /* non-empty "file" */
    size_t file_off; /* raw (JSON-escaped) base64 of "file" = payload[file_off .. file_off+file_len); decode with */
    size_t file_len; /* b64_dec_update_json straight from the payload */
    size_t n_inputs;
    char inputs[PROPLET_MAX_INPUTS][PROPLET_INPUT_MAX + 1]; /* strings unescaped; numbers as written; bools */
    bool broadcast;
    bool daemon;
    bool latent;
    int64_t timeout_ms; /* 0 when absent, null or not positive */
    size_t n_env;        /* env entries kept (the first PROPLET_MAX_ENV that fit; the others are ignored) */
    size_t env_ignored;
    proto_env env[PROPLET_MAX_ENV];
    /* monitoring_profile (docs/protocol.md, task metrics); absent or null: has_monitoring false, the flags true */
    bool has_monitoring;
    bool monitoring_export;          /* enabled && export_to_mqtt (each true when absent) */
    bool monitoring_history;         /* retain_history && history_size >= 1 (each true / 100 when absent) */
    uint32_t monitoring_interval_ms; /* interval: seconds, ≥ 1,000,000 read as nanoseconds, kept between 1 s and
                                      * 1 day; 0 when absent or null */
} proto_start;

typedef struct {
    char id[PROPLET_ID_MAX + 1];
    char proplet_id[PROPLET_ID_MAX + 1];
    bool broadcast;
} proto_stop;

typedef struct {
    char app_name[PROPLET_APP_NAME_MAX + 1];
    char digest[PROPLET_DIGEST_MAX + 1];
    chunk_msg msg; /* points into app_name/digest above and into the payload (data) */
} proto_chunk;

typedef struct {
    char app_name[PROPLET_APP_NAME_MAX + 1];
    bool has_error;
    char error[PROPLET_ERROR_MAX + 1]; /* cut to fit */
    bool unchanged;
    char digest[PROPLET_DIGEST_MAX + 1];
} proto_registry_status;

/* Parsers: PROTO_OK, or a negative proto_err with a sentence in err (may be NULL). The payload must stay alive
 * while the results that point into it (file_off, chunk data) are used. */
int proto_parse_start(const char *payload, size_t len, json_token *toks, size_t ntoks, proto_start *out, char *err,
                      size_t err_cap);
int proto_parse_stop(const char *payload, size_t len, json_token *toks, size_t ntoks, proto_stop *out, char *err,
                     size_t err_cap);
int proto_parse_chunk(const char *payload, size_t len, json_token *toks, size_t ntoks, proto_chunk *out, char *err,
                      size_t err_cap);
int proto_parse_registry_status(const char *payload, size_t len, json_token *toks, size_t ntoks,
                                proto_registry_status *out, char *err, size_t err_cap);

/* Targeting: broadcast, no proplet_id, or our id. */
bool proto_start_is_for_me(const proto_start *s, const char *my_id);
bool proto_stop_is_for_me(const proto_stop *s, const char *my_id);

typedef struct {
    const char *description;  /* every string: NULL or "" → omitted */
    const char *const *tags;
    size_t n_tags;
    const char *location;
    const char *ip;
    const char *os;           /* "linux" / "zephyr" */
    const char *hostname;
    const char *cpu_arch;
    uint64_t total_memory_bytes; /* 0 → omitted */
    const char *proplet_version;
    const char *wasm_runtime; /* "wasmtime-c" / "wamr" */
} proto_metadata;

typedef struct {
    int64_t cpu_percent_x100; /* percent × 100 (1250 = 12.50) */
    uint64_t memory_bytes;
    int64_t memory_percent_x100;
    uint64_t disk_read_bytes;
    uint64_t disk_write_bytes;
    uint64_t uptime_seconds;
    uint32_t thread_count;
    uint32_t file_descriptor_count;
} proto_process_metrics;

typedef struct {
    int64_t avg_cpu_usage_x100;
    int64_t max_cpu_usage_x100;
    uint64_t avg_memory_usage;
    uint64_t max_memory_usage;
    uint64_t total_disk_read;
    uint64_t total_disk_write;
    uint64_t sample_count;
} proto_aggregated_metrics;

/* System metrics of the proplet itself (control/proplet/metrics). */
typedef struct {
    uint64_t cpu_user_us;     /* process CPU time in user mode, microseconds (sent as seconds, 6 decimals) */
    uint64_t cpu_system_us;   /* process CPU time in kernel mode, microseconds */
    int64_t cpu_percent_x100; /* percent × 100 (1250 = 12.50) */
    uint64_t rss_bytes;
} proto_system_metrics;

/* CPU time used over a wall-clock span as percent × 100, rounded: cpu_us / (wall_ms × 1000) × 100 × 100.
 * 0 when wall_ms is 0; saturates at INT64_MAX. Above 100 % when several threads ran at once. */
int64_t proto_cpu_percent_x100(uint64_t cpu_us, uint64_t wall_ms);

/* Emitters: payload length, or -1 when it does not fit in cap (out is NUL-terminated on success). */
int proto_emit_discovery(const proto_ctx *ctx, const proto_metadata *md, char *out, size_t cap);
int proto_emit_heartbeat(const proto_ctx *ctx, char *out, size_t cap);
int proto_emit_last_will(const proto_ctx *ctx, char *out, size_t cap);
/* error NULL → success ("error":null, results as given); else "results":"" and "error":error. */
int proto_emit_result(const proto_ctx *ctx, const char *task_id, const char *results, const char *error, char *out,
                      size_t cap);
/* The same result sent again in answer to a discover request: the fields above, then "replayed":true and
 * "finished_at":finished_at (RFC 3339 UTC with milliseconds, e.g. "2026-11-26T02:18:52.123Z"; NULL → ""). */
int proto_emit_replayed_result(const proto_ctx *ctx, const char *task_id, const char *results, const char *error,
                               const char *finished_at, char *out, size_t cap);
/* timestamp: RFC 3339 text from the port's wall clock; aggregated NULL → "aggregated":null. */
int proto_emit_task_metrics(const proto_ctx *ctx, const char *task_id, const char *timestamp,
                            const proto_process_metrics *m, const proto_aggregated_metrics *aggregated, char *out,
                            size_t cap);
/* {proplet_id, namespace, timestamp, cpu_metrics:{user_seconds, system_seconds, percent}, memory_metrics:{rss_bytes,
 * heap_alloc_bytes, heap_sys_bytes, heap_inuse_bytes}}: the heap fields are 0 (no managed heap here) and the
 * container fields are omitted (unknown). timestamp: RFC 3339 text from the port's wall clock. */
int proto_emit_system_metrics(const proto_ctx *ctx, const char *timestamp, const proto_system_metrics *m, char *out,
                              size_t cap);
/* {"app_name":..} plus "digest" when digest is non-empty. */
int proto_emit_fetch_request(const char *app_name, const char *digest, char *out, size_t cap);

#endif
