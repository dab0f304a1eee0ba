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
 *                     parsing and result formatting identical to engine_wasmtime.c, wasm_runtime_call_wasm_a.
 *   stop / timeout    engine_request_stop and engine_tick call wasm_runtime_terminate on a running instance (its
 *                     flags and the "running" mark are guarded by one mutex, so a terminate never races a destroy).
 *
 * Limits actually enforced: the linear-memory cap (initial size checked before and after instantiation; growth
 * refused by WAMR through max_memory_pages, the guest sees memory.grow = -1); the wasm operand/frame stack (WAMR's
 * exec env stack, "wasm operand stack overflow"); the wall-clock limit at engine_tick granularity. Not covered: a
 * start function runs inside wasm_runtime_instantiate_ex before there is a handle to terminate, so neither stop nor
 * timeout can end it (modules built for the proplet export functions and have no start function).
 */
#include "engine.h"
#include "port.h"

#include "wasm_export.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ENGINE_WAMR_POOL_BYTES
#define ENGINE_WAMR_POOL_BYTES 0 /* 0: WAMR's system allocator (os_malloc); else a static pool of that size */
#endif

#define WASM_PAGE 65536u
#define ENGINE_MAX_PARAMS 16u
#define ENGINE_MAX_RESULTS 4u
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

static const char *const k_fallbacks[] = {"main", "run", "_start"};

static void set_text(char *buf, size_t cap, const char *text)
{
    if (buf != NULL && cap > 0) {
        snprintf(buf, cap, "%s", text);
    }
}

/* WAMR prefixes exceptions with "Exception: "; the proplet reports the bare text like the host engine. */
static const char *bare_exception(const char *text)
{
    static const char prefix[] = "Exception: ";
    if (text == NULL) {
        return "unknown failure";
    }
    return strncmp(text, prefix, sizeof prefix - 1) == 0 ? text + sizeof prefix - 1 : text;
}

/* ---- host functions (module "env") ------------------------------------------------------------------------ */

