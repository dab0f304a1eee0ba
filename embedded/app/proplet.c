/* The embedded proplet's main loop; see proplet.h. */
#include "proplet.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "chunks.h"
#include "engine.h"
#include "json.h"
#include "port_common.h"
#include "protocol.h"
#include "recent.h"
#include "tasks.h"

#define DEFAULT_CHUNK_TIMEOUT_MS 60000u
#define DEFAULT_TASK_STACK_BYTES (64u * 1024u)
#define TICK_MS 50u          /* engine_tick and chunk TTL sweep while tasks exist */
#define IDLE_WAKE_MS 1000u   /* longest poll when nothing else is due */
#define CONNECT_BACKOFF_MIN_MS 500u
#define CONNECT_BACKOFF_MAX_MS 30000u
#define OUT_BUF_SIZE 2048u
#define FIRST_METRICS_MS 100u /* first task-metrics sample after the task starts running, as the .NET proplet */

typedef struct {
    task_entry *entry; /* NULL: slot unused */
    char inputs[PROPLET_MAX_INPUTS][PROPLET_INPUT_MAX + 1];
    const char *input_ptrs[PROPLET_MAX_INPUTS];
    size_t n_inputs;
    uint32_t timeout_ms;
    uint8_t *wasm;
    size_t wasm_len;
    port_thread *thread;
    engine_instance *instance; /* guarded by g.lock: set by the worker while its call may run */
    bool worker_started;
    /* written by the worker before it posts, read by the main loop after */
    bool failed;
    char result[PROPLET_RESULT_MAX + 1];
    char error[PROPLET_ERROR_MAX + 1];
    uint64_t finished_unix_ms; /* main loop: wall clock when the result became known (kept for a replay) */
    /* task metrics: main loop only */
    bool metrics_on;          /* this task publishes task metrics (proplet setting and monitoring_profile) */
    bool metrics_history;     /* with "aggregated" (else null) */
    uint32_t metrics_interval_ms;
    uint64_t running_since_ms; /* when the worker was started */
    uint64_t next_metrics_ms;
    uint64_t samples;
    uint64_t memory_sum;
    uint64_t memory_max;
} app_task;

typedef struct {
    uint32_t slot;
} done_item;

static struct {
    proto_ctx ctx;
    int qos;
    uint32_t liveness_ms;
    uint32_t max_memory;
    uint32_t task_timeout_ms;
    uint32_t metrics_ms;
    size_t max_binary;
    size_t stack_bytes;
    char wasm_runtime[32];
    char version[32];
    char description[128];
    char location[64];
    port_sysinfo sys;

    task_table table;
    app_task tasks[PROPLET_MAX_TASKS];
    chunk_set chunks;
    port_mutex *lock;
    port_queue *done;

    char topic_alive[PROPLET_TOPIC_MAX + 1];
    char topic_create[PROPLET_TOPIC_MAX + 1];
    char topic_results[PROPLET_TOPIC_MAX + 1];
    char topic_task_metrics[PROPLET_TOPIC_MAX + 1];
    char topic_metrics[PROPLET_TOPIC_MAX + 1];
    char topic_fetch[PROPLET_TOPIC_MAX + 1];
    bool direct;

    uint64_t next_heartbeat_ms;
    uint64_t next_system_metrics_ms; /* set at the first connect when metrics_ms > 0 */
    port_cpu_times cpu_prev;          /* CPU times and monotonic time of the previous system-metrics sample */
    uint64_t cpu_prev_ms;
    uint64_t last_discover_answer_ms;
    bool discover_answered;
    bool pending_results; /* a finished task's result still waits for a connection */
    recent_results recent; /* results published lately, replayed on a discover request */

    json_token toks[PROPLET_JSON_MAX_TOKENS];
    proto_start start;
    proto_chunk chunk;
    proto_registry_status status;
    char out[OUT_BUF_SIZE];
    char will[256];
    bool initialised;
} g;

static atomic_bool g_stop;

static size_t slot_of(const task_entry *e)
{
    return (size_t)(e - g.table.slots);
}

