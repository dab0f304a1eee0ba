/* Confirms at run time, against libwasmtime.so itself, the struct layouts that wasmtime_capi.h pins with
 * _Static_assert: values passed and returned in arrays (wasmtime_val_t stride), externs and instances written by the
 * library (nothing past their declared size is touched; the payload sits at the declared offset). */
#include "engine_test_util.h"

#include <math.h>

static const char k_wat[] =
    "(module\n"
    "  (memory (export \"memory\") 2 3)\n"
    "  (func (export \"mix\") (param i32 i64 f32 f64) (result i64 f64 i32 f32)\n"
    "    (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1))\n"
    "    (f64.add (f64.promote_f32 (local.get 2)) (local.get 3))\n"
    "    (i32.wrap_i64 (local.get 1))\n"
    "    (local.get 2)))\n";

#define CANARY 0xA5

static size_t untouched_tail(const unsigned char *buf, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        n += buf[i] == CANARY;
    }
    return n;
}

int main(void)
{
    printf("sizeof wasmtime_val_t=%zu wasmtime_extern_t=%zu wasmtime_func_t=%zu wasmtime_memory_t=%zu\n",
           sizeof(wasmtime_val_t), sizeof(wasmtime_extern_t), sizeof(wasmtime_func_t), sizeof(wasmtime_memory_t));
    wasm_config_t *config = wasm_config_new();
    REQUIRE(config != NULL);
    wasm_engine_t *engine = wasm_engine_new_with_config(config);
    REQUIRE(engine != NULL);

    wasm_byte_vec_t wasm;
    REQUIRE(wasmtime_wat2wasm(k_wat, strlen(k_wat), &wasm) == NULL);
    wasmtime_module_t *module = NULL;
    REQUIRE(wasmtime_module_new(engine, (const uint8_t *)wasm.data, wasm.size, &module) == NULL);
    wasm_byte_vec_delete(&wasm);

    wasmtime_store_t *store = wasmtime_store_new(engine, NULL, NULL);
    wasmtime_context_t *ctx = wasmtime_store_context(store);
    wasmtime_linker_t *linker = wasmtime_linker_new(engine);

    /* wasmtime_instance_t: 16 bytes written, nothing after. */
    _Alignas(8) unsigned char instance_buf[64];
    memset(instance_buf, CANARY, sizeof instance_buf);
    wasm_trap_t *trap = NULL;
    wasmtime_instance_t *instance = (wasmtime_instance_t *)(void *)instance_buf;
    REQUIRE(wasmtime_linker_instantiate(linker, ctx, module, instance, &trap) == NULL && trap == NULL);
    CHECK_INT(sizeof instance_buf - sizeof(wasmtime_instance_t),
              untouched_tail(instance_buf, sizeof(wasmtime_instance_t), sizeof instance_buf));
    CHECK(instance->store_id != 0);

    /* wasmtime_extern_t for a memory: kind at 0, payload at 8, 32 bytes in all. */
    _Alignas(8) unsigned char extern_buf[96];
    memset(extern_buf, CANARY, sizeof extern_buf);
    wasmtime_extern_t *item = (wasmtime_extern_t *)(void *)extern_buf;
    REQUIRE(wasmtime_instance_export_get(ctx, instance, "memory", 6, item));
    CHECK_INT(WASMTIME_EXTERN_MEMORY, item->kind);
    CHECK_INT(sizeof extern_buf - sizeof(wasmtime_extern_t),
              untouched_tail(extern_buf, sizeof(wasmtime_extern_t), sizeof extern_buf));
    CHECK(item->of.memory.store_id == instance->store_id);
    /* wasmtime_memory_t read back by the library: its size must be the declared 2 pages. */
    CHECK_INT(2 * 65536, wasmtime_memory_data_size(ctx, &item->of.memory));

    /* wasmtime_extern_t for a function, and wasmtime_func_t handed back to the library. */
    memset(extern_buf, CANARY, sizeof extern_buf);
    REQUIRE(wasmtime_instance_export_get(ctx, instance, "mix", 3, item));
    CHECK_INT(WASMTIME_EXTERN_FUNC, item->kind);
    CHECK_INT(sizeof extern_buf - sizeof(wasmtime_extern_t),
              untouched_tail(extern_buf, sizeof(wasmtime_extern_t), sizeof extern_buf));
    wasmtime_func_t func = item->of.func;
    CHECK(func.store_id == instance->store_id);

    /* wasmtime_val_t arrays: four mixed arguments in, four mixed results out, canary after the last result. */
    wasmtime_val_t args[4];
    memset(args, 0, sizeof args);
    args[0].kind = WASMTIME_I32;
    args[0].of.i32 = -7;
    args[1].kind = WASMTIME_I64;
    args[1].of.i64 = 10000000000LL;
    args[2].kind = WASMTIME_F32;
    args[2].of.f32 = 1.5f;
    args[3].kind = WASMTIME_F64;
    args[3].of.f64 = 0.25;
    _Alignas(8) unsigned char results_buf[4 * sizeof(wasmtime_val_t) + 64];
    memset(results_buf, CANARY, sizeof results_buf);
    wasmtime_val_t *results = (wasmtime_val_t *)(void *)results_buf;
    wasmtime_error_t *error = wasmtime_func_call(ctx, &func, args, 4, results, 4, &trap);
    REQUIRE(error == NULL && trap == NULL);
    CHECK_INT(WASMTIME_I64, results[0].kind);
    CHECK_INT(10000000000LL - 7, results[0].of.i64);
    CHECK_INT(WASMTIME_F64, results[1].kind);
    CHECK(fabs(results[1].of.f64 - 1.75) < 1e-12);
    CHECK_INT(WASMTIME_I32, results[2].kind);
    CHECK_INT((int32_t)(10000000000LL & 0xffffffff), results[2].of.i32);
    CHECK_INT(WASMTIME_F32, results[3].kind);
    CHECK(results[3].of.f32 == 1.5f);
    CHECK_INT(64, untouched_tail(results_buf, 4 * sizeof(wasmtime_val_t), sizeof results_buf));

    wasmtime_linker_delete(linker);
    wasmtime_store_delete(store);
    wasmtime_module_delete(module);
    wasm_engine_delete(engine);
    return check_done("test_engine_layout");
}
