/* Host imports under "env": get_proplet_id, get_input, log; their bounds checks trap the guest, never the host. */
#include "engine_test_util.h"

static const char k_host[] =
    "(module\n"
    "  (import \"env\" \"get_proplet_id\" (func $id (param i32 i32) (result i32)))\n"
    "  (import \"env\" \"get_input\" (func $input (param i32 i32 i32) (result i32)))\n"
    "  (import \"env\" \"log\" (func $log (param i32 i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  ;; sum of the bytes [p, p+n) plus 1000*n\n"
    "  (func $sum (param $p i32) (param $n i32) (result i32) (local $i i32) (local $s i32)\n"
    "    (local.set $s (i32.mul (local.get $n) (i32.const 1000)))\n"
    "    (block $done (loop $l\n"
    "      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))\n"
    "      (local.set $s (i32.add (local.get $s) (i32.load8_u (i32.add (local.get $p) (local.get $i)))))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (local.get $s))\n"
    "  (func (export \"id_sum\") (result i32) (local $n i32)\n"
    "    (local.set $n (call $id (i32.const 0) (i32.const 64)))\n"
    "    (if (i32.lt_s (local.get $n) (i32.const 0)) (then (return (local.get $n))))\n"
    "    (call $log (i32.const 0) (local.get $n))\n"
    "    (call $sum (i32.const 0) (local.get $n)))\n"
    "  (func (export \"input_sum\") (param $k i32) (result i32) (local $n i32)\n"
    "    (local.set $n (call $input (local.get $k) (i32.const 100) (i32.const 64)))\n"
    "    (if (i32.lt_s (local.get $n) (i32.const 0)) (then (return (local.get $n))))\n"
    "    (call $log (i32.const 100) (local.get $n))\n"
    "    (call $sum (i32.const 100) (local.get $n)))\n"
    "  (func (export \"small_cap\") (result i32) (call $id (i32.const 0) (i32.const 2)))\n"
    "  (func (export \"bad_ptr\") (result i32) (call $id (i32.const 65530) (i32.const 64)))\n"
    "  (func (export \"bad_log\") (call $log (i32.const 65000) (i32.const 1000)))\n"
    "  (func (export \"neg_log\") (call $log (i32.const 0) (i32.const -1)))\n"
    "  (func (export \"huge_ptr\") (result i32) (call $input (i32.const 0) (i32.const -8) (i32.const 64))))\n";

static const char k_no_memory[] =
    "(module (import \"env\" \"log\" (func $log (param i32 i32)))\n"
    "  (func (export \"main\") (call $log (i32.const 0) (i32.const 1))))";

static char g_logged[8][128];
static size_t g_log_count;

static void on_log(void *user, const char *message, size_t len)
{
    CHECK(user == (void *)g_logged);
    CHECK_INT(strlen(message), len);
    if (g_log_count < 8) {
        snprintf(g_logged[g_log_count], sizeof g_logged[0], "%s", message);
    }
    g_log_count++;
}

static long checksum(const char *text)
{
    long s = (long)strlen(text) * 1000;
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        s += *p;
    }
    return s;
}