static void copy_str(char *dst, size_t cap, const char *src)
{
    if (cap == 0) {
        return;
    }
    if (src == NULL) {
        src = "";
    }
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ---- publishing ---------------------------------------------------------------------------------------------- */

static int publish(const char *topic, const char *payload, int len)
{
    if (len < 0) {
        port_log(PORT_LOG_ERROR, "payload for %s does not fit the %u-byte buffer", topic, OUT_BUF_SIZE);
        return PORT_ERR_NOSPACE;
    }
    int rc = port_mqtt_publish(topic, payload, (size_t)len, g.qos);
    if (rc != PORT_OK) {
        port_log(PORT_LOG_WARN, "publish on %s failed: %s", topic, port_status_str(rc));
    }
    return rc;
}

static void publish_heartbeat(void)
{
    (void)publish(g.topic_alive, g.out, proto_emit_heartbeat(&g.ctx, g.out, sizeof g.out));
}

static void publish_discovery(void)
{
    proto_metadata md = {
        .description = g.description,
        .location = g.location,
        .ip = g.sys.ipv4,
        .os = g.sys.os,
        .hostname = g.sys.hostname,
        .cpu_arch = g.sys.arch,
        .total_memory_bytes = g.sys.total_memory_bytes,
        .proplet_version = g.version,
        .wasm_runtime = g.wasm_runtime,
    };
    if (publish(g.topic_create, g.out, proto_emit_discovery(&g.ctx, &md, g.out, sizeof g.out)) == PORT_OK) {
        port_log(PORT_LOG_INFO, "discovery published for proplet %s", g.ctx.proplet_id);
    }
}

static void announce(uint64_t now)
{
    publish_discovery();
    publish_heartbeat();
    if (g.liveness_ms > 0) {
        g.next_heartbeat_ms = now + g.liveness_ms;
    }
}

/* Publishes a task's result; PORT_OK when it went out. A result that went out is also kept for a replay
 * (finished_unix_ms: when the task finished, wall clock); one too long for the store's slots is not (recent.h). */
static int publish_result(const char *task_id, const char *results, const char *error, uint64_t finished_unix_ms)
{
    int rc = publish(g.topic_results, g.out, proto_emit_result(&g.ctx, task_id, results, error, g.out, sizeof g.out));
    if (rc == PORT_OK && recent_add(&g.recent, task_id, results, error, finished_unix_ms) != RECENT_OK) {
        port_log(PORT_LOG_DEBUG, "result of task %s is too long to be kept for a replay", task_id);
    }
    return rc;
}

/* The results published within the last PROPLET_RECENT_WINDOW_MS again, oldest first, marked replayed: a manager
 * that (re)started missed those published while it was gone. Main loop only; stops at the first failed publish. */
static void replay_recent_results(void)
{
    const recent_result *list[PROPLET_RECENT_RESULTS];
    size_t n = recent_replayable(&g.recent, port_time_unix_ms(), list, PROPLET_RECENT_RESULTS);
    size_t sent = 0;
    for (size_t i = 0; i < n; i++) {
        const recent_result *r = list[i];
        char finished_at[PORT_RFC3339_SIZE];
        if (port_format_rfc3339(r->finished_ms, finished_at, sizeof finished_at) != PORT_OK) {
            continue;
        }
        int len = proto_emit_replayed_result(&g.ctx, r->task_id, r->results, r->has_error ? r->error : NULL,
                                             finished_at, g.out, sizeof g.out);
        if (len < 0) {
            /* the two replay fields pushed it past the buffer (escaped texts): skip this one, send the others */
            port_log(PORT_LOG_WARN, "replayed result of task %s does not fit the %u-byte buffer", r->task_id,
                     OUT_BUF_SIZE);
            continue;
        }
        if (publish(g.topic_results, g.out, len) != PORT_OK) {
            break; /* not connected: the next discover request tries again */
        }
        sent++;
    }
    if (sent > 0) {
        port_log(PORT_LOG_INFO, "replayed %zu recent result(s)", sent);
    }
}

/* ---- task lifecycle -------------------------------------------------------------------------------------------- */

static void free_task(task_entry *e)
{
    app_task *t = &g.tasks[slot_of(e)];
    free(t->wasm);
    t->wasm = NULL;
    t->wasm_len = 0;
    t->entry = NULL;
    t->thread = NULL;
    t->worker_started = false;
    (void)tasks_remove(&g.table, e->id);
}

/* A task that ends before (or without) running: publish its error and free it. */
static void fail_task(task_entry *e, const char *error)
{
    port_log(PORT_LOG_WARN, "task %s failed: %s", e->id, error);
    app_task *t = &g.tasks[slot_of(e)];
    t->finished_unix_ms = port_time_unix_ms();
    if (!atomic_load(&g_stop) && publish_result(e->id, "", error, t->finished_unix_ms) != PORT_OK) {
        t->failed = true;
        copy_str(t->error, sizeof t->error, error);
        t->result[0] = '\0';
        tasks_set_state(e, TASK_FINISHED);
        g.pending_results = true;
        return;
    }
    free_task(e);
}

static void guest_log(void *user, const char *message, size_t len)
{
    const app_task *t = user;
    port_log(PORT_LOG_INFO, "task %s: %.*s", t->entry->id, (int)len, message);
}

static void worker(void *arg)
{
    app_task *t = arg;
    task_entry *e = t->entry;
    char err[PROPLET_ERROR_MAX + 1] = "";
    engine_status st = ENGINE_ERR_STOPPED;
    t->result[0] = '\0';
    if (!tasks_stop_requested(e)) {
        engine_module *module = engine_load(t->wasm, t->wasm_len, err, sizeof err);
        if (module == NULL) {
            st = ENGINE_ERR_LOAD;
        } else {
            engine_limits limits = {.max_memory_bytes = g.max_memory, .timeout_ms = t->timeout_ms};
            engine_host host = {.proplet_id = g.ctx.proplet_id,
                                .inputs = t->input_ptrs,
                                .input_count = t->n_inputs,
                                .log = guest_log,
                                .log_user = t};
            engine_instance *inst = engine_instantiate(module, &limits, &host, err, sizeof err);
            if (inst == NULL) {
                st = ENGINE_ERR_INSTANTIATE;
            } else {
                port_mutex_lock(g.lock);
                t->instance = inst;
                if (tasks_stop_requested(e)) {
                    engine_request_stop(inst);
                }
                port_mutex_unlock(g.lock);
                st = engine_call(inst, e->name, t->input_ptrs, t->n_inputs, t->result, sizeof t->result, err,
                                 sizeof err);
                port_mutex_lock(g.lock);
                t->instance = NULL;
                port_mutex_unlock(g.lock);
                engine_destroy_instance(inst);
            }
            engine_unload(module);
        }
    }
    if (st == ENGINE_OK) {
        t->failed = false;
        t->error[0] = '\0';
    } else {
        t->failed = true;
        copy_str(t->error, sizeof t->error, tasks_stop_requested(e) ? ENGINE_STOPPED_TEXT : err);
        if (t->error[0] == '\0') {
            copy_str(t->error, sizeof t->error, "Task failed");
        }
        t->result[0] = '\0';
    }
    done_item item = {.slot = (uint32_t)slot_of(e)};
    int rc = port_queue_post(g.done, &item);
    if (rc != PORT_OK) { /* cannot happen: the queue holds one item per table slot */
        port_log(PORT_LOG_ERROR, "task %s: result queue full (%s)", e->id, port_status_str(rc));
    }
}

static void launch(task_entry *e)
{
    app_task *t = &g.tasks[slot_of(e)];
    tasks_set_state(e, TASK_RUNNING);
    t->worker_started = true;
    t->running_since_ms = port_time_monotonic_ms();
    t->next_metrics_ms = t->running_since_ms + FIRST_METRICS_MS;
    int rc = port_thread_create(&t->thread, e->id, g.stack_bytes, worker, t);
    if (rc != PORT_OK) {
        t->worker_started = false;
        t->thread = NULL;
        char msg[128];
        (void)snprintf(msg, sizeof msg, "could not start a thread for the task: %s", port_status_str(rc));
        fail_task(e, msg);
        return;
    }
    port_log(PORT_LOG_INFO, "task %s (%s) running", e->id, e->name);
}

/* The main loop's side of a finished worker. */
static void drain_done(void)
{
    done_item item;
    while (port_queue_try_get(g.done, &item) == PORT_OK) {
        if (item.slot >= PROPLET_MAX_TASKS) {
            continue;
        }
        app_task *t = &g.tasks[item.slot];
        task_entry *e = t->entry;
        if (e == NULL) {
            continue;
        }
        if (t->thread != NULL) {
            (void)port_thread_join(t->thread);
            t->thread = NULL;
        }
        t->worker_started = false;
        free(t->wasm);
        t->wasm = NULL;
        t->wasm_len = 0;
        tasks_set_state(e, TASK_FINISHED);
        t->finished_unix_ms = port_time_unix_ms();
        if (t->failed) {
            port_log(PORT_LOG_WARN, "task %s failed: %s", e->id, t->error);
        } else {
            port_log(PORT_LOG_INFO, "task %s finished: %s", e->id, t->result);
        }
        if (atomic_load(&g_stop)) {
            continue; /* shutting down: nothing more is published; proplet_run frees the entries */
        }
        if (publish_result(e->id, t->failed ? "" : t->result, t->failed ? t->error : NULL, t->finished_unix_ms)
            == PORT_OK) {
            free_task(e);
        } else {
            g.pending_results = true;
        }
    }
}

/* Results that could not go out while disconnected. */
static void flush_pending_results(void)
{
    if (!g.pending_results || !port_mqtt_is_connected()) {
        return;
    }
    g.pending_results = false;
    for (size_t i = 0; i < PROPLET_MAX_TASKS; i++) {
        task_entry *e = tasks_at(&g.table, i);
        app_task *t = &g.tasks[i];
        if (e->state != TASK_FINISHED || t->entry == NULL || t->worker_started) {
            continue;
        }
        if (publish_result(e->id, t->failed ? "" : t->result, t->failed ? t->error : NULL, t->finished_unix_ms)
            == PORT_OK) {
            free_task(e);
        } else {
            g.pending_results = true;
        }
    }
}

/* The next due time of a periodic sample: one period after the last due time, or one period from now when the loop
 * fell behind (no burst of catch-up samples). */
static uint64_t next_period(uint64_t last_due, uint64_t period_ms, uint64_t now)
{
    uint64_t due = last_due + period_ms;
    return due > now ? due : now + period_ms;
}

/* ---- task metrics ------------------------------------------------------------------------------------------ */

/* A task whose worker runs its call and that has not been asked to stop. */
static bool metrics_active(const app_task *t)
{
    return t->entry != NULL && t->metrics_on && t->worker_started && t->entry->state == TASK_RUNNING &&
           !tasks_stop_requested(t->entry);
}

static void sample_task(app_task *t, uint64_t now)
{
    engine_memory_stats mem = {0};
    bool have = false;
    port_mutex_lock(g.lock); /* the worker clears t->instance under the lock before destroying it */
    if (t->instance != NULL) {
        have = engine_memory_stats_get(t->instance, &mem) == ENGINE_OK;
    }
    port_mutex_unlock(g.lock);
    if (!have) {
        /* not instantiated yet, or its call just ended: try again at the next tick */
        t->next_metrics_ms = now + TICK_MS;
        return;
    }
    t->next_metrics_ms = next_period(t->next_metrics_ms, t->metrics_interval_ms, now);
    if (!port_mqtt_is_connected()) {
        return;
    }
    char timestamp[PORT_RFC3339_SIZE];
    if (port_time_rfc3339(timestamp, sizeof timestamp) != PORT_OK) {
        port_log(PORT_LOG_DEBUG, "task %s: no wall clock for a metrics sample", t->entry->id);
        return;
    }
    uint64_t bytes = (uint64_t)mem.linear_bytes;
    t->samples++;
    t->memory_sum += bytes;
    t->memory_max = bytes > t->memory_max ? bytes : t->memory_max;
    proto_process_metrics m = {
        .cpu_percent_x100 = 0, /* not measured per task on this build */
        .memory_bytes = bytes,
        .memory_percent_x100 = mem.max_linear_bytes > 0 ? (int64_t)(bytes * 10000u / mem.max_linear_bytes) : 0,
        .uptime_seconds = (now - t->running_since_ms) / 1000u,
        .thread_count = 1,
    };
    proto_aggregated_metrics ag = {
        .avg_memory_usage = (t->memory_sum + t->samples / 2u) / t->samples,
        .max_memory_usage = t->memory_max,
        .sample_count = t->samples,
    };
    (void)publish(g.topic_task_metrics, g.out,
                  proto_emit_task_metrics(&g.ctx, t->entry->id, timestamp, &m, t->metrics_history ? &ag : NULL,
                                          g.out, sizeof g.out));
}

/* Publishes the samples that are due. */
static void publish_task_metrics(uint64_t now)
{
    for (size_t i = 0; i < PROPLET_MAX_TASKS; i++) {
        app_task *t = &g.tasks[i];
        if (metrics_active(t) && now >= t->next_metrics_ms) {
            sample_task(t, now);
        }
    }
}

/* ---- system metrics ------------------------------------------------------------------------------------------ */

/* One sample of the proplet's own CPU times and resident memory on control/proplet/metrics when it is due. percent
 * is the CPU time used since the previous sample (the first: since proplet_init) over the wall time between them. */
static void publish_system_metrics(uint64_t now)
{
    if (g.metrics_ms == 0 || now < g.next_system_metrics_ms) {
        return;
    }
    g.next_system_metrics_ms = next_period(g.next_system_metrics_ms, g.metrics_ms, now);
    port_cpu_times cpu;
    if (port_process_cpu_times(&cpu) != PORT_OK) {
        cpu.user_us = 0; /* not measured on this platform: 0, as the port reports */
        cpu.system_us = 0;
    }
    uint64_t used = cpu.user_us + cpu.system_us;
    uint64_t used_before = g.cpu_prev.user_us + g.cpu_prev.system_us;
    proto_system_metrics m = {
        .cpu_user_us = cpu.user_us,
        .cpu_system_us = cpu.system_us,
        .cpu_percent_x100 = proto_cpu_percent_x100(used > used_before ? used - used_before : 0,
                                                   now > g.cpu_prev_ms ? now - g.cpu_prev_ms : 0),
        .rss_bytes = port_process_rss_bytes(),
    };
    g.cpu_prev = cpu;
    g.cpu_prev_ms = now;
    if (!port_mqtt_is_connected()) {
        return;
    }
    char timestamp[PORT_RFC3339_SIZE];
    if (port_time_rfc3339(timestamp, sizeof timestamp) != PORT_OK) {
        port_log(PORT_LOG_DEBUG, "no wall clock for a system-metrics sample");
        return;
    }
    (void)publish(g.topic_metrics, g.out, proto_emit_system_metrics(&g.ctx, timestamp, &m, g.out, sizeof g.out));
}

/* Milliseconds until the next task-metrics sample is due (0 when one is due now), or UINT32_MAX when none is
 * scheduled. */
static uint32_t next_metrics_in(uint64_t now)
{
    uint64_t soonest = UINT64_MAX;
    for (size_t i = 0; i < PROPLET_MAX_TASKS; i++) {
        const app_task *t = &g.tasks[i];
        if (metrics_active(t) && t->next_metrics_ms < soonest) {
            soonest = t->next_metrics_ms;
        }
    }
    if (soonest == UINT64_MAX) {
        return UINT32_MAX;
    }
    uint64_t in = soonest > now ? soonest - now : 0;
    return in > UINT32_MAX ? UINT32_MAX : (uint32_t)in;
}

static bool has_waiter(const char *app_name)
{
    for (size_t i = 0; i < PROPLET_MAX_TASKS; i++) {
        task_entry *e = tasks_at(&g.table, i);
        if (e->state == TASK_WAITING_BINARY && strcmp(e->app_name, app_name) == 0) {
            return true;
        }
    }
    return false;
}

/* Completes (bytes != NULL) or fails every task waiting for app_name, then frees the assembly. */
static void finish_waiters(const char *app_name_in, const uint8_t *bytes, size_t len, const char *error)
{
    char app_name[PROPLET_APP_NAME_MAX + 1];
    copy_str(app_name, sizeof app_name, app_name_in);
    for (size_t i = 0; i < PROPLET_MAX_TASKS; i++) {
        task_entry *e = tasks_at(&g.table, i);
        if (e->state != TASK_WAITING_BINARY || strcmp(e->app_name, app_name) != 0) {
            continue;
        }
        if (bytes == NULL) {
            fail_task(e, error);
            continue;
        }
        app_task *t = &g.tasks[i];
        t->wasm = malloc(len > 0 ? len : 1);
        if (t->wasm == NULL) {
            fail_task(e, "out of memory for the task's binary");
            continue;
        }
        memcpy(t->wasm, bytes, len);
        t->wasm_len = len;
        port_log(PORT_LOG_INFO, "task %s: binary %s received from the proxy (%zu bytes)", e->id, app_name, len);
        launch(e);
    }
    chunks_release(&g.chunks, app_name);
}

static void request_fetch(const char *app_name)
{
    if (publish(g.topic_fetch, g.out, proto_emit_fetch_request(app_name, "", g.out, sizeof g.out)) == PORT_OK) {
        port_log(PORT_LOG_INFO, "fetch request for %s published", app_name);
    }
}

/* ---- incoming messages ----------------------------------------------------------------------------------------- */

static bool is_http(const char *url)
{
    static const char *const schemes[] = {"http://", "https://"};
    for (size_t s = 0; s < 2; s++) {
        size_t n = strlen(schemes[s]);
        size_t i = 0;
        while (i < n && url[i] != '\0') {
            char c = url[i];
            if (c >= 'A' && c <= 'Z') {
                c = (char)(c - 'A' + 'a');
            }
            if (c != schemes[s][i]) {
                break;
            }
            i++;
        }
        if (i == n) {
            return true;
        }
    }
    return false;
}

static void on_start(const char *payload, size_t len)
{
    char err[PROPLET_ERROR_MAX + 1];
    proto_start *s = &g.start;
    int rc = proto_parse_start(payload, len, g.toks, PROPLET_JSON_MAX_TOKENS, s, err, sizeof err);
    if (rc != PROTO_OK) {
        port_log(PORT_LOG_WARN, "ignoring invalid start: %s", err);
        return;
    }
    if (!proto_start_is_for_me(s, g.ctx.proplet_id)) {
        port_log(PORT_LOG_DEBUG, "ignoring start of task %s: it is for proplet %s", s->id, s->proplet_id);
        return;
    }
    if (tasks_find(&g.table, s->id) != NULL) {
        port_log(PORT_LOG_WARN, "ignoring start of task %s: it is already running", s->id);
        return;
    }
    if (s->latent) {
        char msg[PROPLET_ERROR_MAX + 1];
        (void)snprintf(msg, sizeof msg, "latent tasks require a WASM component; task %s is not a component", s->id);
        port_log(PORT_LOG_WARN, "task %s refused: %s", s->id, msg);
        (void)publish_result(s->id, "", msg, port_time_unix_ms());
        return;
    }
    const bool inline_file = s->has_file;
    const char *app_name = inline_file ? "" : s->image_url;
    uint64_t now = port_time_monotonic_ms();
    uint64_t timeout = s->timeout_ms > 0 ? (uint64_t)s->timeout_ms : g.task_timeout_ms;
    if (timeout > UINT32_MAX) {
        timeout = UINT32_MAX;
    }
    task_entry *e = NULL;
    rc = tasks_add(&g.table, s->id, s->name, app_name, now, timeout, &e, err, sizeof err);
    if (rc != TASKS_OK) {
        port_log(PORT_LOG_WARN, "%s", err);
        if (rc != TASKS_ERR_DUPLICATE) {
            (void)publish_result(s->id, "", err, port_time_unix_ms());
        }
        return;
    }
    app_task *t = &g.tasks[slot_of(e)];
    memset(t, 0, sizeof *t);
    t->entry = e;
    t->n_inputs = s->n_inputs;
    for (size_t i = 0; i < s->n_inputs; i++) {
        copy_str(t->inputs[i], sizeof t->inputs[i], s->inputs[i]);
        t->input_ptrs[i] = t->inputs[i];
    }
    t->timeout_ms = (uint32_t)timeout;
    t->metrics_on = g.metrics_ms > 0 && s->monitoring_export;
    t->metrics_history = s->monitoring_history;
    t->metrics_interval_ms = s->monitoring_interval_ms != 0 ? s->monitoring_interval_ms : g.metrics_ms;
    if (s->daemon) {
        port_log(PORT_LOG_WARN, "task %s: daemon tasks are not supported here; it runs as a normal task", s->id);
    }
    if (s->n_env > 0 || s->env_ignored > 0) {
        port_log(PORT_LOG_DEBUG, "task %s: env ignored (no WASI on the embedded proplet)", s->id);
    }
    port_log(PORT_LOG_INFO, "task %s (%s) accepted", s->id, s->name);

    if (inline_file) {
        const char *raw = payload + s->file_off;
        size_t n = 0;
        int b = b64_json_decoded_len(raw, s->file_len, &n);
        if (b != B64_OK) {
            (void)snprintf(err, sizeof err, "invalid base64 in file of task %s: %s", s->id, b64_strerror(b));
            fail_task(e, err);
            return;
        }
        if (n == 0 || n > g.max_binary) {
            (void)snprintf(err, sizeof err, "binary of task %s is %zu bytes; this proplet takes 1 to %zu bytes",
                           s->id, n, g.max_binary);
            fail_task(e, err);
            return;
        }
        t->wasm = malloc(n);
        if (t->wasm == NULL) {
            fail_task(e, "out of memory for the task's binary");
            return;
        }
        b64_decoder d;
        b64_dec_init(&d);
        size_t got = 0;
        b = b64_dec_update_json(&d, raw, s->file_len, t->wasm, n, &got);
        if (b == B64_OK) {
            b = b64_dec_finish(&d);
        }
        if (b != B64_OK || got != n) {
            (void)snprintf(err, sizeof err, "invalid base64 in file of task %s: %s", s->id,
                           b64_strerror(b != B64_OK ? b : B64_ERR_INCOMPLETE));
            fail_task(e, err);
            return;
        }
        t->wasm_len = n;
        launch(e);
        return;
    }
    if (is_http(s->image_url)) {
        (void)snprintf(err, sizeof err,
                       "image_url %s: downloading over HTTP is not supported by the embedded proplet; use an OCI "
                       "reference served by the proxy",
                       s->image_url);
        fail_task(e, err);
        return;
    }
    bool first = chunks_find(&g.chunks, s->image_url) == NULL;
    if (chunks_expect(&g.chunks, s->image_url, now) == NULL) {
        (void)snprintf(err, sizeof err, "cannot fetch %s: this proplet already assembles %u binaries", s->image_url,
                       (unsigned)PROPLET_MAX_ASSEMBLIES);
        fail_task(e, err);
        return;
    }
    port_log(PORT_LOG_INFO, "task %s waits for %s from the proxy", s->id, s->image_url);
    if (first) {
        request_fetch(s->image_url);
    }
}

static void on_stop(const char *payload, size_t len)
{
    char err[PROPLET_ERROR_MAX + 1];
    proto_stop s;
    if (proto_parse_stop(payload, len, g.toks, PROPLET_JSON_MAX_TOKENS, &s, err, sizeof err) != PROTO_OK) {
        port_log(PORT_LOG_WARN, "ignoring invalid stop: %s", err);
        return;
    }
    task_entry *e = tasks_find(&g.table, s.id);
    if (e == NULL || e->state == TASK_FINISHED) {
        if (strcmp(s.proplet_id, g.ctx.proplet_id) == 0) {
            port_log(PORT_LOG_WARN, "stop of task %s ignored: it does not run here", s.id);
        } else {
            port_log(PORT_LOG_DEBUG, "stop of task %s: not running here", s.id);
        }
        return;
    }
    port_log(PORT_LOG_INFO, "stopping task %s", s.id);
    if (e->state == TASK_WAITING_BINARY) {
        char app_name[PROPLET_APP_NAME_MAX + 1];
        copy_str(app_name, sizeof app_name, e->app_name);
        fail_task(e, ENGINE_STOPPED_TEXT);
        if (!has_waiter(app_name)) {
            chunks_release(&g.chunks, app_name);
        }
        return;
    }
    app_task *t = &g.tasks[slot_of(e)];
    port_mutex_lock(g.lock);
    tasks_request_stop(e);
    if (t->instance != NULL) {
        engine_request_stop(t->instance);
    }
    port_mutex_unlock(g.lock);
}

static void on_discover(const char *payload, size_t len, uint64_t now)
{
    json_doc doc;
    int rc = json_parse(&doc, payload, len, g.toks, PROPLET_JSON_MAX_TOKENS);
    if (rc != JSON_OK || g.toks[0].type != JSON_OBJECT) {
        port_log(PORT_LOG_WARN, "ignoring malformed discover request: %s",
                 rc != JSON_OK ? json_strerror(rc) : "not an object");
        return;
    }
    if (g.discover_answered && now - g.last_discover_answer_ms < PROPLET_DISCOVER_SPACING_MS) {
        return;
    }
    g.discover_answered = true;
    g.last_discover_answer_ms = now;
    port_log(PORT_LOG_INFO, "discover request: announcing again");
    publish_discovery();
    if (g.liveness_ms > 0) {
        publish_heartbeat();
    }
    replay_recent_results();
}

static void on_chunk(const char *payload, size_t len, uint64_t now)
{
    char err[PROPLET_ERROR_MAX + 1];
    proto_chunk *c = &g.chunk;
    if (proto_parse_chunk(payload, len, g.toks, PROPLET_JSON_MAX_TOKENS, c, err, sizeof err) != PROTO_OK) {
        port_log(PORT_LOG_WARN, "ignoring malformed chunk: %s", err);
        return;
    }
    chunk_assembly *slot = NULL;
    const char *reason = NULL;
    chunk_status st = chunks_add(&g.chunks, &c->msg, now, &slot, &reason);
    switch (st) {
    case CHUNK_COMPLETE:
        finish_waiters(slot->app_name, slot->buf, slot->len, NULL);
        break;
    case CHUNK_FAILED:
        finish_waiters(slot->app_name, NULL, 0, slot->error);
        break;
    case CHUNK_REJECTED:
        port_log(PORT_LOG_WARN, "chunk %lld of %s rejected: %s", (long long)c->msg.chunk_idx, c->app_name,
                 reason != NULL ? reason : "invalid");
        break;
    case CHUNK_DUPLICATE:
        port_log(PORT_LOG_DEBUG, "chunk %lld of %s repeated: ignored", (long long)c->msg.chunk_idx, c->app_name);
        break;
    case CHUNK_ACCEPTED:
    case CHUNK_NOT_WAITING:
        break;
    }
}

static void on_registry_status(const char *payload, size_t len)
{
    char err[PROPLET_ERROR_MAX + 1];
    proto_registry_status *s = &g.status;
    if (proto_parse_registry_status(payload, len, g.toks, PROPLET_JSON_MAX_TOKENS, s, err, sizeof err) !=
        PROTO_OK) {
        port_log(PORT_LOG_WARN, "ignoring malformed registry status: %s", err);
        return;
    }
    chunk_assembly *slot = chunks_find(&g.chunks, s->app_name);
    if (slot == NULL || slot->state != ASSEMBLY_IN_PROGRESS) {
        return;
    }
    if (s->has_error) {
        chunks_fail(slot, s->error);
        finish_waiters(s->app_name, NULL, 0, s->error);
    } else if (s->unchanged) {
        /* No binary cache here: ask again without a digest. */
        request_fetch(s->app_name);
    }
}

static void on_message(void *ctx, const char *topic, const uint8_t *payload, size_t len)
{
    (void)ctx;
    if (atomic_load(&g_stop)) {
        return;
    }
    const char *p = (const char *)payload;
    uint64_t now = port_time_monotonic_ms();
    switch (proto_classify(&g.ctx, topic, strlen(topic))) {
    case PROTO_TOPIC_START:
        on_start(p, len);
        break;
    case PROTO_TOPIC_STOP:
        on_stop(p, len);
        break;
    case PROTO_TOPIC_DISCOVER:
        on_discover(p, len, now);
        break;
    case PROTO_TOPIC_REGISTRY_SERVER:
        on_chunk(p, len, now);
        break;
    case PROTO_TOPIC_REGISTRY_STATUS:
        on_registry_status(p, len);
        break;
    case PROTO_TOPIC_OTHER:
        port_log(PORT_LOG_DEBUG, "message on %s ignored", topic);
        break;
    }
}

static void on_state(void *ctx, bool connected)
{
    (void)ctx;
    if (atomic_load(&g_stop)) {
        return;
    }
    if (connected) {
        port_log(PORT_LOG_INFO, "reconnected to the broker");
        announce(port_time_monotonic_ms());
        flush_pending_results();
    } else {
        port_log(PORT_LOG_WARN, "connection to the broker lost; reconnecting");
    }
}

/* ---- set-up, loop, shutdown ------------------------------------------------------------------------------------- */

int proplet_settle_config(port_config *cfg, char *err, size_t err_cap)
{
    if (cfg == NULL) {
        return PORT_ERR_INVAL;
    }
    if (cfg->max_concurrent_tasks > PROPLET_MAX_TASKS) {
        port_log(PORT_LOG_WARN, "PROPLET_MAX_CONCURRENT_TASKS %u is above this build's %u: using %u",
                 (unsigned)cfg->max_concurrent_tasks, (unsigned)PROPLET_MAX_TASKS, (unsigned)PROPLET_MAX_TASKS);
        cfg->max_concurrent_tasks = PROPLET_MAX_TASKS;
    }
    if (cfg->max_memory_bytes > UINT32_MAX) {
        if (err != NULL && err_cap > 0) {
            snprintf(err, err_cap, "PROPLET_MAX_MEMORY_BYTES: at most %u on this proplet", (unsigned)UINT32_MAX);
        }
        return PORT_ERR_INVAL;
    }
    return PORT_OK;
}

engine_config proplet_engine_config(const port_config *cfg)
{
    engine_config ec = {.max_memory_bytes = (uint32_t)cfg->max_memory_bytes,
                        .wasm_stack_bytes = cfg->wasm_stack_bytes,
                        .max_instances = cfg->max_concurrent_tasks};
    return ec;
}

void proplet_config_from_port(proplet_config *out, const port_config *cfg)
{
    memset(out, 0, sizeof *out);
    out->tenant_id = cfg->tenant_id;
    out->channel_id = cfg->channel_id;
    out->proplet_id = cfg->entity_id;
    out->qos = cfg->mqtt_qos;
    out->liveness_interval_ms = cfg->liveness_interval_s * 1000u;
    out->max_concurrent_tasks = cfg->max_concurrent_tasks;
    out->max_memory_bytes = (uint32_t)cfg->max_memory_bytes;
    out->task_timeout_ms = cfg->task_timeout_s > UINT32_MAX / 1000u ? UINT32_MAX : cfg->task_timeout_s * 1000u;
    out->metrics_interval_ms =
        cfg->metrics_interval_s > UINT32_MAX / 1000u ? UINT32_MAX : cfg->metrics_interval_s * 1000u;
}

int proplet_init(const proplet_config *cfg, char *err, size_t err_cap)
{
    if (cfg == NULL) {
        copy_str(err, err_cap, "no configuration");
        return PORT_ERR_INVAL;
    }
    memset(&g, 0, sizeof g);
    recent_init(&g.recent);
    const char *ns = cfg->ns != NULL && cfg->ns[0] != '\0' ? cfg->ns : "default";
    if (proto_ctx_init(&g.ctx, cfg->tenant_id != NULL ? cfg->tenant_id : "",
                       cfg->channel_id != NULL ? cfg->channel_id : "", cfg->proplet_id != NULL ? cfg->proplet_id : "",
                       ns) != PROTO_OK) {
        (void)snprintf(err, err_cap, "tenant, channel, proplet id and namespace must be 1 to %d bytes",
                       PROPLET_ID_MAX);
        return PORT_ERR_INVAL;
    }
    if (cfg->qos < 0 || cfg->qos > 2) {
        copy_str(err, err_cap, "qos must be 0, 1 or 2");
        return PORT_ERR_INVAL;
    }
    g.qos = cfg->qos;
    g.liveness_ms = cfg->liveness_interval_ms;
    g.max_memory = cfg->max_memory_bytes;
    g.task_timeout_ms = cfg->task_timeout_ms;
    g.metrics_ms = cfg->metrics_interval_ms;
    g.max_binary = cfg->max_binary_bytes != 0 ? cfg->max_binary_bytes : PROPLET_MAX_BINARY_BYTES;
    g.stack_bytes = cfg->task_stack_bytes != 0 ? cfg->task_stack_bytes : DEFAULT_TASK_STACK_BYTES;
    copy_str(g.wasm_runtime, sizeof g.wasm_runtime, cfg->wasm_runtime);
    copy_str(g.version, sizeof g.version, cfg->proplet_version);
    copy_str(g.description, sizeof g.description, cfg->description);
    copy_str(g.location, sizeof g.location, cfg->location);
    (void)port_sysinfo_get(&g.sys);

    size_t capacity = cfg->max_concurrent_tasks == 0 || cfg->max_concurrent_tasks > PROPLET_MAX_TASKS
                          ? PROPLET_MAX_TASKS
                          : cfg->max_concurrent_tasks;
    tasks_init(&g.table, capacity);
    chunks_init(&g.chunks, cfg->chunk_arena, cfg->chunk_arena_len,
                cfg->chunk_timeout_ms != 0 ? cfg->chunk_timeout_ms : DEFAULT_CHUNK_TIMEOUT_MS);

    if (proto_topic(&g.ctx, PROTO_ALIVE, g.topic_alive, sizeof g.topic_alive) < 0 ||
        proto_topic(&g.ctx, PROTO_CREATE, g.topic_create, sizeof g.topic_create) < 0 ||
        proto_topic(&g.ctx, PROTO_RESULTS, g.topic_results, sizeof g.topic_results) < 0 ||
        proto_topic(&g.ctx, PROTO_TASK_METRICS, g.topic_task_metrics, sizeof g.topic_task_metrics) < 0 ||
        proto_topic(&g.ctx, PROTO_METRICS, g.topic_metrics, sizeof g.topic_metrics) < 0 ||
        proto_topic(&g.ctx, PROTO_REGISTRY_PROPLET, g.topic_fetch, sizeof g.topic_fetch) < 0) {
        copy_str(err, err_cap, "topics do not fit PROPLET_TOPIC_MAX");
        return PORT_ERR_INVAL;
    }
    g.direct = proto_is_topic_level(g.ctx.proplet_id);
    if (proto_emit_last_will(&g.ctx, g.will, sizeof g.will) < 0) {
        copy_str(err, err_cap, "Last Will does not fit");
        return PORT_ERR_INVAL;
    }
    int rc = port_mutex_create(&g.lock);
    if (rc == PORT_OK) {
        rc = port_queue_create(&g.done, sizeof(done_item), PROPLET_MAX_TASKS);
    }
    if (rc != PORT_OK) {
        (void)snprintf(err, err_cap, "cannot create the task lock or queue: %s", port_status_str(rc));
        return rc;
    }
    if (port_process_cpu_times(&g.cpu_prev) != PORT_OK) {
        g.cpu_prev.user_us = 0;
        g.cpu_prev.system_us = 0;
    }
    g.cpu_prev_ms = port_time_monotonic_ms();
    atomic_store(&g_stop, false);
    g.initialised = true;
    return PORT_OK;
}

void proplet_request_stop(void)
{
    atomic_store(&g_stop, true);
    port_wake();
}

static int subscribe_all(void)
{
    static const char *const suffixes[] = {PROTO_START, PROTO_STOP, PROTO_DISCOVER, PROTO_REGISTRY_SERVER,
                                           PROTO_REGISTRY_STATUS};
    char topic[PROPLET_TOPIC_MAX + 1];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (proto_topic(&g.ctx, suffixes[i], topic, sizeof topic) < 0) {
            return PORT_ERR_INVAL;
        }
        int rc = port_mqtt_subscribe(topic, g.qos);
        if (rc != PORT_OK) {
            return rc;
        }
    }
    if (g.direct) {
        if (proto_topic_direct_start(&g.ctx, topic, sizeof topic) < 0) {
            return PORT_ERR_INVAL;
        }
        int rc = port_mqtt_subscribe(topic, g.qos);
        if (rc != PORT_OK) {
            return rc;
        }
        if (proto_topic_direct_stop(&g.ctx, topic, sizeof topic) < 0) {
            return PORT_ERR_INVAL;
        }
        rc = port_mqtt_subscribe(topic, g.qos);
        if (rc != PORT_OK) {
            return rc;
        }
    }
    return PORT_OK;
}

