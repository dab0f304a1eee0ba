/*
 * engine.h on WAMR's classic interpreter (the Zephyr/ESP32-S3 build). Never compiled on the host: it needs the WAMR
 * headers of the user's west workspace (embedded/zephyr/CMakeLists.txt) and WAMR built with WAMR_BUILD_INTERP=1,
 * WAMR_BUILD_FAST_INTERP=0, WAMR_BUILD_AOT=0, WAMR_BUILD_LIBC_BUILTIN=1, WAMR_BUILD_LIBC_WASI=0 and
 * WAMR_BUILD_THREAD_MGR=1 (so wasm_runtime_terminate also raises the cancel flag that ends a running loop).
 *
 * Written against wasm_export.h of WAMR 2.x (wasm_runtime_instantiate_ex with InstantiationArgs.max_memory_pages,
 * wasm_runtime_lookup_function(inst, name), wasm_runtime_get_default_memory/lookup_memory,
 * wasm_func_type_get_*, wasm_runtime_get_import_type/get_export_type).
 *
 * Mapping:
 *   engine_init       wasm_runtime_full_init (system allocator, or a static pool of ENGINE_WAMR_POOL_BYTES) and
 *                     wasm_runtime_register_natives("env", ...) with the host-import ABI of engine.h.
 *   engine_load       copies the bytes (WAMR may rewrite the buffer and keeps referring to it), wasm_runtime_load.
 *   engine_instantiate checks the imports (only env.get_proplet_id/get_input/log with their exact types) and the
 *                     exported memories' initial size against the cap, wasm_runtime_instantiate_ex (operand stack =
 *                     wasm_stack_bytes, no app heap, max_memory_pages = cap / 64 KiB), checks the default memory
 *                     again, then wasm_runtime_create_exec_env.
 *   engine_call       wasm_runtime_lookup_function (+ fallbacks), wasm_func_get_param_types/result_types, argument
 *                     parsing and result formatting of engine_values.c (shared with engine_wasmtime.c), wasm_runtime_call_wasm_a.
 *   stop / timeout    engine_request_stop and engine_tick call wasm_runtime_terminate on a running instance (its
 *                     flags and the "running" mark are guarded by one mutex, so a terminate never races a destroy).
 *
 * Limits actually enforced: the linear-memory cap (initial size checked before and after instantiation; growth
 * refused by WAMR through max_memory_pages, the guest sees memory.grow = -1); the wasm operand/frame stack (WAMR's
 * exec env stack, "wasm operand stack overflow"); the wall-clock limit at engine_tick granularity. Not covered: a
 * start function runs inside wasm_runtime_instantiate_ex before there is a handle to terminate, so neither stop nor
 * timeout can end it (modules built for the proplet export functions and have no start function).
 *
 * Memory statistics: WAMR's memory instance may only be read on the thread that runs the guest (memory.grow writes
 * its page count there without a lock the proplet could share), and WAMR has no hook on that thread between
 * instructions (engine_tick runs on the main loop). So the guest's thread records the size in an atomic field
 * after instantiation, before and after each call and at every env import the guest calls; engine_memory_stats_get
 * reads only that field. A guest that grows its memory and then computes without calling an import shows the new
 * size at its next import call or when the call ends.
 */
#include "engine.h"
#include "engine_values.h"
#include "port.h"

#include "wasm_export.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ENGINE_WAMR_POOL_BYTES
#define ENGINE_WAMR_POOL_BYTES 0 /* 0: WAMR's system allocator (os_malloc); else a static pool of that size */
#endif

#define WASM_PAGE ENGINE_WASM_PAGE_BYTES
#define WAMR_ERROR_MAX 128u

struct engine_module {
    wasm_module_t module;
    uint8_t *bytes; /* owned copy; WAMR refers to it until wasm_runtime_unload */
};

