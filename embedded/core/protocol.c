#include "protocol.h"

#include <string.h>

#include "text.h"

static void set_err(char *err, size_t cap, const char *a, const char *b)
{
    if (err == NULL || cap == 0) return;
    text_buf t;
    text_init(&t, err, cap);
    text_add(&t, a);
    if (b != NULL) text_add(&t, b);
}

int proto_ctx_init(proto_ctx *ctx, const char *tenant, const char *channel, const char *proplet_id, const char *ns)
{
    memset(ctx, 0, sizeof *ctx);
    const char *vals[4] = {tenant, channel, proplet_id, ns};
    char *dst[4] = {ctx->tenant, ctx->channel, ctx->proplet_id, ctx->ns};
    for (size_t i = 0; i < 4; i++) {
        if (vals[i] == NULL || vals[i][0] == '\0') return PROTO_ERR_FIELD;
        if (!text_copy(dst[i], PROPLET_ID_MAX + 1, vals[i])) return PROTO_ERR_TOO_LONG;
    }
    return PROTO_OK;
}

bool proto_is_topic_level(const char *s)
{
    if (s == NULL || s[0] == '\0') return false;
    for (; *s != '\0'; s++) {
        if (*s == '/' || *s == '+' || *s == '#') return false;
    }
    return true;
}

static int finish_text(text_buf *t) { return t->truncated ? -1 : (int)t->len; }

static void add_prefix(text_buf *t, const proto_ctx *ctx)
{
    text_add(t, "m/");
    text_add(t, ctx->tenant);
    text_add(t, "/c/");
    text_add(t, ctx->channel);
    text_add(t, "/");
}

int proto_topic(const proto_ctx *ctx, const char *suffix, char *out, size_t cap)
{
    text_buf t;
    text_init(&t, out, cap);
    add_prefix(&t, ctx);
    text_add(&t, suffix);
    return finish_text(&t);
}

static int topic_direct(const proto_ctx *ctx, const char *suffix, char *out, size_t cap)
{
    if (!proto_is_topic_level(ctx->proplet_id)) return -1;
    text_buf t;
    text_init(&t, out, cap);
    add_prefix(&t, ctx);
    text_add(&t, suffix);
    text_add(&t, "/");
    text_add(&t, ctx->proplet_id);
    return finish_text(&t);
}

int proto_topic_direct_start(const proto_ctx *ctx, char *out, size_t cap) { return topic_direct(ctx, PROTO_START, out, cap); }
int proto_topic_direct_stop(const proto_ctx *ctx, char *out, size_t cap) { return topic_direct(ctx, PROTO_STOP, out, cap); }

/* Consumes `s` at *p if topic[*p..] starts with it. */
static bool eat(const char *topic, size_t len, size_t *p, const char *s)
{
    size_t n = strlen(s);
    if (len - *p < n || memcmp(topic + *p, s, n) != 0) return false;
    *p += n;
    return true;
}

static bool rest_is(const char *topic, size_t len, size_t p, const char *s)
{
    return len - p == strlen(s) && memcmp(topic + p, s, len - p) == 0;
}

proto_topic_kind proto_classify(const proto_ctx *ctx, const char *topic, size_t len)
{
    size_t p = 0;
    if (topic == NULL) return PROTO_TOPIC_OTHER;
    if (!eat(topic, len, &p, "m/") || !eat(topic, len, &p, ctx->tenant) || !eat(topic, len, &p, "/c/") ||
        !eat(topic, len, &p, ctx->channel) || !eat(topic, len, &p, "/")) {
        return PROTO_TOPIC_OTHER;
    }
    if (rest_is(topic, len, p, PROTO_REGISTRY_SERVER)) return PROTO_TOPIC_REGISTRY_SERVER;
    if (rest_is(topic, len, p, PROTO_REGISTRY_STATUS)) return PROTO_TOPIC_REGISTRY_STATUS;
    if (rest_is(topic, len, p, PROTO_DISCOVER)) return PROTO_TOPIC_DISCOVER;
    proto_topic_kind kinds[2] = {PROTO_TOPIC_START, PROTO_TOPIC_STOP};
    const char *sfx[2] = {PROTO_START, PROTO_STOP};
    for (size_t i = 0; i < 2; i++) {
        size_t q = p;
        if (!eat(topic, len, &q, sfx[i])) continue;
        if (q == len) return kinds[i];
        if (eat(topic, len, &q, "/") && proto_is_topic_level(ctx->proplet_id) &&
            rest_is(topic, len, q, ctx->proplet_id)) {
            return kinds[i];
        }
    }
    return PROTO_TOPIC_OTHER;
}

