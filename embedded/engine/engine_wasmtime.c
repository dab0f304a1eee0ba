/*
 * engine.h on Wasmtime (host build). One wasm_engine_t per process with epoch interruption on; one store per
 * instance carrying that instance's memory limit and an epoch-deadline callback that ends the call when the
 * instance's stop flag is set or its wall-clock deadline has passed. engine_request_stop and engine_tick bump the
 * engine epoch, so every running call re-checks its flags at its next loop header or function entry.
 */
#define _POSIX_C_SOURCE 200809L

#include "engine.h"
#include "wasmtime_capi.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WASM_PAGE 65536u

struct engine_module {
    wasmtime_module_t *module;
};

struct engine_instance {
    wasmtime_store_t *store;
    wasmtime_context_t *ctx;
    wasmtime_instance_t instance;
    atomic_bool stop;
    uint32_t max_memory_bytes;
    uint32_t timeout_ms;
    int64_t deadline_ns; /* 0 = none; read and written on the calling thread only */
    bool timed_out;
    engine_host host;
};

static struct {
    wasm_engine_t *engine;
    wasmtime_linker_t *linker;
    uint32_t max_memory_bytes;
    uint32_t max_instances;
    atomic_uint live_instances;
} g_engine;

static const char *const k_fallbacks[] = {"main", "run", "_start"};

/* ---- small helpers ---------------------------------------------------------------------------------------- */

static void set_text(char *buf, size_t cap, const char *text)
{
    if (buf != NULL && cap > 0) {
        snprintf(buf, cap, "%s", text);
    }
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + (int64_t)ts.tv_nsec;
}

/* Condenses Wasmtime's "context\n\nCaused by:\n    0: a\n    1: b" into "context: a: b" (backtrace context dropped),
 * like the .NET proplet's WasmtimeErrorText. */
static void condense(const char *raw, size_t len, char *out, size_t cap)
{
    static const char caused_by[] = "\n\nCaused by:\n";
    static const char backtrace[] = "error while executing at wasm backtrace:";
    size_t used = 0;
    out[0] = '\0';
    while (len > 0 && (raw[len - 1] == '\0' || raw[len - 1] == '\n' || raw[len - 1] == ' ')) {
        len--;
    }
    size_t split = len;
    for (size_t i = 0; i + sizeof caused_by - 1 <= len; i++) {
        if (memcmp(raw + i, caused_by, sizeof caused_by - 1) == 0) {
            split = i;
            break;
        }
    }
    bool head_is_backtrace = split < len && split >= sizeof backtrace - 1 &&
                             memcmp(raw, backtrace, sizeof backtrace - 1) == 0;
    if (split == len || !head_is_backtrace) {
        size_t n = split < cap - 1 ? split : cap - 1;
        memcpy(out, raw, n);
        used = n;
    }
    if (split == len) {
        out[used] = '\0';
        return;
    }
    size_t pos = split + sizeof caused_by - 1;
    while (pos < len) {
        size_t end = pos;
        while (end < len && raw[end] != '\n') {
            end++;
        }
        size_t s = pos;
        while (s < end && raw[s] == ' ') {
            s++;
        }
        size_t d = s;
        while (d < end && raw[d] >= '0' && raw[d] <= '9') {
            d++;
        }
        if (d > s && d < end && raw[d] == ':') {
            s = d + 1;
            while (s < end && raw[s] == ' ') {
                s++;
            }
        }
        size_t e = end;
        while (e > s && raw[e - 1] == ' ') {
            e--;
        }
        if (e > s && used + 2 < cap) {
            if (used > 0) {
                out[used++] = ':';
                out[used++] = ' ';
            }
            size_t n = e - s;
            if (n > cap - 1 - used) {
                n = cap - 1 - used;
            }
            memcpy(out + used, raw + s, n);
            used += n;
        }
        pos = end + 1;
    }
    out[used] = '\0';
}

static void error_text(wasmtime_error_t *error, char *out, size_t cap)
{
    wasm_name_t msg;
    wasmtime_error_message(error, &msg);
    condense(msg.data, msg.size, out, cap);
    wasm_byte_vec_delete(&msg);
}