struct engine_instance {
    wasm_module_inst_t inst;
    wasm_exec_env_t exec_env;
    uint32_t max_memory_bytes;
    uint32_t timeout_ms;
    engine_host host;
    atomic_uint linear_bytes; /* written on the guest's thread only (see the top comment) */
    /* guarded by g_engine.lock */
    bool stop;
    bool running;
    bool timed_out;
    uint64_t deadline_ms; /* 0 = none */
    struct engine_instance *next;
};

static struct {
    bool ready;
    port_mutex *lock;
    uint32_t max_memory_bytes;
    uint32_t wasm_stack_bytes;
    uint32_t max_instances;
    uint32_t live;
    struct engine_instance *running_list; /* every live instance */
} g_engine;

#if ENGINE_WAMR_POOL_BYTES > 0
static uint8_t g_pool[ENGINE_WAMR_POOL_BYTES] __attribute__((aligned(8)));
#endif

/* WAMR prefixes exceptions with "Exception: "; the proplet reports the bare text like the host engine. */
static const char *bare_exception(const char *text)
{
    static const char prefix[] = "Exception: ";
    if (text == NULL) {
        return "unknown failure";
    }
    return strncmp(text, prefix, sizeof prefix - 1) == 0 ? text + sizeof prefix - 1 : text;
}

static uint64_t default_memory_bytes(wasm_module_inst_t inst)
{
    wasm_memory_inst_t mem = wasm_runtime_get_default_memory(inst);
    if (mem == NULL) {
        return 0;
    }
    return wasm_memory_get_cur_page_count(mem) * wasm_memory_get_bytes_per_page(mem);
}

/* On the guest's thread only. */
static void note_memory_size(struct engine_instance *self)
{
    uint64_t bytes = default_memory_bytes(self->inst);
    atomic_store(&self->linear_bytes, bytes > UINT32_MAX ? UINT32_MAX : (unsigned)bytes);
}

/* ---- host functions (module "env") ------------------------------------------------------------------------ */

/* The instance of a host call, with its memory size recorded (host functions run on the guest's thread). */
static struct engine_instance *self_of(wasm_module_inst_t inst)
{
    struct engine_instance *self = (struct engine_instance *)wasm_runtime_get_custom_data(inst);
    if (self != NULL) {
        note_memory_size(self);
    }
    return self;
}

/* Resolves [ptr, ptr+len) in the instance's memory, or NULL after raising the trap. */
static uint8_t *guest_range(wasm_module_inst_t inst, int32_t ptr, int32_t len)
{
    if (wasm_runtime_lookup_memory(inst, "memory") == NULL) {
        wasm_runtime_set_exception(inst, "env host function: the module exports no memory \"memory\"");
        return NULL;
    }
    if (ptr < 0 || len < 0 || !wasm_runtime_validate_app_addr(inst, (uint64_t)(uint32_t)ptr, (uint64_t)(uint32_t)len)) {
        wasm_runtime_set_exception(inst, "env host function: guest pointer out of bounds");
        return NULL;
    }
    return (uint8_t *)wasm_runtime_addr_app_to_native(inst, (uint64_t)(uint32_t)ptr);
}

static int32_t copy_out(wasm_module_inst_t inst, const char *text, int32_t ptr, int32_t cap)
{
    size_t len = strlen(text);
    if (cap < 0) {
        wasm_runtime_set_exception(inst, "env host function: guest buffer out of bounds (negative capacity)");
        return 0;
    }
    if (len > (size_t)cap) {
        return -1;
    }
    uint8_t *dst = guest_range(inst, ptr, (int32_t)len);
    if (dst == NULL) {
        return 0; /* the exception ends the call */
    }
    memcpy(dst, text, len);
    return (int32_t)len;
}

static int32_t host_get_proplet_id(wasm_exec_env_t env, int32_t ptr, int32_t cap)
{
    wasm_module_inst_t inst = wasm_runtime_get_module_inst(env);
    struct engine_instance *self = self_of(inst);
    const char *id = self != NULL && self->host.proplet_id != NULL ? self->host.proplet_id : "";
    return copy_out(inst, id, ptr, cap);
}

