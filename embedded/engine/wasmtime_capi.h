/*
 * Hand-written declarations of the small part of the Wasmtime C API (release 50) that engine_wasmtime.c uses.
 * Only the host build includes this file; it links the libwasmtime.so shipped by the NuGet package Wasmtime 50.0.1,
 * which carries no C headers. Struct layouts follow the upstream headers (wasmtime/extern.h, wasmtime/val.h,
 * wasmtime/instance.h, wasm.h) of that release and are pinned by the _Static_asserts at the end; a run-time check in
 * tests/engine/test_engine_layout.c confirms them against the library itself.
 */
#ifndef PROPLET_WASMTIME_CAPI_H
#define PROPLET_WASMTIME_CAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opaque handles. */
typedef struct wasm_config_t wasm_config_t;
typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasm_trap_t wasm_trap_t;
typedef struct wasm_functype_t wasm_functype_t;
typedef struct wasm_valtype_t wasm_valtype_t;
typedef struct wasm_importtype_t wasm_importtype_t;
typedef struct wasmtime_error wasmtime_error_t;
typedef struct wasmtime_store wasmtime_store_t;
typedef struct wasmtime_context wasmtime_context_t;
typedef struct wasmtime_module wasmtime_module_t;
typedef struct wasmtime_linker wasmtime_linker_t;
typedef struct wasmtime_caller wasmtime_caller_t;

/* wasm.h vectors. */
typedef struct wasm_byte_vec_t {
    size_t size;
    char *data;
} wasm_byte_vec_t;
typedef wasm_byte_vec_t wasm_name_t;
typedef wasm_byte_vec_t wasm_message_t;

typedef struct wasm_valtype_vec_t {
    size_t size;
    wasm_valtype_t **data;
} wasm_valtype_vec_t;

typedef struct wasm_importtype_vec_t {
    size_t size;
    wasm_importtype_t **data;
} wasm_importtype_vec_t;

typedef uint8_t wasm_valkind_t;
enum { WASM_I32 = 0, WASM_I64 = 1, WASM_F32 = 2, WASM_F64 = 3 };

/* wasmtime/extern.h */
typedef struct wasmtime_func {
    uint64_t store_id;
    size_t private_index;
} wasmtime_func_t;

typedef struct wasmtime_memory {
    uint64_t store_id;
    size_t private_index1;
    uint32_t private_index2;
} wasmtime_memory_t;

typedef uint8_t wasmtime_extern_kind_t;
enum { WASMTIME_EXTERN_FUNC = 0, WASMTIME_EXTERN_MEMORY = 3 };

typedef struct wasmtime_extern {
    wasmtime_extern_kind_t kind;
    union {
        wasmtime_func_t func;
        wasmtime_memory_t memory;
        /* The largest members upstream (table, memory) are 24 bytes with 8-byte alignment. */
        uint64_t largest[3];
    } of;
} wasmtime_extern_t;

/* wasmtime/instance.h */
typedef struct wasmtime_instance {
    uint64_t store_id;
    size_t private_index;
} wasmtime_instance_t;

/* wasmtime/val.h: the union's largest upstream members are the 24-byte GC references. */
typedef uint8_t wasmtime_valkind_t;
enum { WASMTIME_I32 = 0, WASMTIME_I64 = 1, WASMTIME_F32 = 2, WASMTIME_F64 = 3 };

typedef struct wasmtime_val {
    wasmtime_valkind_t kind;
    union {
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        uint64_t largest[3];
    } of;
} wasmtime_val_t;

typedef uint8_t wasmtime_update_deadline_kind_t;
enum { WASMTIME_UPDATE_DEADLINE_CONTINUE = 0 };

typedef wasm_trap_t *(*wasmtime_func_callback_t)(void *env, wasmtime_caller_t *caller, const wasmtime_val_t *args,
                                                 size_t nargs, wasmtime_val_t *results, size_t nresults);

typedef wasmtime_error_t *(*wasmtime_epoch_callback_t)(wasmtime_context_t *context, void *data,
                                                      uint64_t *epoch_deadline_delta,
                                                      wasmtime_update_deadline_kind_t *update_kind);

/* Engine and configuration. */
wasm_config_t *wasm_config_new(void);
void wasmtime_config_epoch_interruption_set(wasm_config_t *config, bool enable);
void wasmtime_config_max_wasm_stack_set(wasm_config_t *config, size_t size);
wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *config);
void wasm_engine_delete(wasm_engine_t *engine);
void wasmtime_engine_increment_epoch(wasm_engine_t *engine);

/* Errors and traps. */
wasmtime_error_t *wasmtime_error_new(const char *message);
void wasmtime_error_message(const wasmtime_error_t *error, wasm_name_t *message);
void wasmtime_error_delete(wasmtime_error_t *error);
wasm_trap_t *wasmtime_trap_new(const char *message, size_t len);
void wasm_trap_message(const wasm_trap_t *trap, wasm_message_t *out);
void wasm_trap_delete(wasm_trap_t *trap);
void wasm_byte_vec_delete(wasm_byte_vec_t *vec);

