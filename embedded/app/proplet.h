/*
 * proplet.h - the embedded proplet's application: the main loop that speaks docs/protocol.md over the port's MQTT
 * client and runs tasks on the engine. Portable: uses only core/, port.h and engine.h (the POSIX host build wraps
 * it in main_posix.c, the Zephyr build in its own main).
 *
 * What it does (mirrors src/Propeller.Proplet):
 *   - Connects with the Last Will {"status":"offline","proplet_id","namespace"} (QoS 1) on control/proplet/alive,
 *     retrying with back-off until it succeeds or a stop is requested. Subscribes to control/manager/start, /stop,
 *     /start/{id} and /stop/{id} (only when the id is one topic level), control/manager/discover, registry/server and
 *     registry/status (the port restores them after a reconnect). After every (re)connect it publishes its discovery
 *     (direct_control:true when it listens on the per-proplet topics) and a heartbeat, then a heartbeat every
 *     liveness interval. A discover request is answered with discovery + heartbeat (requests within
 *     PROPLET_DISCOVER_SPACING_MS of the last answered one are ignored, as the .NET proplet does).
 *   - Start: an invalid start (no id, no name, neither file nor image_url, wrong types, not JSON) is logged and
 *     dropped; a start for another proplet is ignored; a duplicate id is logged and ignored (the running one keeps
 *     going). A start the table cannot take is answered with the task table's error as the result
 *     ("task t9 refused: this proplet already runs its maximum of 24 tasks"). latent:true is answered with the .NET
 *     proplet's error for a core module. daemon:true is not supported: the task runs as a normal task and its result
 *     is published when it ends (logged). env is ignored (no WASI here).
 *     Binary: an inline `file` is decoded straight from the payload into a buffer of exactly its size (bounded by
 *     max_binary_bytes); an image_url (not http/https, which the embedded proplet cannot download) is fetched through
 *     the proxy: fetch request on registry/proplet (first waiter only), chunks from registry/server assembled by
 *     core/chunks (digest verified), registry/status error or the chunk TTL fail every waiter.
 *     Each task runs on its own worker thread: engine_load, engine_instantiate (max memory, timeout_ms of the start
 *     or the default task timeout), engine_call(name, inputs). The worker posts to a queue; the main loop publishes
 *     {task_id, proplet_id, results, error} and frees the task. A result that cannot be published while
 *     disconnected stays in the table and is published after the reconnect.
 *   - Stop {id}: like the .NET proplet, whatever task of that id runs here is stopped (proplet_id only chooses the
 *     log line for an unknown id): a running task's call ends with "Task was cancelled or panicked", a task still
 *     waiting for its binary is answered with that error at once. Unknown id: warning, nothing published.
 *   - Task metrics: while a task's call runs, the main loop publishes {task_id, proplet_id, timestamp, metrics,
 *     aggregated} on control/proplet/task_metrics, the first sample 100 ms after its worker starts, then one every
 *     metrics_interval_ms (or the interval of the start's monitoring_profile; enabled:false or export_to_mqtt:false
 *     sends none, retain_history:false or history_size < 1 sends "aggregated":null). None after a stop request.
 *     memory_bytes is the task's linear memory (engine_memory_stats_get, at most one tick old), memory_percent its
 *     share of the memory cap, uptime_seconds counts from the worker's start, thread_count is 1; cpu_percent is 0
 *     (CPU time is not measured per task on this build), the disk bytes and file_descriptor_count are 0 (no WASI).
 *     aggregated holds the average and maximum memory_bytes of the samples so far and their count (cpu 0).
 *   - System metrics: every metrics_interval_ms, the first one interval after the first connect, the main loop
 *     publishes {proplet_id, namespace, timestamp, cpu_metrics:{user_seconds, system_seconds, percent},
 *     memory_metrics:{rss_bytes, heap_* 0}} on control/proplet/metrics (none while disconnected): the port's
 *     process CPU times and resident memory; percent is the CPU time used since the previous sample (the first:
 *     since proplet_init) over the wall time between them, so it exceeds 100 when several threads ran at once.
 *   - Bad input (not JSON, wrong types, oversized, truncated chunk streams) is logged and dropped.
 *   - proplet_request_stop (any thread, async-signal-safe): running tasks are stopped, their workers joined, nothing
 *     more is published, and the client disconnects cleanly (so the broker does not send the Last Will).
 *
 * Threading: everything but proplet_request_stop runs on the thread that calls proplet_run. One proplet per
 * process (the state is static: no heap for the proplet itself; per task, the binary buffer is allocated at task
 * start and freed at its end).
 */