int main(void)
{
    REQUIRE(engine_init(NULL) == ENGINE_OK);
    engine_module *module = load_wat(k_host);
    const char *const inputs[] = {"10", "hello, proplet", ""};
    engine_host host = {
        .proplet_id = "c-proplet-7",
        .inputs = inputs,
        .input_count = 3,
        .log = on_log,
        .log_user = g_logged,
    };
    /* A cap above the one page in use, so a guest fault is not read as the memory limit. */
    engine_limits limits = {.max_memory_bytes = 2 * 65536, .timeout_ms = 0};
    char err[512] = "";
    char result[64] = "";
    char expected[64];
    engine_instance *inst = engine_instantiate(module, &limits, &host, err, sizeof err);
    REQUIRE(inst != NULL);

    CHECK_INT(ENGINE_OK, engine_call(inst, "id_sum", NULL, 0, result, sizeof result, err, sizeof err));
    snprintf(expected, sizeof expected, "%ld", checksum("c-proplet-7"));
    CHECK_STR(expected, result);
    CHECK_INT(1, g_log_count);
    CHECK_STR("c-proplet-7", g_logged[0]);

    const char *const idx1[] = {"1"};
    CHECK_INT(ENGINE_OK, engine_call(inst, "input_sum", idx1, 1, result, sizeof result, err, sizeof err));
    snprintf(expected, sizeof expected, "%ld", checksum("hello, proplet"));
    CHECK_STR(expected, result);
    CHECK_STR("hello, proplet", g_logged[1]);

    const char *const idx0[] = {"0"};
    CHECK_INT(ENGINE_OK, engine_call(inst, "input_sum", idx0, 1, result, sizeof result, err, sizeof err));
    snprintf(expected, sizeof expected, "%ld", checksum("10"));
    CHECK_STR(expected, result);

    const char *const idx2[] = {"2"};
    CHECK_INT(ENGINE_OK, engine_call(inst, "input_sum", idx2, 1, result, sizeof result, err, sizeof err));
    CHECK_STR("0", result);

    const char *const idx3[] = {"3"};
    CHECK_INT(ENGINE_OK, engine_call(inst, "input_sum", idx3, 1, result, sizeof result, err, sizeof err));
    CHECK_STR("-2", result);
    const char *const idx_neg[] = {"-1"};
    CHECK_INT(ENGINE_OK, engine_call(inst, "input_sum", idx_neg, 1, result, sizeof result, err, sizeof err));
    CHECK_STR("-2", result);

    CHECK_INT(ENGINE_OK, engine_call(inst, "small_cap", NULL, 0, result, sizeof result, err, sizeof err));
    CHECK_STR("-1", result);

    size_t logs_before = g_log_count;
    CHECK_INT(ENGINE_ERR_TRAP, engine_call(inst, "bad_ptr", NULL, 0, result, sizeof result, err, sizeof err));
    CHECK_CONTAINS("Failed to call function 'bad_ptr': ", err);
    CHECK_CONTAINS("out of bounds", err);
    CHECK_INT(ENGINE_ERR_TRAP, engine_call(inst, "bad_log", NULL, 0, result, sizeof result, err, sizeof err));
    CHECK_CONTAINS("out of bounds", err);
    CHECK_INT(ENGINE_ERR_TRAP, engine_call(inst, "neg_log", NULL, 0, result, sizeof result, err, sizeof err));
    CHECK_CONTAINS("out of bounds", err);
    CHECK_INT(ENGINE_ERR_TRAP, engine_call(inst, "huge_ptr", NULL, 0, result, sizeof result, err, sizeof err));
    CHECK_CONTAINS("out of bounds", err);
    CHECK_INT(logs_before, g_log_count);

    /* The host carries on and so does the instance. */
    CHECK_INT(ENGINE_OK, engine_call(inst, "id_sum", NULL, 0, result, sizeof result, err, sizeof err));
    snprintf(expected, sizeof expected, "%ld", checksum("c-proplet-7"));
    CHECK_STR(expected, result);
    engine_destroy_instance(inst);

    /* Without host data: empty id, no inputs, logs dropped. */
    inst = engine_instantiate(module, &limits, NULL, err, sizeof err);
    REQUIRE(inst != NULL);
    CHECK_INT(ENGINE_OK, engine_call(inst, "id_sum", NULL, 0, result, sizeof result, err, sizeof err));
    CHECK_STR("0", result);
    CHECK_INT(ENGINE_OK, engine_call(inst, "input_sum", idx0, 1, result, sizeof result, err, sizeof err));
    CHECK_STR("-2", result);
    engine_destroy_instance(inst);
    engine_unload(module);

    module = load_wat(k_no_memory);
    inst = engine_instantiate(module, NULL, &host, err, sizeof err);
    REQUIRE(inst != NULL);
    CHECK_INT(ENGINE_ERR_TRAP, engine_call(inst, "main", NULL, 0, result, sizeof result, err, sizeof err));
    CHECK_CONTAINS("exports no memory", err);
    engine_destroy_instance(inst);
    engine_unload(module);

    /* A wrong signature for a known name is refused at instantiation. */
    module = load_wat("(module (import \"env\" \"log\" (func (param i64))) (memory (export \"memory\") 1))");
    CHECK(engine_instantiate(module, NULL, &host, err, sizeof err) == NULL);
    CHECK_CONTAINS("Failed to instantiate Wasmtime module: ", err);
    engine_unload(module);

    engine_shutdown();
    return check_done("test_engine_host");
}