static void trap_text(wasm_trap_t *trap, char *out, size_t cap)
{
    wasm_message_t msg;
    wasm_trap_message(trap, &msg);
    condense(msg.data, msg.size, out, cap);
    wasm_byte_vec_delete(&msg);
}

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay != '\0'; hay++) {
        size_t i = 0;
        while (i < n && hay[i] != '\0' &&
               (hay[i] | 0x20) == (needle[i] | 0x20)) {
            i++;
        }
        if (i == n) {
            return true;
        }
    }
    return false;
}

static bool instantiation_over_limit(const char *error)
{
    return contains_ci(error, "exceeds memory limits") ||
           (contains_ci(error, "memory") && contains_ci(error, "exceeds the limit"));
}

/* ---- host functions (module "env") ------------------------------------------------------------------------ */

static wasm_trap_t *trap_with(const char *text)
{
    return wasmtime_trap_new(text, strlen(text));
}

/* Resolves [ptr, ptr+len) in the caller's exported memory, or NULL with *trap set. */
static uint8_t *guest_range(wasmtime_caller_t *caller, int32_t ptr, int32_t len, wasm_trap_t **trap)
{
    wasmtime_extern_t item;
    if (!wasmtime_caller_export_get(caller, "memory", 6, &item) || item.kind != WASMTIME_EXTERN_MEMORY) {
        *trap = trap_with("env host function: the module exports no memory \"memory\"");
        return NULL;
    }
    wasmtime_context_t *ctx = wasmtime_caller_context(caller);
    size_t size = wasmtime_memory_data_size(ctx, &item.of.memory);
    if (ptr < 0 || len < 0 || (size_t)ptr > size || (size_t)len > size - (size_t)ptr) {
        *trap = trap_with("env host function: guest pointer out of bounds");
        return NULL;
    }
    return wasmtime_memory_data(ctx, &item.of.memory) + ptr;
}

static struct engine_instance *caller_instance(wasmtime_caller_t *caller)
{
    return (struct engine_instance *)wasmtime_context_get_data(wasmtime_caller_context(caller));
}

static wasm_trap_t *copy_out(wasmtime_caller_t *caller, const char *text, int32_t ptr, int32_t cap,
                             wasmtime_val_t *result)
{
    size_t len = strlen(text);
    result->kind = WASMTIME_I32;
    if (cap < 0) {
        return trap_with("env host function: guest buffer out of bounds (negative capacity)");
    }
    if (len > (size_t)cap) {
        result->of.i32 = -1;
        return NULL;
    }
    wasm_trap_t *trap = NULL;
    uint8_t *dst = guest_range(caller, ptr, (int32_t)len, &trap);
    if (dst == NULL) {
        return trap;
    }
    memcpy(dst, text, len);
    result->of.i32 = (int32_t)len;
    return NULL;
}

static wasm_trap_t *host_get_proplet_id(void *env, wasmtime_caller_t *caller, const wasmtime_val_t *args,
                                        size_t nargs, wasmtime_val_t *results, size_t nresults)
{
    (void)env;
    (void)nargs;
    (void)nresults;
    struct engine_instance *inst = caller_instance(caller);
    const char *id = inst->host.proplet_id != NULL ? inst->host.proplet_id : "";
    return copy_out(caller, id, args[0].of.i32, args[1].of.i32, &results[0]);
}

static wasm_trap_t *host_get_input(void *env, wasmtime_caller_t *caller, const wasmtime_val_t *args, size_t nargs,
                                   wasmtime_val_t *results, size_t nresults)
{
    (void)env;
    (void)nargs;
    (void)nresults;
    struct engine_instance *inst = caller_instance(caller);
    int32_t index = args[0].of.i32;
    if (index < 0 || (size_t)index >= inst->host.input_count || inst->host.inputs == NULL ||
        inst->host.inputs[index] == NULL) {
        results[0].kind = WASMTIME_I32;
        results[0].of.i32 = -2;
        return NULL;
    }
    return copy_out(caller, inst->host.inputs[index], args[1].of.i32, args[2].of.i32, &results[0]);
}