/* ---- parsing helpers ---- */

static int parse_root(json_doc *doc, const char *payload, size_t len, json_token *toks, size_t ntoks, char *err,
                      size_t err_cap)
{
    int r = json_parse(doc, payload, len, toks, ntoks);
    if (r != JSON_OK) {
        set_err(err, err_cap, "malformed JSON: ", json_strerror(r));
        return PROTO_ERR_JSON;
    }
    if (toks[0].type != JSON_OBJECT) {
        set_err(err, err_cap, "payload is not a JSON object", NULL);
        return PROTO_ERR_JSON;
    }
    return PROTO_OK;
}

/* Optional string field: absent or null → "" and OK. */
static int opt_string(const json_doc *doc, const char *key, char *out, size_t cap, char *err, size_t err_cap)
{
    out[0] = '\0';
    int v = json_find(doc, 0, key);
    if (v < 0 || json_is_null(doc, v)) return PROTO_OK;
    int r = json_get_string(doc, v, out, cap, NULL);
    if (r == JSON_ERR_TOO_LONG) {
        set_err(err, err_cap, "field too long: ", key);
        return PROTO_ERR_TOO_LONG;
    }
    if (r != JSON_OK) {
        set_err(err, err_cap, "field is not a string: ", key);
        return PROTO_ERR_FIELD;
    }
    return PROTO_OK;
}

/* Optional bool: absent or null → false. */
static int opt_bool(const json_doc *doc, const char *key, bool *out, char *err, size_t err_cap)
{
    *out = false;
    int v = json_find(doc, 0, key);
    if (v < 0 || json_is_null(doc, v)) return PROTO_OK;
    if (json_get_bool(doc, v, out) != JSON_OK) {
        set_err(err, err_cap, "field is not a boolean: ", key);
        return PROTO_ERR_FIELD;
    }
    return PROTO_OK;
}

static int required_int(const json_doc *doc, const char *key, int64_t *out, char *err, size_t err_cap)
{
    int v = json_find(doc, 0, key);
    if (v < 0) {
        set_err(err, err_cap, "missing field: ", key);
        return PROTO_ERR_FIELD;
    }
    if (json_get_int64(doc, v, out) != JSON_OK) {
        set_err(err, err_cap, "field is not an integer: ", key);
        return PROTO_ERR_FIELD;
    }
    return PROTO_OK;
}

#define TRY(expr)                  \
    do {                           \
        int r_ = (expr);           \
        if (r_ != PROTO_OK) return r_; \
    } while (0)

static int parse_inputs(const json_doc *doc, proto_start *out, char *err, size_t err_cap)
{
    int arr = json_find(doc, 0, "inputs");
    if (arr < 0 || json_is_null(doc, arr)) return PROTO_OK;
    if (doc->toks[arr].type != JSON_ARRAY) {
        set_err(err, err_cap, "field is not an array: inputs", NULL);
        return PROTO_ERR_FIELD;
    }
    if (doc->toks[arr].count > PROPLET_MAX_INPUTS) {
        set_err(err, err_cap, "too many inputs", NULL);
        return PROTO_ERR_TOO_LONG;
    }
    int e = json_first(doc, arr);
    for (uint32_t k = 0; k < doc->toks[arr].count; k++, e = json_next(doc, e)) {
        const json_token *t = &doc->toks[e];
        char *dst = out->inputs[k];
        size_t cap = sizeof out->inputs[k];
        int r = JSON_OK;
        if (t->type == JSON_STRING) {
            r = json_get_string(doc, e, dst, cap, NULL);
        } else if (t->type == JSON_NUMBER || t->type == JSON_TRUE || t->type == JSON_FALSE) {
            if (t->len >= cap) {
                r = JSON_ERR_TOO_LONG;
            } else {
                memcpy(dst, doc->js + t->start, t->len);
                dst[t->len] = '\0';
            }
        } else {
            set_err(err, err_cap, "inputs must be strings, numbers or booleans", NULL);
            return PROTO_ERR_FIELD;
        }
        if (r != JSON_OK) {
            set_err(err, err_cap, "input too long", NULL);
            return PROTO_ERR_TOO_LONG;
        }
        out->n_inputs = k + 1u;
    }
    return PROTO_OK;
}