static int32_t host_get_input(wasm_exec_env_t env, int32_t index, int32_t ptr, int32_t cap)
{
    wasm_module_inst_t inst = wasm_runtime_get_module_inst(env);
    struct engine_instance *self = self_of(inst);
    if (self == NULL || index < 0 || (size_t)index >= self->host.input_count || self->host.inputs == NULL ||
        self->host.inputs[index] == NULL) {
        return -2;
    }
    return copy_out(inst, self->host.inputs[index], ptr, cap);
}

static void host_log(wasm_exec_env_t env, int32_t ptr, int32_t len)
{
    wasm_module_inst_t inst = wasm_runtime_get_module_inst(env);
    struct engine_instance *self = self_of(inst);
    const uint8_t *src = guest_range(inst, ptr, len);
    if (src == NULL) {
        return;
    }
    size_t n = (size_t)len > ENGINE_LOG_MAX ? ENGINE_LOG_MAX : (size_t)len;
    if (self != NULL && self->host.log != NULL) {
        /* The guest is paused inside this call, so its memory stays put; no 1 KiB copy on a small task stack. */
        self->host.log(self->host.log_user, (const char *)src, n);
    }
}

/* WAMR keeps (and may modify) this array for the runtime's lifetime: static, writable. Signatures use plain 'i'
 * so that the bounds checks and their error texts are ours. */
static NativeSymbol g_natives[] = {
    {"get_proplet_id", (void *)host_get_proplet_id, "(ii)i", NULL},
    {"get_input", (void *)host_get_input, "(iii)i", NULL},
    {"log", (void *)host_log, "(ii)", NULL},
};

/* The (params, results) i32 counts of each env import, for the import check. */
static bool env_import_shape(const char *name, uint32_t *params, uint32_t *results)
{
    if (strcmp(name, "get_proplet_id") == 0) {
        *params = 2;
        *results = 1;
    } else if (strcmp(name, "get_input") == 0) {
        *params = 3;
        *results = 1;
    } else if (strcmp(name, "log") == 0) {
        *params = 2;
        *results = 0;
    } else {
        return false;
    }
    return true;
}

/* ---- engine ----------------------------------------------------------------------------------------------- */

engine_status engine_init(const engine_config *config)
{
    if (g_engine.ready) {
        return ENGINE_ERR_ARGUMENT;
    }
    g_engine.max_memory_bytes = config != NULL && config->max_memory_bytes != 0 ? config->max_memory_bytes
                                                                               : ENGINE_DEFAULT_MAX_MEMORY_BYTES;
    g_engine.wasm_stack_bytes = config != NULL && config->wasm_stack_bytes != 0 ? config->wasm_stack_bytes
                                                                               : ENGINE_DEFAULT_WASM_STACK_BYTES;
    g_engine.max_instances = config != NULL && config->max_instances != 0 ? config->max_instances
                                                                         : ENGINE_DEFAULT_MAX_INSTANCES;
    g_engine.live = 0;
    g_engine.running_list = NULL;
    if (port_mutex_create(&g_engine.lock) != PORT_OK) {
        return ENGINE_ERR_ARGUMENT;
    }

    RuntimeInitArgs args;
    memset(&args, 0, sizeof args);
#if ENGINE_WAMR_POOL_BYTES > 0
    args.mem_alloc_type = Alloc_With_Pool;
    args.mem_alloc_option.pool.heap_buf = g_pool;
    args.mem_alloc_option.pool.heap_size = (uint32_t)sizeof g_pool;
#else
    args.mem_alloc_type = Alloc_With_System_Allocator;
#endif
    /* max_thread_num stays 0 (not applied by WAMR): the build sets CLUSTER_MAX_THREAD_NUM=0 so the thread manager
     * does not split a module's aux (C) stack into segments for threads we never spawn. */
    if (!wasm_runtime_full_init(&args)) {
        port_mutex_destroy(g_engine.lock);
        g_engine.lock = NULL;
        return ENGINE_ERR_ARGUMENT;
    }
    if (!wasm_runtime_register_natives("env", g_natives, (uint32_t)(sizeof g_natives / sizeof g_natives[0]))) {
        wasm_runtime_destroy();
        port_mutex_destroy(g_engine.lock);
        g_engine.lock = NULL;
        return ENGINE_ERR_ARGUMENT;
    }
    g_engine.ready = true;
    return ENGINE_OK;
}