static wasm_trap_t *host_log(void *env, wasmtime_caller_t *caller, const wasmtime_val_t *args, size_t nargs,
                             wasmtime_val_t *results, size_t nresults)
{
    (void)env;
    (void)nargs;
    (void)results;
    (void)nresults;
    struct engine_instance *inst = caller_instance(caller);
    wasm_trap_t *trap = NULL;
    const uint8_t *src = guest_range(caller, args[0].of.i32, args[1].of.i32, &trap);
    if (src == NULL) {
        return trap;
    }
    size_t len = (size_t)args[1].of.i32;
    if (len > ENGINE_LOG_MAX) {
        len = ENGINE_LOG_MAX;
    }
    if (inst->host.log != NULL) {
        char copy[ENGINE_LOG_MAX + 1];
        memcpy(copy, src, len);
        copy[len] = '\0';
        inst->host.log(inst->host.log_user, copy, len);
    }
    return NULL;
}

static wasm_functype_t *functype_i32(size_t nparams, size_t nresults)
{
    wasm_valtype_t *params[3];
    wasm_valtype_t *results[1];
    for (size_t i = 0; i < nparams; i++) {
        params[i] = wasm_valtype_new(WASM_I32);
    }
    for (size_t i = 0; i < nresults; i++) {
        results[i] = wasm_valtype_new(WASM_I32);
    }
    wasm_valtype_vec_t p;
    wasm_valtype_vec_t r;
    wasm_valtype_vec_new(&p, nparams, params);
    if (nresults > 0) {
        wasm_valtype_vec_new(&r, nresults, results);
    } else {
        wasm_valtype_vec_new_empty(&r);
    }
    return wasm_functype_new(&p, &r);
}

static bool define_host(const char *name, size_t nparams, size_t nresults, wasmtime_func_callback_t cb)
{
    wasm_functype_t *type = functype_i32(nparams, nresults);
    wasmtime_error_t *error =
        wasmtime_linker_define_func(g_engine.linker, "env", 3, name, strlen(name), type, cb, NULL, NULL);
    wasm_functype_delete(type);
    if (error != NULL) {
        wasmtime_error_delete(error);
        return false;
    }
    return true;
}

/* ---- engine ----------------------------------------------------------------------------------------------- */

engine_status engine_init(const engine_config *config)
{
    if (g_engine.engine != NULL) {
        return ENGINE_ERR_ARGUMENT;
    }
    uint32_t stack = config != NULL && config->wasm_stack_bytes != 0 ? config->wasm_stack_bytes
                                                                     : ENGINE_DEFAULT_WASM_STACK_BYTES;
    g_engine.max_memory_bytes = config != NULL && config->max_memory_bytes != 0 ? config->max_memory_bytes
                                                                               : ENGINE_DEFAULT_MAX_MEMORY_BYTES;
    g_engine.max_instances = config != NULL && config->max_instances != 0 ? config->max_instances
                                                                         : ENGINE_DEFAULT_MAX_INSTANCES;
    atomic_store(&g_engine.live_instances, 0);

    wasm_config_t *cfg = wasm_config_new();
    if (cfg == NULL) {
        return ENGINE_ERR_ARGUMENT;
    }
    wasmtime_config_epoch_interruption_set(cfg, true);
    wasmtime_config_max_wasm_stack_set(cfg, stack);
    g_engine.engine = wasm_engine_new_with_config(cfg);
    if (g_engine.engine == NULL) {
        return ENGINE_ERR_ARGUMENT;
    }
    g_engine.linker = wasmtime_linker_new(g_engine.engine);
    if (g_engine.linker == NULL || !define_host("get_proplet_id", 2, 1, host_get_proplet_id) ||
        !define_host("get_input", 3, 1, host_get_input) || !define_host("log", 2, 0, host_log)) {
        engine_shutdown();
        return ENGINE_ERR_ARGUMENT;
    }
    return ENGINE_OK;
}

void engine_shutdown(void)
{
    if (g_engine.linker != NULL) {
        wasmtime_linker_delete(g_engine.linker);
        g_engine.linker = NULL;
    }
    if (g_engine.engine != NULL) {
        wasm_engine_delete(g_engine.engine);
        g_engine.engine = NULL;
    }
}

void engine_tick(void)
{
    if (g_engine.engine != NULL) {
        wasmtime_engine_increment_epoch(g_engine.engine);
    }
}

/* ---- modules ---------------------------------------------------------------------------------------------- */

