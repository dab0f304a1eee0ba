/*
 * engine.h on Wasmtime (host build). One wasm_engine_t per process with epoch interruption on; one store per
 * instance carrying that instance's memory limit and an epoch-deadline callback that ends the call when the
 * instance's stop flag is set or its wall-clock deadline has passed. engine_request_stop and engine_tick bump the
 * engine epoch, so every running call re-checks its flags at its next loop header or function entry.
 *
 * Memory statistics: the store may only be touched by the thread that runs the guest, so the callback (which runs on
 * that thread with the store's context) also records the exported memory's current size in an atomic field at every
 * epoch; engine_memory_stats_get reads only that field (and the cap), so any thread may call it.
 */
#define _POSIX_C_SOURCE 200809L

#include "engine.h"
#include "engine_values.h"
#include "wasmtime_capi.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    /* The exported memory, found after instantiation (calling thread only), and its size as last seen on the
     * calling thread: after instantiation, before and after each call, and at every epoch callback. */
    bool has_memory;
    wasmtime_memory_t memory;
    atomic_size_t linear_bytes;
};

static struct {
    wasm_engine_t *engine;
    wasmtime_linker_t *linker;
    uint32_t max_memory_bytes;
    uint32_t max_instances;
    atomic_uint live_instances;
} g_engine;