void engine_shutdown(void)
{
    if (!g_engine.ready) {
        return;
    }
    wasm_runtime_destroy();
    port_mutex_destroy(g_engine.lock);
    g_engine.lock = NULL;
    g_engine.ready = false;
}

void engine_tick(void)
{
    if (!g_engine.ready) {
        return;
    }
    uint64_t now = port_time_monotonic_ms();
    port_mutex_lock(g_engine.lock);
    for (struct engine_instance *it = g_engine.running_list; it != NULL; it = it->next) {
        if (it->running && !it->timed_out && it->deadline_ms != 0 && now >= it->deadline_ms) {
            it->timed_out = true;
            wasm_runtime_terminate(it->inst);
        }
    }
    port_mutex_unlock(g_engine.lock);
}

void engine_request_stop(engine_instance *instance)
{
    if (instance == NULL || !g_engine.ready) {
        return;
    }
    port_mutex_lock(g_engine.lock);
    instance->stop = true;
    if (instance->running) {
        wasm_runtime_terminate(instance->inst);
    }
    port_mutex_unlock(g_engine.lock);
}

/* ---- modules ---------------------------------------------------------------------------------------------- */

engine_module *engine_load(const uint8_t *bytes, size_t len, char *err, size_t errcap)
{
    char text[WAMR_ERROR_MAX];
    if (!g_engine.ready) {
        engine_text_set(err, errcap, "engine not initialised");
        return NULL;
    }
    if (bytes == NULL || len == 0 || len > UINT32_MAX) {
        engine_text_set(err, errcap, "Failed to compile WAMR module from binary: empty or oversized module");
        return NULL;
    }
    engine_module *handle = calloc(1, sizeof *handle);
    uint8_t *copy = malloc(len);
    if (handle == NULL || copy == NULL) {
        free(handle);
        free(copy);
        engine_text_set(err, errcap, "out of host memory");
        return NULL;
    }
    memcpy(copy, bytes, len);
    text[0] = '\0';
    handle->module = wasm_runtime_load(copy, (uint32_t)len, text, (uint32_t)sizeof text);
    if (handle->module == NULL) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Failed to compile WAMR module from binary: %s", text[0] != '\0' ? text : "invalid module");
        }
        free(copy);
        free(handle);
        return NULL;
    }
    handle->bytes = copy;
    return handle;
}

void engine_unload(engine_module *module)
{
    if (module != NULL) {
        wasm_runtime_unload(module->module);
        free(module->bytes);
        free(module);
    }
}

/* ---- instances -------------------------------------------------------------------------------------------- */

/* Only env.get_proplet_id/get_input/log with their exact i32 types may be imported. */
static bool check_imports(wasm_module_t module, char *err, size_t errcap)
{
    int32_t count = wasm_runtime_get_import_count(module);
    for (int32_t i = 0; i < count; i++) {
        wasm_import_t imp;
        memset(&imp, 0, sizeof imp);
        wasm_runtime_get_import_type(module, i, &imp);
        const char *mod = imp.module_name != NULL ? imp.module_name : "";
        const char *name = imp.name != NULL ? imp.name : "";
        uint32_t want_params = 0;
        uint32_t want_results = 0;
        if (imp.kind != WASM_IMPORT_EXPORT_KIND_FUNC || strcmp(mod, "env") != 0 ||
            !env_import_shape(name, &want_params, &want_results)) {
            if (err != NULL && errcap > 0) {
                snprintf(err, errcap, "Failed to instantiate WAMR module: unknown import: `%s::%s` has not been defined",
                         mod, name);
            }
            return false;
        }
        wasm_func_type_t type = imp.u.func_type;
        bool ok = type != NULL && wasm_func_type_get_param_count(type) == want_params &&
                  wasm_func_type_get_result_count(type) == want_results;
        for (uint32_t p = 0; ok && p < want_params; p++) {
            ok = wasm_func_type_get_param_valkind(type, p) == WASM_I32;
        }
        if (ok && want_results == 1) {
            ok = wasm_func_type_get_result_valkind(type, 0) == WASM_I32;
        }
        if (!ok) {
            if (err != NULL && errcap > 0) {
                snprintf(err, errcap, "Failed to instantiate WAMR module: incompatible import type for `env::%s`", name);
            }
            return false;
        }
    }
    return true;
}