static struct engine_instance *self_of(wasm_module_inst_t inst)
{
    return (struct engine_instance *)wasm_runtime_get_custom_data(inst);
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
        set_text(err, errcap, "engine not initialised");
        return NULL;
    }
    if (bytes == NULL || len == 0 || len > UINT32_MAX) {
        set_text(err, errcap, "Failed to compile WAMR module from binary: empty or oversized module");
        return NULL;
    }
    engine_module *handle = calloc(1, sizeof *handle);
    uint8_t *copy = malloc(len);
    if (handle == NULL || copy == NULL) {
        free(handle);
        free(copy);
        set_text(err, errcap, "out of host memory");
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

static uint64_t default_memory_bytes(wasm_module_inst_t inst)
{
    wasm_memory_inst_t mem = wasm_runtime_get_default_memory(inst);
    if (mem == NULL) {
        return 0;
    }
    return wasm_memory_get_cur_page_count(mem) * wasm_memory_get_bytes_per_page(mem);
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
        set_text(err, errcap, !g_engine.ready ? "engine not initialised" : "no module");
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
        set_text(err, errcap, "out of host memory");
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
    self->exec_env = wasm_runtime_create_exec_env(self->inst, g_engine.wasm_stack_bytes);
    thread_env_end(owned);
    if (self->exec_env == NULL) {
        wasm_runtime_deinstantiate(self->inst);
        set_text(err, errcap, "Failed to instantiate WAMR module: cannot create the execution environment");
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
    out->linear_bytes = (size_t)default_memory_bytes(instance->inst);
    out->max_linear_bytes = instance->max_memory_bytes;
    return ENGINE_OK;
}

/* ---- calls: lookup ---------------------------------------------------------------------------------------- */

/* Appends `"name"` (quotes and backslashes escaped) to buf at *used; false once the buffer is full. */
static bool append_quoted(char *buf, size_t cap, size_t *used, const char *name)
{
    if (*used + 1 >= cap) {
        return false;
    }
    buf[(*used)++] = '"';
    for (const char *p = name; *p != '\0'; p++) {
        bool esc = *p == '"' || *p == '\\';
        if (*used + (esc ? 2u : 1u) + 1 >= cap) {
            buf[*used] = '\0';
            return false;
        }
        if (esc) {
            buf[(*used)++] = '\\';
        }
        buf[(*used)++] = *p;
    }
    if (*used + 1 >= cap) {
        buf[*used] = '\0';
        return false;
    }
    buf[(*used)++] = '"';
    buf[*used] = '\0';
    return true;
}

static engine_status resolve(engine_instance *instance, const char *name, const char **chosen,
                             wasm_function_inst_t *func, char *err, size_t errcap)
{
    if (name != NULL && name[0] != '\0' && (*func = wasm_runtime_lookup_function(instance->inst, name)) != NULL) {
        *chosen = name;
        return ENGINE_OK;
    }
    for (size_t i = 0; i < sizeof k_fallbacks / sizeof k_fallbacks[0]; i++) {
        if ((*func = wasm_runtime_lookup_function(instance->inst, k_fallbacks[i])) != NULL) {
            *chosen = k_fallbacks[i];
            return ENGINE_OK;
        }
    }
    char list[256];
    size_t used = 0;
    list[0] = '\0';
    bool room = true;
    bool first = true;
    wasm_module_t module = wasm_runtime_get_module(instance->inst);
    int32_t count = wasm_runtime_get_export_count(module);
    for (int32_t i = 0; room && i < count; i++) {
        wasm_export_t exp;
        memset(&exp, 0, sizeof exp);
        wasm_runtime_get_export_type(module, i, &exp);
        if (exp.kind != WASM_IMPORT_EXPORT_KIND_FUNC || exp.name == NULL) {
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
        room = append_quoted(list, sizeof list, &used, exp.name);
    }
    if (err != NULL && errcap > 0) {
        snprintf(err, errcap,
                 "Function '%s' not found, and fallbacks [\"main\", \"run\", \"_start\"] also not found in module "
                 "exports. Available function exports: [%s]",
                 name != NULL ? name : "", list);
    }
    return ENGINE_ERR_NOT_FOUND;
}

/* ---- calls: arguments and results (same accepted forms and texts as engine_wasmtime.c) -------------------- */

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
    case WASM_V128:
        return "V128";
    default:
        return "reference";
    }
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
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
        if (!is_digit(*s)) {
            return false;
        }
    }
    return true;
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

static engine_status parse_arg(wasm_valkind_t kind, const char *input, wasm_val_t *out, char *err, size_t errcap)
{
    const char *type = kind == WASM_I32 ? "i32" : kind == WASM_I64 ? "i64" : kind == WASM_F32 ? "f32" : "f64";
    const char *reason = NULL;
    memset(out, 0, sizeof *out);
    out->kind = kind;
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
                out->of.i32 = (int32_t)v;
            } else {
                out->of.i64 = (int64_t)v;
            }
        }
    } else if (kind == WASM_F32 || kind == WASM_F64) {
        double special;
        if (special_float(input, &special)) {
            if (kind == WASM_F32) {
                out->of.f32 = (float)special;
            } else {
                out->of.f64 = special;
            }
        } else if (input[0] == '\0') {
            reason = "cannot parse float from empty string";
        } else if (!is_decimal_text(input)) {
            reason = "invalid float literal";
        } else if (kind == WASM_F32) {
            out->of.f32 = strtof(input, NULL);
        } else {
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
    const char *s = sci; /* [-]d[.ddd]e[+-]xx */
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

static engine_status format_result(const wasm_val_t *value, char *result, size_t cap)
{
    char text[400];
    switch (value->kind) {
    case WASM_I32:
        snprintf(text, sizeof text, "%d", (int)value->of.i32);
        break;
    case WASM_I64:
        snprintf(text, sizeof text, "%lld", (long long)value->of.i64);
        break;
    case WASM_F32:
        format_float((double)value->of.f32, true, text, sizeof text);
        break;
    default:
        format_float(value->of.f64, false, text, sizeof text);
        break;
    }
    size_t len = strlen(text);
    if (len >= cap) {
        return ENGINE_ERR_ARGUMENT;
    }
    memcpy(result, text, len + 1);
    return ENGINE_OK;
}

/* ---- calls ------------------------------------------------------------------------------------------------ */

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
    const char *chosen = NULL;
    wasm_function_inst_t func = NULL;
    engine_status status = resolve(instance, name, &chosen, &func, err, errcap);
    if (status != ENGINE_OK) {
        return status;
    }
    uint32_t nparams = wasm_func_get_param_count(func, instance->inst);
    uint32_t nresults = wasm_func_get_result_count(func, instance->inst);
    if (nparams != n) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Argument count mismatch for function '%s': expected %u arguments but got %zu",
                     chosen, (unsigned)nparams, n);
        }
        return ENGINE_ERR_INPUT;
    }
    if (nparams > ENGINE_MAX_PARAMS) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Function '%s' takes %u parameters; at most %u are supported", chosen,
                     (unsigned)nparams, ENGINE_MAX_PARAMS);
        }
        return ENGINE_ERR_INPUT;
    }
    if (nresults > ENGINE_MAX_RESULTS) {
        set_text(err, errcap, "functions with more than 4 results are not supported");
        return ENGINE_ERR_INPUT;
    }
    wasm_valkind_t param_kinds[ENGINE_MAX_PARAMS];
    wasm_valkind_t result_kinds[ENGINE_MAX_RESULTS];
    wasm_func_get_param_types(func, instance->inst, param_kinds);
    wasm_func_get_result_types(func, instance->inst, result_kinds);
    wasm_val_t args[ENGINE_MAX_PARAMS];
    for (size_t i = 0; i < n; i++) {
        status = parse_arg(param_kinds[i], inputs[i] != NULL ? inputs[i] : "", &args[i], err, errcap);
        if (status != ENGINE_OK) {
            return status;
        }
    }
    if (nresults > 0 && result_kinds[0] > WASM_F64) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Unsupported Wasm result type %s of function '%s'", kind_name(result_kinds[0]),
                     chosen);
        }
        return ENGINE_ERR_INPUT;
    }

    port_mutex_lock(g_engine.lock);
    if (instance->stop) {
        port_mutex_unlock(g_engine.lock);
        set_text(err, errcap, ENGINE_STOPPED_TEXT);
        return ENGINE_ERR_STOPPED;
    }
    wasm_runtime_clear_exception(instance->inst);
    instance->timed_out = false;
    instance->deadline_ms = instance->timeout_ms != 0 ? port_time_monotonic_ms() + instance->timeout_ms : 0;
    instance->running = true;
    port_mutex_unlock(g_engine.lock);

    wasm_val_t outs[ENGINE_MAX_RESULTS];
    memset(outs, 0, sizeof outs);
    bool owned = thread_env_begin();
    bool ok = wasm_runtime_call_wasm_a(instance->exec_env, func, nresults, outs, (uint32_t)n, n > 0 ? args : NULL);
    thread_env_end(owned);

    port_mutex_lock(g_engine.lock);
    instance->running = false;
    bool stopped = instance->stop;
    bool timed_out = instance->timed_out;
    port_mutex_unlock(g_engine.lock);

    if (ok) { /* like the host engine: a call that returned is a result, even if a stop came just after */
        if (nresults == 0) {
            return ENGINE_OK;
        }
        outs[0].kind = result_kinds[0];
        if (format_result(&outs[0], result, resultcap) != ENGINE_OK) {
            set_text(err, errcap, "result buffer too small");
            return ENGINE_ERR_ARGUMENT;
        }
        return ENGINE_OK;
    }
    if (stopped) {
        set_text(err, errcap, ENGINE_STOPPED_TEXT);
        return ENGINE_ERR_STOPPED;
    }
    if (timed_out) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "task exceeded its time limit of %u ms", (unsigned)instance->timeout_ms);
        }
        return ENGINE_ERR_TIMEOUT;
    }
    const char *text = bare_exception(wasm_runtime_get_exception(instance->inst));
    /* A refused memory.grow is invisible to us (the guest sees -1 and typically traps), so a failure while the
     * memory cannot grow by another page counts as the memory limit, as in the host engine. */
    uint64_t linear = default_memory_bytes(instance->inst);
    if (linear > 0 && linear + WASM_PAGE > instance->max_memory_bytes) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "task exceeded its memory limit of %u bytes: Failed to call function '%s': %s",
                     (unsigned)instance->max_memory_bytes, chosen, text);
        }
        return ENGINE_ERR_MEMORY;
    }
    if (err != NULL && errcap > 0) {
        snprintf(err, errcap, "Failed to call function '%s': %s", chosen, text);
    }
    return ENGINE_ERR_TRAP;
}