static void parse_env(const json_doc *doc, proto_start *out)
{
    int obj = json_find(doc, 0, "env");
    if (obj < 0 || doc->toks[obj].type != JSON_OBJECT) return;
    int k = json_first(doc, obj);
    for (uint32_t m = 0; m < doc->toks[obj].count; m++) {
        int v = json_next(doc, k);
        proto_env *dst = &out->env[out->n_env];
        bool kept = out->n_env < PROPLET_MAX_ENV && doc->toks[v].type == JSON_STRING &&
                    json_get_string(doc, k, dst->key, sizeof dst->key, NULL) == JSON_OK &&
                    json_get_string(doc, v, dst->value, sizeof dst->value, NULL) == JSON_OK;
        if (kept) {
            out->n_env++;
        } else {
            if (out->n_env < PROPLET_MAX_ENV) memset(dst, 0, sizeof *dst);
            out->env_ignored++;
        }
        k = json_next(doc, v);
    }
}

/* A bool member of object obj: absent or null leaves *out; another type is an error naming field. */
static int member_bool(const json_doc *doc, int obj, const char *key, const char *field, bool *out, char *err,
                       size_t err_cap)
{
    int v = json_find(doc, obj, key);
    if (v < 0 || json_is_null(doc, v)) return PROTO_OK;
    if (json_get_bool(doc, v, out) != JSON_OK) {
        set_err(err, err_cap, "field is not a boolean: ", field);
        return PROTO_ERR_FIELD;
    }
    return PROTO_OK;
}

#define MONITORING_NS_THRESHOLD 1000000u
#define MONITORING_MIN_MS 1000u
#define MONITORING_MAX_MS 86400000u

/* monitoring_profile: only the fields that decide whether, how often and with which aggregate the proplet
 * publishes task metrics (collect_* are not read: this proplet measures only what it reports anyway). */
static int parse_monitoring(const json_doc *doc, proto_start *out, char *err, size_t err_cap)
{
    out->monitoring_export = true;
    out->monitoring_history = true;
    int obj = json_find(doc, 0, "monitoring_profile");
    if (obj < 0 || json_is_null(doc, obj)) return PROTO_OK;
    if (doc->toks[obj].type != JSON_OBJECT) {
        set_err(err, err_cap, "field is not an object: monitoring_profile", NULL);
        return PROTO_ERR_FIELD;
    }
    out->has_monitoring = true;
    bool enabled = true;
    bool export_mqtt = true;
    bool retain = true;
    TRY(member_bool(doc, obj, "enabled", "monitoring_profile.enabled", &enabled, err, err_cap));
    TRY(member_bool(doc, obj, "export_to_mqtt", "monitoring_profile.export_to_mqtt", &export_mqtt, err, err_cap));
    TRY(member_bool(doc, obj, "retain_history", "monitoring_profile.retain_history", &retain, err, err_cap));
    out->monitoring_export = enabled && export_mqtt;
    int h = json_find(doc, obj, "history_size");
    if (h >= 0 && !json_is_null(doc, h)) {
        int64_t size = 0;
        int r = json_get_int64(doc, h, &size);
        if (r != JSON_OK && r != JSON_ERR_RANGE) {
            set_err(err, err_cap, "field is not an integer: monitoring_profile.history_size", NULL);
            return PROTO_ERR_FIELD;
        }
        if (r == JSON_OK && size < 1) {
            retain = false;
        }
    }
    out->monitoring_history = retain;
    int iv = json_find(doc, obj, "interval");
    if (iv >= 0 && !json_is_null(doc, iv)) {
        int64_t v = 0;
        int r = json_get_int64(doc, iv, &v);
        bool huge = r == JSON_ERR_RANGE && doc->js[doc->toks[iv].start] != '-';
        if ((r != JSON_OK && !huge) || (r == JSON_OK && v < 0)) {
            set_err(err, err_cap, "field is not an unsigned integer: monitoring_profile.interval", NULL);
            return PROTO_ERR_FIELD;
        }
        uint64_t ms = huge ? UINT64_MAX
                           : (uint64_t)v >= MONITORING_NS_THRESHOLD ? (uint64_t)v / 1000000u : (uint64_t)v * 1000u;
        out->monitoring_interval_ms = ms < MONITORING_MIN_MS   ? MONITORING_MIN_MS
                                      : ms > MONITORING_MAX_MS ? MONITORING_MAX_MS
                                                               : (uint32_t)ms;
    }
    return PROTO_OK;
}