static bool sleep_unless_stopped(uint32_t ms)
{
    for (uint32_t waited = 0; waited < ms; waited += 50) {
        if (atomic_load(&g_stop)) {
            return false;
        }
        port_sleep_ms(50);
    }
    return !atomic_load(&g_stop);
}

static void shutdown_tasks(void)
{
    for (size_t i = 0; i < PROPLET_MAX_TASKS; i++) {
        app_task *t = &g.tasks[i];
        if (t->entry == NULL) {
            continue;
        }
        port_mutex_lock(g.lock);
        tasks_request_stop(t->entry);
        if (t->instance != NULL) {
            engine_request_stop(t->instance);
        }
        port_mutex_unlock(g.lock);
    }
    for (size_t i = 0; i < PROPLET_MAX_TASKS; i++) {
        app_task *t = &g.tasks[i];
        if (t->thread != NULL) {
            (void)port_thread_join(t->thread);
            t->thread = NULL;
        }
    }
    done_item item;
    while (port_queue_try_get(g.done, &item) == PORT_OK) {
    }
    for (size_t i = 0; i < PROPLET_MAX_TASKS; i++) {
        app_task *t = &g.tasks[i];
        if (t->entry != NULL) {
            port_log(PORT_LOG_INFO, "task %s stopped at shutdown", t->entry->id);
            t->worker_started = false;
            free_task(t->entry);
        }
    }
}