engine_module *engine_load(const uint8_t *bytes, size_t len, char *err, size_t errcap)
{
    char text[512];
    if (g_engine.engine == NULL) {
        set_text(err, errcap, "engine not initialised");
        return NULL;
    }
    if (bytes == NULL || len == 0) {
        set_text(err, errcap, "Failed to compile Wasmtime module from binary: empty module");
        return NULL;
    }
    wasmtime_error_t *error = wasmtime_module_validate(g_engine.engine, bytes, len);
    wasmtime_module_t *module = NULL;
    if (error == NULL) {
        error = wasmtime_module_new(g_engine.engine, bytes, len, &module);
    }
    if (error != NULL) {
        error_text(error, text, sizeof text);
        wasmtime_error_delete(error);
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Failed to compile Wasmtime module from binary: %s", text);
        }
        return NULL;
    }
    engine_module *handle = calloc(1, sizeof *handle);
    if (handle == NULL) {
        wasmtime_module_delete(module);
        set_text(err, errcap, "out of host memory");
        return NULL;
    }
    handle->module = module;
    return handle;
}

void engine_unload(engine_module *module)
{
    if (module != NULL) {
        wasmtime_module_delete(module->module);
        free(module);
    }
}

/* ---- instances -------------------------------------------------------------------------------------------- */

static wasmtime_error_t *on_epoch(wasmtime_context_t *ctx, void *data, uint64_t *delta,
                                  wasmtime_update_deadline_kind_t *kind)
{
    (void)ctx;
    struct engine_instance *inst = data;
    if (atomic_load(&inst->stop)) {
        return wasmtime_error_new(ENGINE_STOPPED_TEXT);
    }
    if (inst->deadline_ns != 0 && now_ns() >= inst->deadline_ns) {
        inst->timed_out = true;
        return wasmtime_error_new("time limit reached");
    }
    *delta = 1;
    *kind = WASMTIME_UPDATE_DEADLINE_CONTINUE;
    return NULL;
}

static bool reserve_slot(void)
{
    unsigned live = atomic_load(&g_engine.live_instances);
    do {
        if (live >= g_engine.max_instances) {
            return false;
        }
    } while (!atomic_compare_exchange_weak(&g_engine.live_instances, &live, live + 1));
    return true;
}

engine_instance *engine_instantiate(engine_module *module, const engine_limits *limits, const engine_host *host,
                                    char *err, size_t errcap)
{
    char text[512];
    if (g_engine.engine == NULL || module == NULL) {
        set_text(err, errcap, g_engine.engine == NULL ? "engine not initialised" : "no module");
        return NULL;
    }
    if (!reserve_slot()) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Failed to instantiate Wasmtime module: the limit of %u concurrent instances is reached",
                     g_engine.max_instances);
        }
        return NULL;
    }
    struct engine_instance *inst = calloc(1, sizeof *inst);
    if (inst == NULL) {
        atomic_fetch_sub(&g_engine.live_instances, 1);
        set_text(err, errcap, "out of host memory");
        return NULL;
    }
    atomic_init(&inst->stop, false);
    inst->max_memory_bytes = limits != NULL && limits->max_memory_bytes != 0 ? limits->max_memory_bytes
                                                                           : g_engine.max_memory_bytes;
    inst->timeout_ms = limits != NULL ? limits->timeout_ms : 0;
    if (host != NULL) {
        inst->host = *host;
    }
    inst->store = wasmtime_store_new(g_engine.engine, inst, NULL);
    if (inst->store == NULL) {
        free(inst);
        atomic_fetch_sub(&g_engine.live_instances, 1);
        set_text(err, errcap, "out of host memory");
        return NULL;
    }
    inst->ctx = wasmtime_store_context(inst->store);
    wasmtime_store_limiter(inst->store, (int64_t)inst->max_memory_bytes, -1, -1, -1, -1);
    wasmtime_store_epoch_deadline_callback(inst->store, on_epoch, inst, NULL);
    /* A start function runs during instantiation; give it the same stop and deadline handling. */
    inst->deadline_ns = inst->timeout_ms != 0 ? now_ns() + (int64_t)inst->timeout_ms * 1000000LL : 0;
    wasmtime_context_set_epoch_deadline(inst->ctx, 1);

    wasm_trap_t *trap = NULL;
    wasmtime_error_t *error =
        wasmtime_linker_instantiate(g_engine.linker, inst->ctx, module->module, &inst->instance, &trap);
    if (error != NULL || trap != NULL) {
        if (error != NULL) {
            error_text(error, text, sizeof text);
            wasmtime_error_delete(error);
        } else {
            trap_text(trap, text, sizeof text);
            wasm_trap_delete(trap);
        }
        if (err != NULL && errcap > 0) {
            if (inst->timed_out) {
                snprintf(err, errcap, "task exceeded its time limit of %u ms", inst->timeout_ms);
            } else if (instantiation_over_limit(text)) {
                snprintf(err, errcap, "task exceeded its memory limit of %u bytes: Failed to instantiate Wasmtime module: %s",
                         inst->max_memory_bytes, text);
            } else {
                snprintf(err, errcap, "Failed to instantiate Wasmtime module: %s", text);
            }
        }
        wasmtime_store_delete(inst->store);
        free(inst);
        atomic_fetch_sub(&g_engine.live_instances, 1);
        return NULL;
    }
    return inst;
}

