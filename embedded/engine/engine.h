/*
 * engine.h: the proplet's WebAssembly engine, independent of the runtime behind it. The host build implements it
 * with Wasmtime (engine_wasmtime.c), the Zephyr build with WAMR (engine_wamr.c). No runtime type leaks through.
 *
 * Threading: one engine per process (engine_init/engine_shutdown). Modules may be shared by many instances; an
 * instance is used by one thread at a time (the worker that calls engine_call), except engine_request_stop and
 * engine_memory_stats_get, which any thread may call at any time while the instance exists. engine_tick may be
 * called from any thread.
 *
 * Guest ABI (imports under module "env"; a module may import any subset of them and nothing else; all pointers
 * are offsets into the guest's exported memory "memory"; an out-of-bounds range traps the guest, never the host):
 *
 *   (import "env" "get_proplet_id" (func (param i32 i32) (result i32)))
 *       get_proplet_id(ptr, cap): copies the proplet id (UTF-8, no terminating NUL) to [ptr, ptr+len) and returns
 *       len; returns -1 and writes nothing when cap < len.
 *   (import "env" "get_input" (func (param i32 i32 i32) (result i32)))
 *       get_input(index, ptr, cap): copies the task's input number `index` (0-based, the string as received, no NUL)
 *       to [ptr, ptr+len) and returns len; returns -1 and writes nothing when cap < len; returns -2 when there is
 *       no input `index`.
 *   (import "env" "log" (func (param i32 i32)))
 *       log(ptr, len): hands the bytes [ptr, ptr+len) to the proplet's log callback (at most ENGINE_LOG_MAX bytes;
 *       longer messages are cut).
 *
 *   A negative cap or len, or a range that does not lie inside the memory, traps with "out of bounds"; calling any
 *   of them from a module without an exported memory "memory" traps. Any other import fails instantiation.
 *
 * Calls: engine_call looks up the export `name`, falling back to "main", "run", then "_start"; parses each string
 * input against the parameter type (i32/i64: optional sign and decimal digits; f32/f64: decimal with optional
 * fraction and exponent, or inf/infinity/nan in any case, optionally signed); and formats the first result as the
 * .NET proplet does ("30", "0.1", "1000000000000000000000", "NaN", "inf", "-inf"; "" when there is no result).
 * At most 16 parameters. Limits: a call past its timeout_ms fails with "task exceeded its time limit of N ms"; a
 * memory.grow past the cap returns -1 to the guest (Wasm semantics), and a call that then fails while the memory
 * cannot grow by another page is reported as "task exceeded its memory limit of N bytes: ..."; a module whose
 * initial memory is over the cap fails instantiation with the same prefix. Only that instance is affected.
 */
#ifndef PROPLET_ENGINE_H
#define PROPLET_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ENGINE_DEFAULT_MAX_MEMORY_BYTES (64u * 1024u)
#define ENGINE_DEFAULT_WASM_STACK_BYTES (16u * 1024u)
#define ENGINE_DEFAULT_MAX_INSTANCES 24u
#define ENGINE_LOG_MAX 1024u

/* The text a stopped call reports, as the .NET proplet publishes it. */
#define ENGINE_STOPPED_TEXT "Task was cancelled or panicked"

typedef enum engine_status {
    ENGINE_OK = 0,
    ENGINE_ERR_ARGUMENT,    /* bad API use: NULL handle, engine not initialised, too-small buffer */
    ENGINE_ERR_LOAD,        /* the bytes are not a valid module */
    ENGINE_ERR_INSTANTIATE, /* unknown import, start function trapped, too many instances */
    ENGINE_ERR_NOT_FOUND,   /* neither the export nor a fallback exists */
    ENGINE_ERR_INPUT,       /* argument count or parse error, unsupported parameter or result type */
    ENGINE_ERR_TRAP,        /* the guest trapped */
    ENGINE_ERR_STOPPED,     /* engine_request_stop ended the call */
    ENGINE_ERR_TIMEOUT,     /* the call ran past limits.timeout_ms */
    ENGINE_ERR_MEMORY,      /* the guest failed at its memory limit */
} engine_status;

typedef struct engine_config {
    uint32_t max_memory_bytes; /* default linear-memory cap of an instance; 0 = ENGINE_DEFAULT_MAX_MEMORY_BYTES */
    uint32_t wasm_stack_bytes; /* wasm stack of every call; 0 = ENGINE_DEFAULT_WASM_STACK_BYTES */
    uint32_t max_instances;    /* live instances at once; 0 = ENGINE_DEFAULT_MAX_INSTANCES */
} engine_config;

typedef struct engine_limits {
    uint32_t max_memory_bytes; /* 0 = the engine's default */
    uint32_t timeout_ms;       /* wall-clock limit of each engine_call; 0 = none */
} engine_limits;

typedef void (*engine_log_fn)(void *user, const char *message, size_t len);

/* Borrowed by the instance: everything pointed to must outlive it. */
typedef struct engine_host {
    const char *proplet_id;         /* for env.get_proplet_id; NULL = "" */
    const char *const *inputs;      /* for env.get_input */
    size_t input_count;
    engine_log_fn log;              /* for env.log; NULL drops the messages */
    void *log_user;
} engine_host;

typedef struct engine_memory_stats {
    size_t linear_bytes;     /* current size of the exported memory "memory" (0 if none) */
    size_t max_linear_bytes; /* the instance's cap */
} engine_memory_stats;

typedef struct engine_module engine_module;
typedef struct engine_instance engine_instance;

/* Creates the process's engine; NULL config = all defaults. Fails if already initialised. */
engine_status engine_init(const engine_config *config);
/* Destroys the engine; every instance and module must be gone. */
void engine_shutdown(void);

/* Validates and compiles a module; NULL with the reason in err on failure. */
engine_module *engine_load(const uint8_t *bytes, size_t len, char *err, size_t errcap);
void engine_unload(engine_module *module);

/* limits NULL = engine defaults, host NULL = no host data. NULL with the reason in err on failure. */
engine_instance *engine_instantiate(engine_module *module, const engine_limits *limits, const engine_host *host,
                                    char *err, size_t errcap);
void engine_destroy_instance(engine_instance *instance);

/* Runs one export; on ENGINE_OK result holds the formatted first result, otherwise err holds the reason. */
engine_status engine_call(engine_instance *instance, const char *name, const char *const *inputs, size_t n,
                          char *result, size_t resultcap, char *err, size_t errcap);

/* Thread-safe; makes the running (or the next) call on the instance return ENGINE_ERR_STOPPED with the text
 * ENGINE_STOPPED_TEXT promptly (well under 1 s; the stop is sticky). The caller must not call it after (or while)
 * engine_destroy_instance runs on the same instance. */
void engine_request_stop(engine_instance *instance);

/* Thread-safe; lets running calls notice their wall-clock deadline. Call it from the main loop's timer, e.g.
 * every 50-100 ms: a call is stopped at the first tick after its deadline. */
void engine_tick(void);

/* Safe from any thread (the main loop calls it while the instance's worker runs a call): it never touches the
 * runtime's store from the calling thread but returns the size the guest's own thread last recorded: after
 * instantiation, before and after each call, and while a call runs at every engine_tick (Wasmtime's epoch callback),
 * so it may lag the guest by one tick. WAMR has no such hook: there the running guest records it at each env import
 * it calls (see engine_wamr.c). Same lifetime rule as engine_request_stop. */
engine_status engine_memory_stats_get(engine_instance *instance, engine_memory_stats *out);

#ifdef __cplusplus
}
#endif

#endif