/* ---- small helpers ---------------------------------------------------------------------------------------- */

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
        engine_text_set(err, errcap, "engine not initialised");
        return NULL;
    }
    if (bytes == NULL || len == 0) {
        engine_text_set(err, errcap, "Failed to compile Wasmtime module from binary: empty module");
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
        engine_text_set(err, errcap, "out of host memory");
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

/* Records the current size of the exported memory; only on the thread that runs the guest (ctx is its store's). */
static void note_memory_size(struct engine_instance *inst, wasmtime_context_t *ctx)
{
    if (inst->has_memory) {
        atomic_store(&inst->linear_bytes, wasmtime_memory_data_size(ctx, &inst->memory));
    }
}

static wasmtime_error_t *on_epoch(wasmtime_context_t *ctx, void *data, uint64_t *delta,
                                  wasmtime_update_deadline_kind_t *kind)
{
    struct engine_instance *inst = data;
    note_memory_size(inst, ctx);
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

/* The exported memory "memory", else the first exported memory (calling thread only). */
static bool find_memory(engine_instance *instance, wasmtime_memory_t *memory)
{
    wasmtime_extern_t item;
    if (wasmtime_instance_export_get(instance->ctx, &instance->instance, "memory", 6, &item) &&
        item.kind == WASMTIME_EXTERN_MEMORY) {
        *memory = item.of.memory;
        return true;
    }
    char *name;
    size_t name_len;
    for (size_t i = 0; wasmtime_instance_export_nth(instance->ctx, &instance->instance, i, &name, &name_len, &item);
         i++) {
        if (item.kind == WASMTIME_EXTERN_MEMORY) {
            *memory = item.of.memory;
            return true;
        }
    }
    return false;
}

engine_instance *engine_instantiate(engine_module *module, const engine_limits *limits, const engine_host *host,
                                    char *err, size_t errcap)
{
    char text[512];
    if (g_engine.engine == NULL || module == NULL) {
        engine_text_set(err, errcap, g_engine.engine == NULL ? "engine not initialised" : "no module");
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
        engine_text_set(err, errcap, "out of host memory");
        return NULL;
    }
    atomic_init(&inst->stop, false);
    atomic_init(&inst->linear_bytes, 0);
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
        engine_text_set(err, errcap, "out of host memory");
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
    inst->has_memory = find_memory(inst, &inst->memory);
    note_memory_size(inst, inst->ctx);
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

/* Calling thread only (reads the store). */
static size_t exported_memory_bytes(engine_instance *instance)
{
    return instance->has_memory ? wasmtime_memory_data_size(instance->ctx, &instance->memory) : 0;
}

engine_status engine_memory_stats_get(engine_instance *instance, engine_memory_stats *out)
{
    if (instance == NULL || out == NULL) {
        return ENGINE_ERR_ARGUMENT;
    }
    out->linear_bytes = atomic_load(&instance->linear_bytes);
    out->max_linear_bytes = instance->max_memory_bytes;
    return ENGINE_OK;
}

/* ---- calls ------------------------------------------------------------------------------------------------ */

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
    for (size_t i = 0; i < ENGINE_FALLBACK_COUNT; i++) {
        if (find_function(instance, engine_fallback_names[i], func)) {
            *chosen = engine_fallback_names[i];
            return ENGINE_OK;
        }
    }
    engine_export_list list;
    engine_export_list_init(&list);
    wasmtime_extern_t item;
    char *export_name;
    size_t export_len;
    for (size_t i = 0;
         wasmtime_instance_export_nth(instance->ctx, &instance->instance, i, &export_name, &export_len, &item); i++) {
        if (item.kind != WASMTIME_EXTERN_FUNC) {
            continue;
        }
        if (!engine_export_list_add(&list, export_name, export_len)) {
            break;
        }
    }
    return engine_error_not_found(err, errcap, name, &list);
}

static wasmtime_val_t to_wasmtime(const engine_value *value)
{
    wasmtime_val_t out;
    memset(&out, 0, sizeof out);
    out.kind = (wasmtime_valkind_t)value->kind;
    switch (value->kind) {
    case ENGINE_VALUE_I32:
        out.of.i32 = value->i32;
        break;
    case ENGINE_VALUE_I64:
        out.of.i64 = value->i64;
        break;
    case ENGINE_VALUE_F32:
        out.of.f32 = value->f32;
        break;
    default:
        out.of.f64 = value->f64;
        break;
    }
    return out;
}

static engine_value from_wasmtime(const wasmtime_val_t *value)
{
    engine_value out;
    memset(&out, 0, sizeof out);
    out.kind = engine_value_kind_of(value->kind);
    switch (value->kind) {
    case WASMTIME_I32:
        out.i32 = value->of.i32;
        break;
    case WASMTIME_I64:
        out.i64 = value->of.i64;
        break;
    case WASMTIME_F32:
        out.f32 = value->of.f32;
        break;
    default:
        out.kind = ENGINE_VALUE_F64;
        out.f64 = value->of.f64;
        break;
    }
    return out;
}

engine_status engine_call(engine_instance *instance, const char *name, const char *const *inputs, size_t n,
                          char *result, size_t resultcap, char *err, size_t errcap)
{
    engine_status status = engine_call_begin(instance != NULL, inputs, n, result, resultcap, err, errcap);
    if (status != ENGINE_OK) {
        return status;
    }
    if (atomic_load(&instance->stop)) {
        return engine_error_stopped(err, errcap);
    }
    const char *chosen = NULL;
    wasmtime_func_t func;
    status = resolve(instance, name, &chosen, &func, err, errcap);
    if (status != ENGINE_OK) {
        return status;
    }

    wasm_functype_t *type = wasmtime_func_type(instance->ctx, &func);
    const wasm_valtype_vec_t *params = wasm_functype_params(type);
    const wasm_valtype_vec_t *results = wasm_functype_results(type);
    size_t nparams = params->size;
    size_t nresults = results->size;
    engine_value_kind result_kind = engine_value_kind_of(nresults > 0 ? wasm_valtype_kind(results->data[0]) : WASM_I32);
    wasmtime_val_t args[ENGINE_MAX_PARAMS];
    status = engine_check_arguments(err, errcap, chosen, nparams, n);
    for (size_t i = 0; i < n && status == ENGINE_OK; i++) {
        engine_value value;
        status = engine_value_parse(engine_value_kind_of(wasm_valtype_kind(params->data[i])), inputs[i], &value, err,
                                    errcap);
        if (status == ENGINE_OK) {
            args[i] = to_wasmtime(&value);
        }
    }
    wasm_functype_delete(type);
    if (status == ENGINE_OK) {
        status = engine_check_result_kind(err, errcap, chosen, nresults, result_kind);
    }
    if (status == ENGINE_OK) {
        status = engine_check_result_count(err, errcap, nresults);
    }
    if (status != ENGINE_OK) {
        return status;
    }

    wasmtime_val_t outs[ENGINE_MAX_RESULTS];
    instance->timed_out = false;
    instance->deadline_ns = instance->timeout_ms != 0 ? now_ns() + (int64_t)instance->timeout_ms * 1000000LL : 0;
    wasmtime_context_set_epoch_deadline(instance->ctx, 1);
    note_memory_size(instance, instance->ctx);
    wasm_trap_t *trap = NULL;
    wasmtime_error_t *error = wasmtime_func_call(instance->ctx, &func, args, n, outs, nresults, &trap);
    note_memory_size(instance, instance->ctx);
    if (error == NULL && trap == NULL) {
        if (nresults == 0) {
            return ENGINE_OK;
        }
        engine_value first = from_wasmtime(&outs[0]);
        return engine_result_to_text(&first, result, resultcap, err, errcap);
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
        return engine_error_stopped(err, errcap);
    }
    if (instance->timed_out) {
        return engine_error_timeout(err, errcap, instance->timeout_ms);
    }
    /* A refused memory.grow is not reported by Wasmtime (the guest sees -1 and typically traps): see
     * engine_error_call_failed. */
    return engine_error_call_failed(err, errcap, chosen, text, exported_memory_bytes(instance),
                                    instance->max_memory_bytes);
}