void engine_destroy_instance(engine_instance *instance)
{
    if (instance == NULL) {
        return;
    }
    wasmtime_store_delete(instance->store);
    free(instance);
    atomic_fetch_sub(&g_engine.live_instances, 1);
}

void engine_request_stop(engine_instance *instance)
{
    if (instance == NULL) {
        return;
    }
    atomic_store(&instance->stop, true);
    engine_tick();
}

static size_t exported_memory_bytes(engine_instance *instance)
{
    wasmtime_extern_t item;
    if (wasmtime_instance_export_get(instance->ctx, &instance->instance, "memory", 6, &item) &&
        item.kind == WASMTIME_EXTERN_MEMORY) {
        return wasmtime_memory_data_size(instance->ctx, &item.of.memory);
    }
    char *name;
    size_t name_len;
    for (size_t i = 0; wasmtime_instance_export_nth(instance->ctx, &instance->instance, i, &name, &name_len, &item);
         i++) {
        if (item.kind == WASMTIME_EXTERN_MEMORY) {
            return wasmtime_memory_data_size(instance->ctx, &item.of.memory);
        }
    }
    return 0;
}

engine_status engine_memory_stats_get(engine_instance *instance, engine_memory_stats *out)
{
    if (instance == NULL || out == NULL) {
        return ENGINE_ERR_ARGUMENT;
    }
    out->linear_bytes = exported_memory_bytes(instance);
    out->max_linear_bytes = instance->max_memory_bytes;
    return ENGINE_OK;
}

/* ---- calls ------------------------------------------------------------------------------------------------ */

/* Appends `"name"` (quotes and backslashes escaped) to buf at *used; false once the buffer is full. */
static bool append_quoted(char *buf, size_t cap, size_t *used, const char *name, size_t len)
{
    if (*used + 1 >= cap) {
        return false;
    }
    buf[(*used)++] = '"';
    for (size_t i = 0; i < len; i++) {
        bool esc = name[i] == '"' || name[i] == '\\';
        if (*used + (esc ? 2u : 1u) + 1 >= cap) {
            buf[*used] = '\0';
            return false;
        }
        if (esc) {
            buf[(*used)++] = '\\';
        }
        buf[(*used)++] = name[i];
    }
    if (*used + 1 >= cap) {
        buf[*used] = '\0';
        return false;
    }
    buf[(*used)++] = '"';
    buf[*used] = '\0';
    return true;
}

static bool find_function(engine_instance *instance, const char *name, wasmtime_func_t *func)
{
    wasmtime_extern_t item;
    return wasmtime_instance_export_get(instance->ctx, &instance->instance, name, strlen(name), &item) &&
           item.kind == WASMTIME_EXTERN_FUNC && (*func = item.of.func, true);
}

