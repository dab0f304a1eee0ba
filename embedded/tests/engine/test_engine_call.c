/* engine_load / engine_instantiate / engine_call: results, export fallbacks, argument parsing and formatting,
 * and the error texts of the .NET proplet. */
#include "engine_test_util.h"

static const char k_numbers[] =
    "(module\n"
    "  (func (export \"neg64\") (param i64) (result i64) (i64.sub (i64.const 0) (local.get 0)))\n"
    "  (func (export \"half32\") (param f32) (result f32) (f32.div (local.get 0) (f32.const 2)))\n"
    "  (func (export \"id64\") (param f64) (result f64) (local.get 0))\n"
    "  (func (export \"id32\") (param f32) (result f32) (local.get 0))\n"
    "  (func (export \"nothing\"))\n"
    "  (func (export \"ref\") (result funcref) (ref.null func))\n"
    "  (func (export \"boom\") (result i32) unreachable))\n";

static const char k_with_main[] = "(module (func (export \"main\") (result i32) (i32.const 42)))";
static const char k_with_run[] = "(module (func (export \"run\") (result i32) (i32.const 7)))";
static const char k_import_other[] = "(module (import \"wasi_snapshot_preview1\" \"fd_write\" "
                                     "(func (param i32 i32 i32 i32) (result i32))) (func (export \"main\")))";

static char g_result[256];
static char g_err[512];

static engine_status call(engine_instance *inst, const char *name, const char *const *inputs, size_t n)
{
    g_result[0] = '\0';
    g_err[0] = '\0';
    return engine_call(inst, name, inputs, n, g_result, sizeof g_result, g_err, sizeof g_err);
}

static engine_instance *instantiate(engine_module *module)
{
    char err[512] = "";
    engine_instance *inst = engine_instantiate(module, NULL, NULL, err, sizeof err);
    if (inst == NULL) {
        fprintf(stderr, "instantiate failed: %s\n", err);
        exit(1);
    }
    return inst;
}

static void test_add(void)
{
    char *wat = read_text_file(PROPLET_EXAMPLES_DIR "/add/add.wat");
    REQUIRE(wat != NULL);
    engine_module *module = load_wat(wat);
    free(wat);
    engine_instance *inst = instantiate(module);

    const char *const args[] = {"10", "20"};
    CHECK_INT(ENGINE_OK, call(inst, "add", args, 2));
    CHECK_STR("30", g_result);

    const char *const negative[] = {"-5", "+3"};
    CHECK_INT(ENGINE_OK, call(inst, "add", negative, 2));
    CHECK_STR("-2", g_result);

    const char *const wraps[] = {"2147483647", "1"};
    CHECK_INT(ENGINE_OK, call(inst, "add", wraps, 2));
    CHECK_STR("-2147483648", g_result);

    /* Wrong count. */
    CHECK_INT(ENGINE_ERR_INPUT, call(inst, "add", args, 1));
    CHECK_STR("Argument count mismatch for function 'add': expected 2 arguments but got 1", g_err);

    /* Wrong forms. */
    const char *const bad_digit[] = {"10", "2x"};
    CHECK_INT(ENGINE_ERR_INPUT, call(inst, "add", bad_digit, 2));
    CHECK_STR("Failed to parse '2x' as i32: invalid digit found in string", g_err);
    const char *const empty[] = {"", "1"};
    CHECK_INT(ENGINE_ERR_INPUT, call(inst, "add", empty, 2));
    CHECK_STR("Failed to parse '' as i32: cannot parse integer from empty string", g_err);
    const char *const too_big[] = {"2147483648", "1"};
    CHECK_INT(ENGINE_ERR_INPUT, call(inst, "add", too_big, 2));
    CHECK_STR("Failed to parse '2147483648' as i32: number too large to fit in target type", g_err);
    const char *const too_small[] = {"-2147483649", "1"};
    CHECK_INT(ENGINE_ERR_INPUT, call(inst, "add", too_small, 2));
    CHECK_STR("Failed to parse '-2147483649' as i32: number too small to fit in target type", g_err);
    const char *const float_text[] = {"1.5", "1"};
    CHECK_INT(ENGINE_ERR_INPUT, call(inst, "add", float_text, 2));
    CHECK_STR("Failed to parse '1.5' as i32: invalid digit found in string", g_err);

    /* Missing export, no fallback. */
    CHECK_INT(ENGINE_ERR_NOT_FOUND, call(inst, "sub", args, 2));
    CHECK_STR("Function 'sub' not found, and fallbacks [\"main\", \"run\", \"_start\"] also not found in module "
              "exports. Available function exports: [\"add\"]",
              g_err);

    /* The instance survives all of the above. */
    CHECK_INT(ENGINE_OK, call(inst, "add", args, 2));
    CHECK_STR("30", g_result);

    engine_destroy_instance(inst);
    engine_unload(module);
}