/* Largest initial size of an exported memory, in bytes (checked before WAMR allocates it). */
static uint64_t exported_initial_bytes(wasm_module_t module)
{
    uint64_t most = 0;
    int32_t count = wasm_runtime_get_export_count(module);
    for (int32_t i = 0; i < count; i++) {
        wasm_export_t exp;
        memset(&exp, 0, sizeof exp);
        wasm_runtime_get_export_type(module, i, &exp);
        if (exp.kind == WASM_IMPORT_EXPORT_KIND_MEMORY && exp.u.memory_type != NULL) {
            uint64_t bytes = (uint64_t)wasm_memory_type_get_init_page_count(exp.u.memory_type) * WASM_PAGE;
            most = bytes > most ? bytes : most;
        }
    }
    return most;
}

static bool reserve_slot(void)
{
    bool ok = false;
    port_mutex_lock(g_engine.lock);
    if (g_engine.live < g_engine.max_instances) {
        g_engine.live++;
        ok = true;
    }
    port_mutex_unlock(g_engine.lock);
    return ok;
}

static void release_slot(void)
{
    port_mutex_lock(g_engine.lock);
    g_engine.live--;
    port_mutex_unlock(g_engine.lock);
}

/* Runs fn with WAMR's per-thread environment set up when the calling thread (a proplet worker) has none. */
static bool thread_env_begin(void)
{
    if (wasm_runtime_thread_env_inited()) {
        return false;
    }
    return wasm_runtime_init_thread_env();
}

static void thread_env_end(bool owned)
{
    if (owned) {
        wasm_runtime_destroy_thread_env();
    }
}

engine_instance *engine_instantiate(engine_module *module, const engine_limits *limits, const engine_host *host,
                                    char *err, size_t errcap)
{
    char text[WAMR_ERROR_MAX];
    if (!g_engine.ready || module == NULL) {
        engine_text_set(err, errcap, !g_engine.ready ? "engine not initialised" : "no module");
        return NULL;
    }
    uint32_t cap = limits != NULL && limits->max_memory_bytes != 0 ? limits->max_memory_bytes : g_engine.max_memory_bytes;
    if (!check_imports(module->module, err, errcap)) {
        return NULL;
    }
    uint64_t initial = exported_initial_bytes(module->module);
    if (initial > cap) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap,
                     "task exceeded its memory limit of %u bytes: Failed to instantiate WAMR module: memory minimum "
                     "size of %llu bytes exceeds the limit",
                     (unsigned)cap, (unsigned long long)initial);
        }
        return NULL;
    }
    if (!reserve_slot()) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Failed to instantiate WAMR module: the limit of %u concurrent instances is reached",
                     (unsigned)g_engine.max_instances);
        }
        return NULL;
    }
    struct engine_instance *self = calloc(1, sizeof *self);
    if (self == NULL) {
        release_slot();
        engine_text_set(err, errcap, "out of host memory");
        return NULL;
    }
    self->max_memory_bytes = cap;
    self->timeout_ms = limits != NULL ? limits->timeout_ms : 0;
    if (host != NULL) {
        self->host = *host;
    }

    InstantiationArgs args;
    memset(&args, 0, sizeof args);
    args.default_stack_size = g_engine.wasm_stack_bytes;
    args.host_managed_heap_size = 0; /* no WAMR app heap inside linear memory */
    args.max_memory_pages = cap / WASM_PAGE;
    bool owned = thread_env_begin();
    text[0] = '\0';
    self->inst = wasm_runtime_instantiate_ex(module->module, &args, text, (uint32_t)sizeof text);
    if (self->inst == NULL) {
        thread_env_end(owned);
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Failed to instantiate WAMR module: %s", text[0] != '\0' ? text : "unknown failure");
        }
        free(self);
        release_slot();
        return NULL;
    }
    uint64_t linear = default_memory_bytes(self->inst);
    if (linear > cap) {
        wasm_runtime_deinstantiate(self->inst);
        thread_env_end(owned);
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap,
                     "task exceeded its memory limit of %u bytes: Failed to instantiate WAMR module: memory of %llu "
                     "bytes exceeds the limit",
                     (unsigned)cap, (unsigned long long)linear);
        }
        free(self);
        release_slot();
        return NULL;
    }
    wasm_runtime_set_custom_data(self->inst, self);
    atomic_init(&self->linear_bytes, 0);
    note_memory_size(self);
    self->exec_env = wasm_runtime_create_exec_env(self->inst, g_engine.wasm_stack_bytes);
    thread_env_end(owned);
    if (self->exec_env == NULL) {
        wasm_runtime_deinstantiate(self->inst);
        engine_text_set(err, errcap, "Failed to instantiate WAMR module: cannot create the execution environment");
        free(self);
        release_slot();
        return NULL;
    }
    port_mutex_lock(g_engine.lock);
    self->next = g_engine.running_list;
    g_engine.running_list = self;
    port_mutex_unlock(g_engine.lock);
    return self;
}