int proto_parse_start(const char *payload, size_t len, json_token *toks, size_t ntoks, proto_start *out, char *err,
                      size_t err_cap)
{
    json_doc doc;
    memset(out, 0, sizeof *out);
    set_err(err, err_cap, "", NULL);
    TRY(parse_root(&doc, payload, len, toks, ntoks, err, err_cap));
    TRY(opt_string(&doc, "id", out->id, sizeof out->id, err, err_cap));
    TRY(opt_string(&doc, "name", out->name, sizeof out->name, err, err_cap));
    TRY(opt_string(&doc, "image_url", out->image_url, sizeof out->image_url, err, err_cap));
    TRY(opt_string(&doc, "proplet_id", out->proplet_id, sizeof out->proplet_id, err, err_cap));
    TRY(opt_bool(&doc, "broadcast", &out->broadcast, err, err_cap));
    TRY(opt_bool(&doc, "daemon", &out->daemon, err, err_cap));
    TRY(opt_bool(&doc, "latent", &out->latent, err, err_cap));
    int f = json_find(&doc, 0, "file");
    if (f >= 0 && !json_is_null(&doc, f)) {
        if (toks[f].type != JSON_STRING) {
            set_err(err, err_cap, "field is not a string: file", NULL);
            return PROTO_ERR_FIELD;
        }
        out->file_off = toks[f].start;
        out->file_len = toks[f].len;
        out->has_file = toks[f].len > 0;
    }
    int tm = json_find(&doc, 0, "timeout_ms");
    if (tm >= 0 && !json_is_null(&doc, tm)) {
        int64_t v = 0;
        if (json_get_int64(&doc, tm, &v) != JSON_OK) {
            set_err(err, err_cap, "field is not an integer: timeout_ms", NULL);
            return PROTO_ERR_FIELD;
        }
        out->timeout_ms = v > 0 ? v : 0;
    }
    TRY(parse_inputs(&doc, out, err, err_cap));
    parse_env(&doc, out);
    TRY(parse_monitoring(&doc, out, err, err_cap));
    if (out->id[0] == '\0') {
        set_err(err, err_cap, "start without id", NULL);
        return PROTO_ERR_FIELD;
    }
    if (out->name[0] == '\0') {
        set_err(err, err_cap, "start without name", NULL);
        return PROTO_ERR_FIELD;
    }
    if (!out->has_file && out->image_url[0] == '\0') {
        set_err(err, err_cap, "start without file or image_url", NULL);
        return PROTO_ERR_FIELD;
    }
    return PROTO_OK;
}

int proto_parse_stop(const char *payload, size_t len, json_token *toks, size_t ntoks, proto_stop *out, char *err,
                     size_t err_cap)
{
    json_doc doc;
    memset(out, 0, sizeof *out);
    set_err(err, err_cap, "", NULL);
    TRY(parse_root(&doc, payload, len, toks, ntoks, err, err_cap));
    TRY(opt_string(&doc, "id", out->id, sizeof out->id, err, err_cap));
    TRY(opt_string(&doc, "proplet_id", out->proplet_id, sizeof out->proplet_id, err, err_cap));
    TRY(opt_bool(&doc, "broadcast", &out->broadcast, err, err_cap));
    if (out->id[0] == '\0') {
        set_err(err, err_cap, "stop without id", NULL);
        return PROTO_ERR_FIELD;
    }
    return PROTO_OK;
}