static void test_fallbacks(void)
{
    engine_module *module = load_wat(k_with_main);
    engine_instance *inst = instantiate(module);
    CHECK_INT(ENGINE_OK, call(inst, "missing", NULL, 0));
    CHECK_STR("42", g_result);
    CHECK_INT(ENGINE_OK, call(inst, "", NULL, 0));
    CHECK_STR("42", g_result);
    engine_destroy_instance(inst);
    engine_unload(module);

    module = load_wat(k_with_run);
    inst = instantiate(module);
    CHECK_INT(ENGINE_OK, call(inst, "missing", NULL, 0));
    CHECK_STR("7", g_result);
    engine_destroy_instance(inst);
    engine_unload(module);
}

static void expect_value(engine_instance *inst, const char *fn, const char *input, const char *expected)
{
    const char *const args[] = {input};
    engine_status status = call(inst, fn, args, 1);
    if (status != ENGINE_OK || strcmp(g_result, expected) != 0) {
        fprintf(stderr, "%s:%d: %s(%s): expected \"%s\", got status %d result \"%s\" err \"%s\"\n", __FILE__,
                __LINE__, fn, input, expected, (int)status, g_result, g_err);
        check_failures++;
    }
}

static void test_numbers(void)
{
    engine_module *module = load_wat(k_numbers);
    engine_instance *inst = instantiate(module);

    expect_value(inst, "neg64", "9223372036854775807", "-9223372036854775807");
    expect_value(inst, "neg64", "-42", "42");
    expect_value(inst, "half32", "3", "1.5");
    expect_value(inst, "id64", "0.1", "0.1");
    expect_value(inst, "id64", "1e21", "1000000000000000000000");
    expect_value(inst, "id64", "1.5e-7", "0.00000015");
    expect_value(inst, "id64", "-2.5E+2", "-250");
    expect_value(inst, "id64", ".5", "0.5");
    expect_value(inst, "id64", "5.", "5");
    expect_value(inst, "id64", "INF", "inf");
    expect_value(inst, "id64", "-Infinity", "-inf");
    expect_value(inst, "id64", "nan", "NaN");
    expect_value(inst, "id64", "123456789.125", "123456789.125");
    expect_value(inst, "id32", "0.1", "0.1");
    expect_value(inst, "id32", "16777217", "16777216");
    expect_value(inst, "id32", "1e39", "inf");

    const char *const bad_float[] = {"1.2.3"};
    CHECK_INT(ENGINE_ERR_INPUT, call(inst, "id64", bad_float, 1));
    CHECK_STR("Failed to parse '1.2.3' as f64: invalid float literal", g_err);
    const char *const empty_float[] = {""};
    CHECK_INT(ENGINE_ERR_INPUT, call(inst, "id32", empty_float, 1));
    CHECK_STR("Failed to parse '' as f32: cannot parse float from empty string", g_err);
    const char *const i64_over[] = {"9223372036854775808"};
    CHECK_INT(ENGINE_ERR_INPUT, call(inst, "neg64", i64_over, 1));
    CHECK_STR("Failed to parse '9223372036854775808' as i64: number too large to fit in target type", g_err);

    CHECK_INT(ENGINE_OK, call(inst, "nothing", NULL, 0));
    CHECK_STR("", g_result);

    CHECK_INT(ENGINE_ERR_INPUT, call(inst, "ref", NULL, 0));
    CHECK_CONTAINS("Unsupported Wasm result type", g_err);

    CHECK_INT(ENGINE_ERR_TRAP, call(inst, "boom", NULL, 0));
    CHECK_CONTAINS("Failed to call function 'boom': ", g_err);
    CHECK_CONTAINS("unreachable", g_err);

    /* A too-small result buffer is refused, never overrun. */
    const char *const args[] = {"1e21"};
    char small[4] = "zzz";
    CHECK_INT(ENGINE_ERR_ARGUMENT, engine_call(inst, "id64", args, 1, small, sizeof small, g_err, sizeof g_err));

    engine_destroy_instance(inst);
    engine_unload(module);
}