void engine_destroy_instance(engine_instance *instance)
{
    if (instance == NULL) {
        return;
    }
    port_mutex_lock(g_engine.lock);
    for (struct engine_instance **it = &g_engine.running_list; *it != NULL; it = &(*it)->next) {
        if (*it == instance) {
            *it = instance->next;
            break;
        }
    }
    g_engine.live--;
    port_mutex_unlock(g_engine.lock);
    wasm_runtime_destroy_exec_env(instance->exec_env);
    wasm_runtime_deinstantiate(instance->inst);
    free(instance);
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

/* ---- calls: lookup ---------------------------------------------------------------------------------------- */

static engine_status resolve(engine_instance *instance, const char *name, const char **chosen,
                             wasm_function_inst_t *func, char *err, size_t errcap)
{
    if (name != NULL && name[0] != '\0' && (*func = wasm_runtime_lookup_function(instance->inst, name)) != NULL) {
        *chosen = name;
        return ENGINE_OK;
    }
    for (size_t i = 0; i < ENGINE_FALLBACK_COUNT; i++) {
        if ((*func = wasm_runtime_lookup_function(instance->inst, engine_fallback_names[i])) != NULL) {
            *chosen = engine_fallback_names[i];
            return ENGINE_OK;
        }
    }
    engine_export_list list;
    engine_export_list_init(&list);
    wasm_module_t module = wasm_runtime_get_module(instance->inst);
    int32_t count = wasm_runtime_get_export_count(module);
    for (int32_t i = 0; i < count; i++) {
        wasm_export_t exp;
        memset(&exp, 0, sizeof exp);
        wasm_runtime_get_export_type(module, i, &exp);
        if (exp.kind != WASM_IMPORT_EXPORT_KIND_FUNC || exp.name == NULL) {
            continue;
        }
        if (!engine_export_list_add(&list, exp.name, strlen(exp.name))) {
            break;
        }
    }
    return engine_error_not_found(err, errcap, name, &list);
}

/* ---- calls ------------------------------------------------------------------------------------------------ */

engine_status engine_call(engine_instance *instance, const char *name, const char *const *inputs, size_t n,
                          char *result, size_t resultcap, char *err, size_t errcap)
{
    engine_status status = engine_call_begin(instance != NULL, inputs, n, result, resultcap, err, errcap);
    if (status != ENGINE_OK) {
        return status;
    }
    const char *chosen = NULL;
    wasm_function_inst_t func = NULL;
    status = resolve(instance, name, &chosen, &func, err, errcap);
    if (status != ENGINE_OK) {
        return status;
    }
    uint32_t nparams = wasm_func_get_param_count(func, instance->inst);
    uint32_t nresults = wasm_func_get_result_count(func, instance->inst);
    status = engine_check_arguments(err, errcap, chosen, nparams, n);
    if (status == ENGINE_OK) {
        status = engine_check_result_count(err, errcap, nresults);
    }
    if (status != ENGINE_OK) {
        return status;
    }
    wasm_valkind_t param_kinds[ENGINE_MAX_PARAMS];
    wasm_valkind_t result_kinds[ENGINE_MAX_RESULTS];
    wasm_func_get_param_types(func, instance->inst, param_kinds);
    wasm_func_get_result_types(func, instance->inst, result_kinds);
    wasm_val_t args[ENGINE_MAX_PARAMS];
    memset(args, 0, sizeof args);
    for (size_t i = 0; i < n; i++) {
        engine_value value;
        status = engine_value_parse(engine_value_kind_of(param_kinds[i]), inputs[i], &value, err, errcap);
        if (status != ENGINE_OK) {
            return status;
        }
        args[i].kind = param_kinds[i];
        switch (value.kind) {
        case ENGINE_VALUE_I32:
            args[i].of.i32 = value.i32;
            break;
        case ENGINE_VALUE_I64:
            args[i].of.i64 = value.i64;
            break;
        case ENGINE_VALUE_F32:
            args[i].of.f32 = value.f32;
            break;
        default:
            args[i].of.f64 = value.f64;
            break;
        }
    }
    engine_value_kind result_kind = engine_value_kind_of(nresults > 0 ? result_kinds[0] : WASM_I32);
    status = engine_check_result_kind(err, errcap, chosen, nresults, result_kind);
    if (status != ENGINE_OK) {
        return status;
    }

    port_mutex_lock(g_engine.lock);
    if (instance->stop) {
        port_mutex_unlock(g_engine.lock);
        return engine_error_stopped(err, errcap);
    }
    wasm_runtime_clear_exception(instance->inst);
    instance->timed_out = false;
    instance->deadline_ms = instance->timeout_ms != 0 ? port_time_monotonic_ms() + instance->timeout_ms : 0;
    instance->running = true;
    port_mutex_unlock(g_engine.lock);

    wasm_val_t outs[ENGINE_MAX_RESULTS];
    memset(outs, 0, sizeof outs);
    note_memory_size(instance);
    bool owned = thread_env_begin();
    bool ok = wasm_runtime_call_wasm_a(instance->exec_env, func, nresults, outs, (uint32_t)n, n > 0 ? args : NULL);
    thread_env_end(owned);
    note_memory_size(instance);

    port_mutex_lock(g_engine.lock);
    instance->running = false;
    bool stopped = instance->stop;
    bool timed_out = instance->timed_out;
    port_mutex_unlock(g_engine.lock);

    if (ok) { /* like the host engine: a call that returned is a result, even if a stop came just after */
        if (nresults == 0) {
            return ENGINE_OK;
        }
        engine_value first;
        memset(&first, 0, sizeof first);
        first.kind = result_kind;
        switch (result_kind) {
        case ENGINE_VALUE_I32:
            first.i32 = outs[0].of.i32;
            break;
        case ENGINE_VALUE_I64:
            first.i64 = outs[0].of.i64;
            break;
        case ENGINE_VALUE_F32:
            first.f32 = outs[0].of.f32;
            break;
        default:
            first.f64 = outs[0].of.f64;
            break;
        }
        return engine_result_to_text(&first, result, resultcap, err, errcap);
    }
    if (stopped) {
        return engine_error_stopped(err, errcap);
    }
    if (timed_out) {
        return engine_error_timeout(err, errcap, instance->timeout_ms);
    }
    /* A refused memory.grow is invisible to us (the guest sees -1 and typically traps): see
     * engine_error_call_failed. */
    return engine_error_call_failed(err, errcap, chosen, bare_exception(wasm_runtime_get_exception(instance->inst)),
                                    default_memory_bytes(instance->inst), instance->max_memory_bytes);
}