int proto_parse_chunk(const char *payload, size_t len, json_token *toks, size_t ntoks, proto_chunk *out, char *err,
                      size_t err_cap)
{
    json_doc doc;
    memset(out, 0, sizeof *out);
    set_err(err, err_cap, "", NULL);
    TRY(parse_root(&doc, payload, len, toks, ntoks, err, err_cap));
    TRY(opt_string(&doc, "app_name", out->app_name, sizeof out->app_name, err, err_cap));
    if (out->app_name[0] == '\0') {
        set_err(err, err_cap, "chunk without app_name", NULL);
        return PROTO_ERR_FIELD;
    }
    TRY(opt_string(&doc, "digest", out->digest, sizeof out->digest, err, err_cap));
    TRY(required_int(&doc, "chunk_idx", &out->msg.chunk_idx, err, err_cap));
    TRY(required_int(&doc, "total_chunks", &out->msg.total_chunks, err, err_cap));
    int d = json_find(&doc, 0, "data");
    if (d >= 0 && toks[d].type == JSON_STRING) {
        out->msg.data = payload + toks[d].start;
        out->msg.data_len = toks[d].len;
    } else if (d >= 0 && !json_is_null(&doc, d)) {
        set_err(err, err_cap, "field is not a string: data", NULL);
        return PROTO_ERR_FIELD;
    }
    out->msg.app_name = out->app_name;
    out->msg.digest = out->digest;
    return PROTO_OK;
}

int proto_parse_registry_status(const char *payload, size_t len, json_token *toks, size_t ntoks,
                                proto_registry_status *out, char *err, size_t err_cap)
{
    json_doc doc;
    memset(out, 0, sizeof *out);
    set_err(err, err_cap, "", NULL);
    TRY(parse_root(&doc, payload, len, toks, ntoks, err, err_cap));
    TRY(opt_string(&doc, "app_name", out->app_name, sizeof out->app_name, err, err_cap));
    if (out->app_name[0] == '\0') {
        set_err(err, err_cap, "registry status without app_name", NULL);
        return PROTO_ERR_FIELD;
    }
    TRY(opt_string(&doc, "digest", out->digest, sizeof out->digest, err, err_cap));
    TRY(opt_bool(&doc, "unchanged", &out->unchanged, err, err_cap));
    int e = json_find(&doc, 0, "error");
    if (e >= 0 && !json_is_null(&doc, e)) {
        if (json_get_string_trunc(&doc, e, out->error, sizeof out->error) != JSON_OK) {
            set_err(err, err_cap, "field is not a string: error", NULL);
            return PROTO_ERR_FIELD;
        }
        out->has_error = out->error[0] != '\0';
    }
    return PROTO_OK;
}

static bool targets(bool broadcast, const char *proplet_id, const char *my_id)
{
    return broadcast || proplet_id[0] == '\0' || (my_id != NULL && strcmp(proplet_id, my_id) == 0);
}

bool proto_start_is_for_me(const proto_start *s, const char *my_id) { return targets(s->broadcast, s->proplet_id, my_id); }
bool proto_stop_is_for_me(const proto_stop *s, const char *my_id) { return targets(s->broadcast, s->proplet_id, my_id); }

/* ---- emitters ---- */

static int done(json_writer *w)
{
    long n = json_w_finish(w);
    return n < 0 || n > (long)INT32_MAX ? -1 : (int)n;
}

/* "key":"value" — the pair every emitter writes most. */
static void str_field(json_writer *w, const char *key, const char *v)
{
    json_w_key(w, key);
    json_w_string(w, v);
}

static void opt_field(json_writer *w, const char *key, const char *v)
{
    if (v != NULL && v[0] != '\0') {
        str_field(w, key, v);
    }
}