#ifndef PROPLET_APP_H
#define PROPLET_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"
#include "port.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PROPLET_DISCOVER_SPACING_MS 2000u
/* Longest formatted result kept per task (the engine formats one number). */
#define PROPLET_RESULT_MAX 127

typedef struct {
    const char *tenant_id;    /* required */
    const char *channel_id;   /* required */
    const char *proplet_id;   /* required: entity id (= MQTT client id and username, set by the caller in mqtt) */
    const char *ns;           /* "namespace" of discovery, heartbeats, Last Will; NULL or "" = "default" */
    int qos;                  /* for subscriptions and publishes; the Last Will uses QoS 1 */

    uint32_t liveness_interval_ms; /* heartbeat period; 0 = no periodic heartbeats */
    uint32_t max_concurrent_tasks; /* table size, ≤ PROPLET_MAX_TASKS; 0 = PROPLET_MAX_TASKS */
    uint32_t max_memory_bytes;     /* per-task linear memory cap (engine_limits); 0 = engine default */
    uint32_t task_timeout_ms;      /* for starts without timeout_ms; 0 = none */
    uint32_t metrics_interval_ms;  /* system metrics period, and task metrics period (a start's monitoring_profile
                                    * interval overrides the latter); 0 = no metrics of either kind */
    uint32_t chunk_timeout_ms;     /* how long a task waits for its chunks; 0 = 60000 */
    size_t max_binary_bytes;       /* largest inline binary; 0 = PROPLET_MAX_BINARY_BYTES */
    size_t task_stack_bytes;       /* native stack of a worker (must hold the wasm stack + ~64 KiB); 0 = 64 KiB */

    uint8_t *chunk_arena;          /* buffer for chunk assembly (split between PROPLET_MAX_ASSEMBLIES slots) */
    size_t chunk_arena_len;

    /* discovery metadata; NULL or "" fields are omitted (os/arch/hostname/ip/memory come from port_sysinfo_get) */
    const char *wasm_runtime;      /* "wasmtime-c" on the host, "wamr" on the target */
    const char *proplet_version;
    const char *description;
    const char *location;
} proplet_config;

/* Settles a loaded port_config against this build, as both mains do before starting anything:
 * max_concurrent_tasks above PROPLET_MAX_TASKS is lowered to it (with a warning in the log); a max_memory_bytes
 * above UINT32_MAX is refused (PORT_ERR_INVAL with the reason in err). */
int proplet_settle_config(port_config *cfg, char *err, size_t err_cap);

/* The engine settings of a settled cfg (memory cap, wasm stack, one instance per concurrent task). */
engine_config proplet_engine_config(const port_config *cfg);

/* Zeroes *out and fills the fields that come from a settled cfg: ids, qos, liveness interval, concurrency, memory
 * cap, task timeout and metrics interval (seconds to ms, saturating). The caller sets the rest (ns, chunk and
 * stack sizes, arena, discovery metadata). */
void proplet_config_from_port(proplet_config *out, const port_config *cfg);

/* Copies what it needs from cfg (strings included). The engine must already be initialised (engine_init). */
int proplet_init(const proplet_config *cfg, char *err, size_t err_cap);

/* Connects (mqtt: host, port, credentials, TLS, keepalive, max incoming; the proplet sets the client id default,
 * the Last Will, callbacks and clean session) and serves until proplet_request_stop; then stops the tasks and
 * disconnects. Returns PORT_OK after a clean shutdown, or a port error when the configuration is unusable. */
int proplet_run(const port_mqtt_config *mqtt);

/* Thread-safe and async-signal-safe: makes proplet_run shut down promptly. */
void proplet_request_stop(void);

#ifdef __cplusplus
}
#endif

#endif