static engine_status resolve(engine_instance *instance, const char *name, const char **chosen, wasmtime_func_t *func,
                             char *err, size_t errcap)
{
    if (name != NULL && name[0] != '\0' && find_function(instance, name, func)) {
        *chosen = name;
        return ENGINE_OK;
    }
    for (size_t i = 0; i < sizeof k_fallbacks / sizeof k_fallbacks[0]; i++) {
        if (find_function(instance, k_fallbacks[i], func)) {
            *chosen = k_fallbacks[i];
            return ENGINE_OK;
        }
    }
    char list[256];
    size_t used = 0;
    list[0] = '\0';
    bool room = true;
    wasmtime_extern_t item;
    char *export_name;
    size_t export_len;
    bool first = true;
    for (size_t i = 0; room && wasmtime_instance_export_nth(instance->ctx, &instance->instance, i, &export_name,
                                                            &export_len, &item);
         i++) {
        if (item.kind != WASMTIME_EXTERN_FUNC) {
            continue;
        }
        if (!first) {
            if (used + 2 >= sizeof list) {
                break;
            }
            list[used++] = ',';
            list[used++] = ' ';
            list[used] = '\0';
        }
        first = false;
        room = append_quoted(list, sizeof list, &used, export_name, export_len);
    }
    if (err != NULL && errcap > 0) {
        snprintf(err, errcap,
                 "Function '%s' not found, and fallbacks [\"main\", \"run\", \"_start\"] also not found in module "
                 "exports. Available function exports: [%s]",
                 name != NULL ? name : "", list);
    }
    return ENGINE_ERR_NOT_FOUND;
}

static const char *kind_name(wasm_valkind_t kind)
{
    switch (kind) {
    case WASM_I32:
        return "I32";
    case WASM_I64:
        return "I64";
    case WASM_F32:
        return "F32";
    case WASM_F64:
        return "F64";
    case 4:
        return "V128";
    default:
        return "reference";
    }
}

static bool is_integer_text(const char *s)
{
    if (*s == '+' || *s == '-') {
        s++;
    }
    if (*s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
    }
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$ */
static bool is_decimal_text(const char *s)
{
    if (*s == '+' || *s == '-') {
        s++;
    }
    if (is_digit(*s)) {
        while (is_digit(*s)) {
            s++;
        }
        if (*s == '.') {
            s++;
            while (is_digit(*s)) {
                s++;
            }
        }
    } else if (*s == '.' && is_digit(s[1])) {
        s++;
        while (is_digit(*s)) {
            s++;
        }
    } else {
        return false;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') {
            s++;
        }
        if (!is_digit(*s)) {
            return false;
        }
        while (is_digit(*s)) {
            s++;
        }
    }
    return *s == '\0';
}

static bool equals_ci(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        if ((*a | 0x20) != (*b | 0x20)) {
            return false;
        }
    }
    return *a == '\0' && *b == '\0';
}

static bool special_float(const char *s, double *value)
{
    double sign = *s == '-' ? -1.0 : 1.0;
    if (*s == '+' || *s == '-') {
        s++;
    }
    if (equals_ci(s, "inf") || equals_ci(s, "infinity")) {
        *value = sign * (double)INFINITY;
        return true;
    }
    if (equals_ci(s, "nan")) {
        *value = (double)NAN;
        return true;
    }
    return false;
}

static engine_status parse_arg(wasm_valkind_t kind, const char *input, wasmtime_val_t *out, char *err, size_t errcap)
{
    const char *type = kind == WASM_I32 ? "i32" : kind == WASM_I64 ? "i64" : kind == WASM_F32 ? "f32" : "f64";
    const char *reason = NULL;
    if (kind == WASM_I32 || kind == WASM_I64) {
        if (input[0] == '\0') {
            reason = "cannot parse integer from empty string";
        } else if (!is_integer_text(input)) {
            reason = "invalid digit found in string";
        } else {
            errno = 0;
            long long v = strtoll(input, NULL, 10);
            bool overflow = errno == ERANGE || (kind == WASM_I32 && (v < INT32_MIN || v > INT32_MAX));
            if (overflow) {
                reason = input[0] == '-' ? "number too small to fit in target type"
                                         : "number too large to fit in target type";
            } else if (kind == WASM_I32) {
                out->kind = WASMTIME_I32;
                out->of.i32 = (int32_t)v;
            } else {
                out->kind = WASMTIME_I64;
                out->of.i64 = (int64_t)v;
            }
        }
    } else if (kind == WASM_F32 || kind == WASM_F64) {
        double special;
        if (special_float(input, &special)) {
            if (kind == WASM_F32) {
                out->kind = WASMTIME_F32;
                out->of.f32 = (float)special;
            } else {
                out->kind = WASMTIME_F64;
                out->of.f64 = special;
            }
        } else if (input[0] == '\0') {
            reason = "cannot parse float from empty string";
        } else if (!is_decimal_text(input)) {
            reason = "invalid float literal";
        } else if (kind == WASM_F32) {
            out->kind = WASMTIME_F32;
            out->of.f32 = strtof(input, NULL);
        } else {
            out->kind = WASMTIME_F64;
            out->of.f64 = strtod(input, NULL);
        }
    } else {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Unsupported Wasm value type for arg '%s'", input);
        }
        return ENGINE_ERR_INPUT;
    }
    if (reason != NULL) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Failed to parse '%s' as %s: %s", input, type, reason);
        }
        return ENGINE_ERR_INPUT;
    }
    return ENGINE_OK;
}