int proto_emit_discovery(const proto_ctx *ctx, const proto_metadata *md, char *out, size_t cap)
{
    json_writer w;
    json_w_init(&w, out, cap);
    json_w_begin_object(&w);
    str_field(&w, "proplet_id", ctx->proplet_id);
    str_field(&w, "namespace", ctx->ns);
    json_w_key(&w, "metadata");
    json_w_begin_object(&w);
    if (md != NULL) {
        opt_field(&w, "description", md->description);
        if (md->n_tags > 0 && md->tags != NULL) {
            json_w_key(&w, "tags");
            json_w_begin_array(&w);
            for (size_t i = 0; i < md->n_tags; i++) json_w_string(&w, md->tags[i] != NULL ? md->tags[i] : "");
            json_w_end_array(&w);
        }
        opt_field(&w, "location", md->location);
        opt_field(&w, "ip", md->ip);
    }
    str_field(&w, "environment", "embedded");
    if (md != NULL) {
        opt_field(&w, "os", md->os);
        opt_field(&w, "hostname", md->hostname);
        opt_field(&w, "cpu_arch", md->cpu_arch);
        if (md->total_memory_bytes != 0) {
            json_w_key(&w, "total_memory_bytes");
            json_w_uint64(&w, md->total_memory_bytes);
        }
        opt_field(&w, "proplet_version", md->proplet_version);
        opt_field(&w, "wasm_runtime", md->wasm_runtime);
    }
    json_w_end_object(&w);
    if (proto_is_topic_level(ctx->proplet_id)) {
        json_w_key(&w, "direct_control");
        json_w_bool(&w, true);
    }
    json_w_end_object(&w);
    return done(&w);
}

int proto_emit_heartbeat(const proto_ctx *ctx, char *out, size_t cap)
{
    json_writer w;
    json_w_init(&w, out, cap);
    json_w_begin_object(&w);
    str_field(&w, "proplet_id", ctx->proplet_id);
    str_field(&w, "status", "alive");
    str_field(&w, "namespace", ctx->ns);
    json_w_end_object(&w);
    return done(&w);
}

int proto_emit_last_will(const proto_ctx *ctx, char *out, size_t cap)
{
    json_writer w;
    json_w_init(&w, out, cap);
    json_w_begin_object(&w);
    str_field(&w, "status", "offline");
    str_field(&w, "proplet_id", ctx->proplet_id);
    str_field(&w, "namespace", ctx->ns);
    json_w_end_object(&w);
    return done(&w);
}

/* A result; with finished_at (non-NULL) also "replayed":true and "finished_at", after "error" as the .NET
 * proplet's ResultMessage orders them. */
static int emit_result(const proto_ctx *ctx, const char *task_id, const char *results, const char *error,
                       const char *finished_at, char *out, size_t cap)
{
    json_writer w;
    json_w_init(&w, out, cap);
    json_w_begin_object(&w);
    str_field(&w, "task_id", task_id);
    str_field(&w, "proplet_id", ctx->proplet_id);
    str_field(&w, "results", error == NULL && results != NULL ? results : "");
    json_w_key(&w, "error");
    if (error == NULL) {
        json_w_null(&w);
    } else {
        json_w_string(&w, error);
    }
    if (finished_at != NULL) {
        json_w_key(&w, "replayed");
        json_w_bool(&w, true);
        str_field(&w, "finished_at", finished_at);
    }
    json_w_end_object(&w);
    return done(&w);
}

int proto_emit_result(const proto_ctx *ctx, const char *task_id, const char *results, const char *error, char *out,
                      size_t cap)
{
    return emit_result(ctx, task_id, results, error, NULL, out, cap);
}

int proto_emit_replayed_result(const proto_ctx *ctx, const char *task_id, const char *results, const char *error,
                               const char *finished_at, char *out, size_t cap)
{
    return emit_result(ctx, task_id, results, error, finished_at != NULL ? finished_at : "", out, cap);
}