/* Text format, used by the tests. */
wasmtime_error_t *wasmtime_wat2wasm(const char *wat, size_t wat_len, wasm_byte_vec_t *ret);

/* Modules. */
wasmtime_error_t *wasmtime_module_validate(wasm_engine_t *engine, const uint8_t *wasm, size_t wasm_len);
wasmtime_error_t *wasmtime_module_new(wasm_engine_t *engine, const uint8_t *wasm, size_t wasm_len,
                                      wasmtime_module_t **ret);
void wasmtime_module_delete(wasmtime_module_t *module);
void wasmtime_module_imports(const wasmtime_module_t *module, wasm_importtype_vec_t *out);
void wasm_importtype_vec_delete(wasm_importtype_vec_t *vec);
const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *type);
const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *type);

/* Types. */
wasm_valtype_t *wasm_valtype_new(wasm_valkind_t kind);
wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *type);
void wasm_valtype_vec_new(wasm_valtype_vec_t *out, size_t size, wasm_valtype_t *const data[]);
void wasm_valtype_vec_new_empty(wasm_valtype_vec_t *out);
wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params, wasm_valtype_vec_t *results);
const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *type);
const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *type);
void wasm_functype_delete(wasm_functype_t *type);

/* Stores. */
wasmtime_store_t *wasmtime_store_new(wasm_engine_t *engine, void *data, void (*finalizer)(void *));
wasmtime_context_t *wasmtime_store_context(wasmtime_store_t *store);
void wasmtime_store_delete(wasmtime_store_t *store);
void *wasmtime_context_get_data(const wasmtime_context_t *context);
void wasmtime_store_limiter(wasmtime_store_t *store, int64_t memory_size, int64_t table_elements, int64_t instances,
                            int64_t tables, int64_t memories);
void wasmtime_context_set_epoch_deadline(wasmtime_context_t *context, uint64_t ticks_beyond_current);
void wasmtime_store_epoch_deadline_callback(wasmtime_store_t *store, wasmtime_epoch_callback_t func, void *data,
                                            void (*finalizer)(void *));

/* Linking and instances. */
wasmtime_linker_t *wasmtime_linker_new(wasm_engine_t *engine);
void wasmtime_linker_delete(wasmtime_linker_t *linker);
wasmtime_error_t *wasmtime_linker_define_func(wasmtime_linker_t *linker, const char *module, size_t module_len,
                                              const char *name, size_t name_len, const wasm_functype_t *type,
                                              wasmtime_func_callback_t callback, void *data,
                                              void (*finalizer)(void *));
wasmtime_error_t *wasmtime_linker_instantiate(const wasmtime_linker_t *linker, wasmtime_context_t *store,
                                              const wasmtime_module_t *module, wasmtime_instance_t *instance,
                                              wasm_trap_t **trap);
bool wasmtime_instance_export_get(wasmtime_context_t *store, const wasmtime_instance_t *instance, const char *name,
                                  size_t name_len, wasmtime_extern_t *item);
bool wasmtime_instance_export_nth(wasmtime_context_t *store, const wasmtime_instance_t *instance, size_t index,
                                  char **name, size_t *name_len, wasmtime_extern_t *item);

/* Functions and callers. */
wasm_functype_t *wasmtime_func_type(const wasmtime_context_t *store, const wasmtime_func_t *func);
wasmtime_error_t *wasmtime_func_call(wasmtime_context_t *store, const wasmtime_func_t *func,
                                     const wasmtime_val_t *args, size_t nargs, wasmtime_val_t *results,
                                     size_t nresults, wasm_trap_t **trap);
bool wasmtime_caller_export_get(wasmtime_caller_t *caller, const char *name, size_t name_len,
                                wasmtime_extern_t *item);
wasmtime_context_t *wasmtime_caller_context(wasmtime_caller_t *caller);

/* Memories. */
uint8_t *wasmtime_memory_data(const wasmtime_context_t *store, const wasmtime_memory_t *memory);
size_t wasmtime_memory_data_size(const wasmtime_context_t *store, const wasmtime_memory_t *memory);

/* Layouts of Wasmtime 50 on 64-bit hosts; a mismatch would corrupt every call across the C API. */
_Static_assert(sizeof(void *) == 8, "the host build supports 64-bit targets only");
_Static_assert(sizeof(wasmtime_val_t) == 32, "wasmtime_val_t must be 32 bytes");
_Static_assert(offsetof(wasmtime_val_t, of) == 8, "wasmtime_val_t payload must start at offset 8");
_Static_assert(sizeof(wasmtime_extern_t) == 32, "wasmtime_extern_t must be 32 bytes");
_Static_assert(offsetof(wasmtime_extern_t, of) == 8, "wasmtime_extern_t payload must start at offset 8");
_Static_assert(sizeof(wasmtime_func_t) == 16, "wasmtime_func_t must be 16 bytes");
_Static_assert(sizeof(wasmtime_memory_t) == 24, "wasmtime_memory_t must be 24 bytes");
_Static_assert(sizeof(wasmtime_instance_t) == 16, "wasmtime_instance_t must be 16 bytes");
_Static_assert(sizeof(wasm_byte_vec_t) == 16, "wasm_byte_vec_t must be 16 bytes");

#endif