static void test_bad_modules(void)
{
    char err[512] = "";
    const uint8_t garbage[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0xff, 0x13, 0x37};
    CHECK(engine_load(garbage, sizeof garbage, err, sizeof err) == NULL);
    CHECK_CONTAINS("Failed to compile Wasmtime module from binary: ", err);

    const uint8_t not_wasm[] = "hello, world";
    err[0] = '\0';
    CHECK(engine_load(not_wasm, sizeof not_wasm, err, sizeof err) == NULL);
    CHECK_CONTAINS("Failed to compile Wasmtime module from binary: ", err);

    /* Every proper prefix of a valid module is handled without crashing: refused with the compile error, or (when
     * it ends on a section boundary, e.g. the bare 8-byte header) loaded as a smaller valid module without "f". */
    wasm_byte_vec_t bytes;
    const char *wat = "(module (func (export \"f\") (param i32) (result i32) (local.get 0)))";
    REQUIRE(wasmtime_wat2wasm(wat, strlen(wat), &bytes) == NULL);
    size_t refused = 0;
    for (size_t len = 0; len < bytes.size; len++) {
        err[0] = '\0';
        engine_module *m = engine_load((const uint8_t *)bytes.data, len, err, sizeof err);
        if (m == NULL) {
            refused++;
            CHECK_CONTAINS("Failed to compile Wasmtime module from binary: ", err);
            continue;
        }
        engine_instance *inst = engine_instantiate(m, NULL, NULL, err, sizeof err);
        CHECK(inst != NULL);
        if (inst != NULL) {
            const char *const one[] = {"1"};
            CHECK_INT(ENGINE_ERR_NOT_FOUND, call(inst, "f", one, 1));
            engine_destroy_instance(inst);
        }
        engine_unload(m);
    }
    CHECK(refused + 4 >= bytes.size);
    wasm_byte_vec_delete(&bytes);

    /* A tiny error buffer is filled safely. */
    char tiny[8];
    CHECK(engine_load(not_wasm, sizeof not_wasm, tiny, sizeof tiny) == NULL);
    CHECK_INT(7, strlen(tiny));

    engine_module *module = load_wat(k_import_other);
    CHECK(engine_instantiate(module, NULL, NULL, err, sizeof err) == NULL);
    CHECK_CONTAINS("Failed to instantiate Wasmtime module: ", err);
    CHECK_CONTAINS("fd_write", err);
    engine_unload(module);

    /* A start function that traps fails instantiation with the trap text. */
    module = load_wat("(module (func $s unreachable) (start $s))");
    CHECK(engine_instantiate(module, NULL, NULL, err, sizeof err) == NULL);
    CHECK_CONTAINS("Failed to instantiate Wasmtime module: ", err);
    engine_unload(module);

    /* An initial memory over the cap fails with the memory-limit text. */
    module = load_wat("(module (memory 2))");
    CHECK(engine_instantiate(module, NULL, NULL, err, sizeof err) == NULL);
    CHECK_CONTAINS("task exceeded its memory limit of 65536 bytes", err);
    engine_unload(module);
}

int main(void)
{
    REQUIRE(engine_init(NULL) == ENGINE_OK);
    CHECK_INT(ENGINE_ERR_ARGUMENT, engine_init(NULL));
    test_add();
    test_fallbacks();
    test_numbers();
    test_bad_modules();
    engine_shutdown();
    return check_done("test_engine_call");
}