static void release_resources(void)
{
    port_queue_destroy(g.done);
    port_mutex_destroy(g.lock);
    g.done = NULL;
    g.lock = NULL;
    g.initialised = false;
}

int proplet_run(const port_mqtt_config *mqtt)
{
    if (!g.initialised || mqtt == NULL) {
        return PORT_ERR_INVAL;
    }
    port_mqtt_config mc = *mqtt;
    if (mc.client_id == NULL || mc.client_id[0] == '\0') {
        mc.client_id = g.ctx.proplet_id;
    }
    mc.will_topic = g.topic_alive;
    mc.will_payload = (const uint8_t *)g.will;
    mc.will_len = strlen(g.will);
    mc.will_qos = 1;
    mc.will_retain = false;
    mc.clean_session = true;
    mc.on_message = on_message;
    mc.on_state = on_state;
    mc.ctx = NULL;

    uint32_t backoff = CONNECT_BACKOFF_MIN_MS;
    for (;;) {
        if (atomic_load(&g_stop)) {
            release_resources();
            return PORT_OK;
        }
        int rc = port_mqtt_connect(&mc);
        if (rc == PORT_OK) {
            break;
        }
        if (rc == PORT_ERR_INVAL) {
            port_log(PORT_LOG_ERROR, "MQTT configuration rejected");
            release_resources();
            return rc;
        }
        port_log(PORT_LOG_WARN, "cannot connect to %s:%u (%s); retrying in %u ms", mc.host, (unsigned)mc.port,
                 port_status_str(rc), (unsigned)backoff);
        if (!sleep_unless_stopped(backoff)) {
            release_resources();
            return PORT_OK;
        }
        backoff = backoff * 2 > CONNECT_BACKOFF_MAX_MS ? CONNECT_BACKOFF_MAX_MS : backoff * 2;
    }
    port_log(PORT_LOG_INFO, "connected as %s (tenant %s, channel %s)", g.ctx.proplet_id, g.ctx.tenant,
             g.ctx.channel);
    int rc = subscribe_all();
    if (rc != PORT_OK) {
        port_log(PORT_LOG_WARN, "subscribing failed (%s); the port retries after a reconnect",
                 port_status_str(rc));
    }
    announce(port_time_monotonic_ms());
    if (g.metrics_ms > 0) {
        g.next_system_metrics_ms = port_time_monotonic_ms() + g.metrics_ms;
    }

    while (!atomic_load(&g_stop)) {
        uint64_t now = port_time_monotonic_ms();
        engine_tick();
        drain_done();
        flush_pending_results();
        chunk_assembly *a;
        while ((a = chunks_sweep(&g.chunks, now)) != NULL) {
            port_log(PORT_LOG_WARN, "binary %s: %s (%u of %u chunks)", a->app_name, a->error, (unsigned)a->received,
                     (unsigned)a->total);
            finish_waiters(a->app_name, NULL, 0, a->error);
        }
        if (g.liveness_ms > 0 && now >= g.next_heartbeat_ms) {
            if (port_mqtt_is_connected()) {
                publish_heartbeat();
            }
            g.next_heartbeat_ms = now + g.liveness_ms;
        }
        publish_task_metrics(now);
        publish_system_metrics(now);
        uint32_t timeout = tasks_count(&g.table) > 0 ? TICK_MS : IDLE_WAKE_MS;
        if (g.liveness_ms > 0) {
            uint64_t due = g.next_heartbeat_ms > now ? g.next_heartbeat_ms - now : 0;
            if (due < timeout) {
                timeout = (uint32_t)due;
            }
        }
        uint32_t metrics_due = next_metrics_in(now);
        if (metrics_due < timeout) {
            timeout = metrics_due;
        }
        if (g.metrics_ms > 0) {
            uint64_t at = port_time_monotonic_ms();
            uint64_t due = g.next_system_metrics_ms > at ? g.next_system_metrics_ms - at : 0;
            if (due < timeout) {
                timeout = (uint32_t)due;
            }
        }
        (void)port_mqtt_poll(timeout);
    }

    port_log(PORT_LOG_INFO, "shutting down: stopping %zu task(s)", tasks_count(&g.table));
    shutdown_tasks();
    port_mqtt_disconnect();
    release_resources();
    port_log(PORT_LOG_INFO, "disconnected");
    return PORT_OK;
}