/* Shortest round-tripping digits of v, written positionally (no exponent), as the .NET proplet prints floats. */
static void format_float(double v, bool single, char *out, size_t cap)
{
    if (isnan(v)) {
        snprintf(out, cap, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(out, cap, v < 0 ? "-inf" : "inf");
        return;
    }
    char sci[40];
    int max_digits = single ? 9 : 17;
    for (int p = 1; p <= max_digits; p++) {
        snprintf(sci, sizeof sci, "%.*e", p - 1, v);
        if (single ? strtof(sci, NULL) == (float)v : strtod(sci, NULL) == v) {
            break;
        }
    }
    /* sci: [-]d[.ddd]e[+-]xx */
    const char *s = sci;
    bool negative = *s == '-';
    if (negative) {
        s++;
    }
    char digits[24];
    size_t nd = 0;
    for (; *s != 'e' && *s != '\0'; s++) {
        if (is_digit(*s) && nd < sizeof digits - 1) {
            digits[nd++] = *s;
        }
    }
    digits[nd] = '\0';
    long exponent = *s == 'e' ? strtol(s + 1, NULL, 10) : 0;
    long point_at = 1 + exponent;
    size_t used = 0;
#define PUT(c)                                                                                                         \
    do {                                                                                                               \
        if (used + 1 < cap) {                                                                                          \
            out[used++] = (c);                                                                                         \
        }                                                                                                              \
    } while (0)
    if (negative) {
        PUT('-');
    }
    if (point_at <= 0) {
        PUT('0');
        PUT('.');
        for (long i = 0; i < -point_at; i++) {
            PUT('0');
        }
        for (size_t i = 0; i < nd; i++) {
            PUT(digits[i]);
        }
    } else if ((size_t)point_at >= nd) {
        for (size_t i = 0; i < nd; i++) {
            PUT(digits[i]);
        }
        for (long i = (long)nd; i < point_at; i++) {
            PUT('0');
        }
    } else {
        for (size_t i = 0; i < nd; i++) {
            if ((long)i == point_at) {
                PUT('.');
            }
            PUT(digits[i]);
        }
    }
#undef PUT
    out[used] = '\0';
}

static engine_status format_result(const wasmtime_val_t *value, char *result, size_t cap)
{
    char text[400];
    switch (value->kind) {
    case WASMTIME_I32:
        snprintf(text, sizeof text, "%d", (int)value->of.i32);
        break;
    case WASMTIME_I64:
        snprintf(text, sizeof text, "%lld", (long long)value->of.i64);
        break;
    case WASMTIME_F32:
        format_float((double)value->of.f32, true, text, sizeof text);
        break;
    default:
        format_float(value->of.f64, false, text, sizeof text);
        break;
    }
    if (strlen(text) >= cap) {
        return ENGINE_ERR_ARGUMENT;
    }
    memcpy(result, text, strlen(text) + 1);
    return ENGINE_OK;
}

#define ENGINE_MAX_PARAMS 16u

engine_status engine_call(engine_instance *instance, const char *name, const char *const *inputs, size_t n,
                          char *result, size_t resultcap, char *err, size_t errcap)
{
    if (err != NULL && errcap > 0) {
        err[0] = '\0';
    }
    if (instance == NULL || result == NULL || resultcap == 0 || (n > 0 && inputs == NULL)) {
        set_text(err, errcap, "invalid engine_call arguments");
        return ENGINE_ERR_ARGUMENT;
    }
    result[0] = '\0';
    if (atomic_load(&instance->stop)) {
        set_text(err, errcap, ENGINE_STOPPED_TEXT);
        return ENGINE_ERR_STOPPED;
    }
    const char *chosen = NULL;
    wasmtime_func_t func;
    engine_status status = resolve(instance, name, &chosen, &func, err, errcap);
    if (status != ENGINE_OK) {
        return status;
    }

    wasm_functype_t *type = wasmtime_func_type(instance->ctx, &func);
    const wasm_valtype_vec_t *params = wasm_functype_params(type);
    const wasm_valtype_vec_t *results = wasm_functype_results(type);
    size_t nparams = params->size;
    size_t nresults = results->size;
    wasm_valkind_t result_kind = nresults > 0 ? wasm_valtype_kind(results->data[0]) : WASM_I32;
    wasmtime_val_t args[ENGINE_MAX_PARAMS];
    if (nparams != n) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Argument count mismatch for function '%s': expected %zu arguments but got %zu",
                     chosen, nparams, n);
        }
        status = ENGINE_ERR_INPUT;
    } else if (nparams > ENGINE_MAX_PARAMS) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Function '%s' takes %zu parameters; at most %u are supported", chosen, nparams,
                     ENGINE_MAX_PARAMS);
        }
        status = ENGINE_ERR_INPUT;
    } else {
        for (size_t i = 0; i < n && status == ENGINE_OK; i++) {
            status = parse_arg(wasm_valtype_kind(params->data[i]), inputs[i] != NULL ? inputs[i] : "", &args[i], err,
                               errcap);
        }
    }
    wasm_functype_delete(type);
    if (status != ENGINE_OK) {
        return status;
    }
    if (nresults > 0 && result_kind > WASM_F64) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Unsupported Wasm result type %s of function '%s'", kind_name(result_kind), chosen);
        }
        return ENGINE_ERR_INPUT;
    }
    if (nresults > 4) {
        set_text(err, errcap, "functions with more than 4 results are not supported");
        return ENGINE_ERR_INPUT;
    }

    wasmtime_val_t outs[4];
    instance->timed_out = false;
    instance->deadline_ns = instance->timeout_ms != 0 ? now_ns() + (int64_t)instance->timeout_ms * 1000000LL : 0;
    wasmtime_context_set_epoch_deadline(instance->ctx, 1);
    wasm_trap_t *trap = NULL;
    wasmtime_error_t *error = wasmtime_func_call(instance->ctx, &func, args, n, outs, nresults, &trap);
    if (error == NULL && trap == NULL) {
        if (nresults == 0) {
            return ENGINE_OK;
        }
        if (format_result(&outs[0], result, resultcap) != ENGINE_OK) {
            set_text(err, errcap, "result buffer too small");
            return ENGINE_ERR_ARGUMENT;
        }
        return ENGINE_OK;
    }

    char text[512];
    if (error != NULL) {
        error_text(error, text, sizeof text);
        wasmtime_error_delete(error);
    } else {
        trap_text(trap, text, sizeof text);
        wasm_trap_delete(trap);
    }
    if (atomic_load(&instance->stop)) {
        set_text(err, errcap, ENGINE_STOPPED_TEXT);
        return ENGINE_ERR_STOPPED;
    }
    if (instance->timed_out) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "task exceeded its time limit of %u ms", instance->timeout_ms);
        }
        return ENGINE_ERR_TIMEOUT;
    }
    /* A refused memory.grow is not reported by Wasmtime (the guest sees -1 and typically traps), so a failure
     * with the memory already unable to grow by one more page counts as the memory limit. */
    size_t linear = exported_memory_bytes(instance);
    if (linear > 0 && linear + WASM_PAGE > instance->max_memory_bytes) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "task exceeded its memory limit of %u bytes: Failed to call function '%s': %s",
                     instance->max_memory_bytes, chosen, text);
        }
        return ENGINE_ERR_MEMORY;
    }
    if (err != NULL && errcap > 0) {
        snprintf(err, errcap, "Failed to call function '%s': %s", chosen, text);
    }
    return ENGINE_ERR_TRAP;
}