int proto_emit_task_metrics(const proto_ctx *ctx, const char *task_id, const char *timestamp,
                            const proto_process_metrics *m, const proto_aggregated_metrics *ag, char *out, size_t cap)
{
    json_writer w;
    json_w_init(&w, out, cap);
    json_w_begin_object(&w);
    str_field(&w, "task_id", task_id);
    str_field(&w, "proplet_id", ctx->proplet_id);
    str_field(&w, "timestamp", timestamp != NULL ? timestamp : "");
    json_w_key(&w, "metrics");
    json_w_begin_object(&w);
    json_w_key(&w, "cpu_percent");
    json_w_decimal(&w, m->cpu_percent_x100, 2);
    json_w_key(&w, "memory_bytes");
    json_w_uint64(&w, m->memory_bytes);
    json_w_key(&w, "memory_percent");
    json_w_decimal(&w, m->memory_percent_x100, 2);
    json_w_key(&w, "disk_read_bytes");
    json_w_uint64(&w, m->disk_read_bytes);
    json_w_key(&w, "disk_write_bytes");
    json_w_uint64(&w, m->disk_write_bytes);
    json_w_key(&w, "uptime_seconds");
    json_w_uint64(&w, m->uptime_seconds);
    json_w_key(&w, "thread_count");
    json_w_uint64(&w, m->thread_count);
    json_w_key(&w, "file_descriptor_count");
    json_w_uint64(&w, m->file_descriptor_count);
    json_w_end_object(&w);
    json_w_key(&w, "aggregated");
    if (ag == NULL) {
        json_w_null(&w);
    } else {
        json_w_begin_object(&w);
        json_w_key(&w, "avg_cpu_usage");
        json_w_decimal(&w, ag->avg_cpu_usage_x100, 2);
        json_w_key(&w, "max_cpu_usage");
        json_w_decimal(&w, ag->max_cpu_usage_x100, 2);
        json_w_key(&w, "avg_memory_usage");
        json_w_uint64(&w, ag->avg_memory_usage);
        json_w_key(&w, "max_memory_usage");
        json_w_uint64(&w, ag->max_memory_usage);
        json_w_key(&w, "total_disk_read");
        json_w_uint64(&w, ag->total_disk_read);
        json_w_key(&w, "total_disk_write");
        json_w_uint64(&w, ag->total_disk_write);
        json_w_key(&w, "sample_count");
        json_w_uint64(&w, ag->sample_count);
        json_w_end_object(&w);
    }
    json_w_end_object(&w);
    return done(&w);
}

int64_t proto_cpu_percent_x100(uint64_t cpu_us, uint64_t wall_ms)
{
    if (wall_ms == 0) {
        return 0;
    }
    /* percent × 100 = cpu_us × 10 / wall_ms */
    if (cpu_us > (UINT64_MAX - wall_ms / 2u) / 10u) {
        return INT64_MAX;
    }
    uint64_t v = (cpu_us * 10u + wall_ms / 2u) / wall_ms;
    return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* Microseconds as seconds with 6 decimals. */
static void seconds_us(json_writer *w, uint64_t us)
{
    json_w_decimal(w, us > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)us, 6);
}

int proto_emit_system_metrics(const proto_ctx *ctx, const char *timestamp, const proto_system_metrics *m, char *out,
                              size_t cap)
{
    json_writer w;
    json_w_init(&w, out, cap);
    json_w_begin_object(&w);
    str_field(&w, "proplet_id", ctx->proplet_id);
    str_field(&w, "namespace", ctx->ns);
    str_field(&w, "timestamp", timestamp != NULL ? timestamp : "");
    json_w_key(&w, "cpu_metrics");
    json_w_begin_object(&w);
    json_w_key(&w, "user_seconds");
    seconds_us(&w, m->cpu_user_us);
    json_w_key(&w, "system_seconds");
    seconds_us(&w, m->cpu_system_us);
    json_w_key(&w, "percent");
    json_w_decimal(&w, m->cpu_percent_x100, 2);
    json_w_end_object(&w);
    json_w_key(&w, "memory_metrics");
    json_w_begin_object(&w);
    json_w_key(&w, "rss_bytes");
    json_w_uint64(&w, m->rss_bytes);
    json_w_key(&w, "heap_alloc_bytes");
    json_w_uint64(&w, 0);
    json_w_key(&w, "heap_sys_bytes");
    json_w_uint64(&w, 0);
    json_w_key(&w, "heap_inuse_bytes");
    json_w_uint64(&w, 0);
    json_w_end_object(&w);
    json_w_end_object(&w);
    return done(&w);
}

int proto_emit_fetch_request(const char *app_name, const char *digest, char *out, size_t cap)
{
    json_writer w;
    json_w_init(&w, out, cap);
    json_w_begin_object(&w);
    str_field(&w, "app_name", app_name);
    opt_field(&w, "digest", digest);
    json_w_end_object(&w);
    return done(&w);
}
