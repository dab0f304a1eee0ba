/* engine_values.c directly (no runtime): parsing of string inputs per parameter type with the exact error texts,
 * result formatting as the .NET proplet prints it, the export list of the not-found error, the call checks and the
 * limit error texts shared by engine_wasmtime.c and engine_wamr.c. */
#include "engine_test_util.h"

#include "engine_values.h"

#include <math.h>

static char g_err[512];
static char g_out[512];

static engine_value parse_ok(engine_value_kind kind, const char *text, int line)
{
    engine_value v;
    g_err[0] = '\0';
    engine_status st = engine_value_parse(kind, text, &v, g_err, sizeof g_err);
    if (st != ENGINE_OK) {
        fprintf(stderr, "%s:%d: parse of '%s' failed: %s\n", __FILE__, line, text != NULL ? text : "(null)", g_err);
        check_failures++;
    }
    CHECK_INT(kind, v.kind);
    return v;
}

static void parse_fails(engine_value_kind kind, const char *text, const char *expected, int line)
{
    engine_value v;
    g_err[0] = '\0';
    engine_status st = engine_value_parse(kind, text, &v, g_err, sizeof g_err);
    if (st != ENGINE_ERR_INPUT || strcmp(expected, g_err) != 0) {
        fprintf(stderr, "%s:%d: parse of '%s': expected ENGINE_ERR_INPUT \"%s\", got %d \"%s\"\n", __FILE__, line,
                text, expected, (int)st, g_err);
        check_failures++;
    }
}

static void format_is(engine_value v, const char *expected, int line)
{
    engine_status st = engine_value_format(&v, g_out, sizeof g_out);
    if (st != ENGINE_OK || strcmp(expected, g_out) != 0) {
        fprintf(stderr, "%s:%d: format: expected \"%s\", got %d \"%s\"\n", __FILE__, line, expected, (int)st, g_out);
        check_failures++;
    }
}

static engine_value f64(double d)
{
    engine_value v = {ENGINE_VALUE_F64, 0, 0, 0.0f, d};
    return v;
}

static engine_value f32(float f)
{
    engine_value v = {ENGINE_VALUE_F32, 0, 0, f, 0.0};
    return v;
}

static void test_parse_integers(void)
{
    CHECK_INT(30, parse_ok(ENGINE_VALUE_I32, "30", __LINE__).i32);
    CHECK_INT(-7, parse_ok(ENGINE_VALUE_I32, "-7", __LINE__).i32);
    CHECK_INT(5, parse_ok(ENGINE_VALUE_I32, "+5", __LINE__).i32);
    CHECK_INT(INT32_MAX, parse_ok(ENGINE_VALUE_I32, "2147483647", __LINE__).i32);
    CHECK_INT(INT32_MIN, parse_ok(ENGINE_VALUE_I32, "-2147483648", __LINE__).i32);
    CHECK_INT(INT64_MAX, parse_ok(ENGINE_VALUE_I64, "9223372036854775807", __LINE__).i64);
    CHECK_INT(INT64_MIN, parse_ok(ENGINE_VALUE_I64, "-9223372036854775808", __LINE__).i64);
    CHECK_INT(0, parse_ok(ENGINE_VALUE_I64, "-9223372036854775808", __LINE__).i32); /* other fields stay 0 */

    parse_fails(ENGINE_VALUE_I32, "2x", "Failed to parse '2x' as i32: invalid digit found in string", __LINE__);
    parse_fails(ENGINE_VALUE_I32, "", "Failed to parse '' as i32: cannot parse integer from empty string", __LINE__);
    parse_fails(ENGINE_VALUE_I32, NULL, "Failed to parse '' as i32: cannot parse integer from empty string", __LINE__);
    parse_fails(ENGINE_VALUE_I32, "-", "Failed to parse '-' as i32: invalid digit found in string", __LINE__);
    parse_fails(ENGINE_VALUE_I32, " 1", "Failed to parse ' 1' as i32: invalid digit found in string", __LINE__);
    parse_fails(ENGINE_VALUE_I32, "1.5", "Failed to parse '1.5' as i32: invalid digit found in string", __LINE__);
    parse_fails(ENGINE_VALUE_I32, "2147483648",
                "Failed to parse '2147483648' as i32: number too large to fit in target type", __LINE__);
    parse_fails(ENGINE_VALUE_I32, "-2147483649",
                "Failed to parse '-2147483649' as i32: number too small to fit in target type", __LINE__);
    parse_fails(ENGINE_VALUE_I64, "9223372036854775808",
                "Failed to parse '9223372036854775808' as i64: number too large to fit in target type", __LINE__);
    parse_fails(ENGINE_VALUE_I64, "-9223372036854775809",
                "Failed to parse '-9223372036854775809' as i64: number too small to fit in target type", __LINE__);
}

static void test_parse_floats(void)
{
    CHECK(parse_ok(ENGINE_VALUE_F64, "0.1", __LINE__).f64 == 0.1);
    CHECK(parse_ok(ENGINE_VALUE_F64, ".5", __LINE__).f64 == 0.5);
    CHECK(parse_ok(ENGINE_VALUE_F64, "5.", __LINE__).f64 == 5.0);
    CHECK(parse_ok(ENGINE_VALUE_F64, "-1E3", __LINE__).f64 == -1000.0);
    CHECK(parse_ok(ENGINE_VALUE_F64, "1e+21", __LINE__).f64 == 1e21);
    CHECK(parse_ok(ENGINE_VALUE_F32, "1.5", __LINE__).f32 == 1.5f);
    CHECK(isinf(parse_ok(ENGINE_VALUE_F32, "1e39", __LINE__).f32));
    double inf = parse_ok(ENGINE_VALUE_F64, "INF", __LINE__).f64;
    CHECK(isinf(inf) && inf > 0);
    double minus_inf = parse_ok(ENGINE_VALUE_F64, "-Infinity", __LINE__).f64;
    CHECK(isinf(minus_inf) && minus_inf < 0);
    CHECK(isnan(parse_ok(ENGINE_VALUE_F64, "nan", __LINE__).f64));
    CHECK(isnan(parse_ok(ENGINE_VALUE_F32, "+NaN", __LINE__).f32));

    parse_fails(ENGINE_VALUE_F64, "1.2.3", "Failed to parse '1.2.3' as f64: invalid float literal", __LINE__);
    parse_fails(ENGINE_VALUE_F64, ".", "Failed to parse '.' as f64: invalid float literal", __LINE__);
    parse_fails(ENGINE_VALUE_F64, "1e", "Failed to parse '1e' as f64: invalid float literal", __LINE__);
    parse_fails(ENGINE_VALUE_F64, "0x10", "Failed to parse '0x10' as f64: invalid float literal", __LINE__);
    parse_fails(ENGINE_VALUE_F64, "infx", "Failed to parse 'infx' as f64: invalid float literal", __LINE__);
    parse_fails(ENGINE_VALUE_F32, "", "Failed to parse '' as f32: cannot parse float from empty string", __LINE__);
}

static void test_parse_unsupported_and_bounds(void)
{
    parse_fails(ENGINE_VALUE_V128, "1", "Unsupported Wasm value type for arg '1'", __LINE__);
    parse_fails(ENGINE_VALUE_REF, "x", "Unsupported Wasm value type for arg 'x'", __LINE__);
    engine_value v;
    CHECK_INT(ENGINE_ERR_INPUT, engine_value_parse(ENGINE_VALUE_I32, "x", &v, NULL, 0));
    char tiny[8];
    CHECK_INT(ENGINE_ERR_INPUT, engine_value_parse(ENGINE_VALUE_I32, "x", &v, tiny, sizeof tiny));
    CHECK_STR("Failed ", tiny);
    CHECK_INT(ENGINE_ERR_ARGUMENT, engine_value_parse(ENGINE_VALUE_I32, "1", NULL, g_err, sizeof g_err));

    CHECK_INT(ENGINE_VALUE_I32, engine_value_kind_of(0));
    CHECK_INT(ENGINE_VALUE_F64, engine_value_kind_of(3));
    CHECK_INT(ENGINE_VALUE_V128, engine_value_kind_of(4));
    CHECK_INT(ENGINE_VALUE_REF, engine_value_kind_of(128));
    CHECK_STR("F32", engine_value_kind_name(ENGINE_VALUE_F32));
    CHECK_STR("V128", engine_value_kind_name(ENGINE_VALUE_V128));
    CHECK_STR("reference", engine_value_kind_name(ENGINE_VALUE_REF));
}

static void test_format(void)
{
    engine_value i32 = {ENGINE_VALUE_I32, -30, 0, 0.0f, 0.0};
    format_is(i32, "-30", __LINE__);
    engine_value i64 = {ENGINE_VALUE_I64, 0, INT64_MIN, 0.0f, 0.0};
    format_is(i64, "-9223372036854775808", __LINE__);
    format_is(f64(0.1), "0.1", __LINE__);
    format_is(f64(1e21), "1000000000000000000000", __LINE__);
    format_is(f64(-0.00012), "-0.00012", __LINE__);
    format_is(f64(2.5), "2.5", __LINE__);
    format_is(f64(100.0), "100", __LINE__);
    format_is(f64(0.0), "0", __LINE__);
    format_is(f64((double)NAN), "NaN", __LINE__);
    format_is(f64((double)INFINITY), "inf", __LINE__);
    format_is(f64(-(double)INFINITY), "-inf", __LINE__);
    format_is(f32(0.1f), "0.1", __LINE__); /* shortest digits of the float, not of the double 0.100000001... */
    format_is(f32(16777216.0f), "16777216", __LINE__);

    /* Too small a buffer: an error, and the buffer holds "". */
    char small[3] = "xy";
    CHECK_INT(ENGINE_ERR_ARGUMENT, engine_value_format(&i32, small, sizeof small));
    CHECK_STR("", small);
    char exact[4];
    CHECK_INT(ENGINE_OK, engine_value_format(&i32, exact, sizeof exact));
    CHECK_STR("-30", exact);
    CHECK_INT(ENGINE_ERR_ARGUMENT, engine_value_format(&i32, exact, 0));
    engine_value v128 = {ENGINE_VALUE_V128, 0, 0, 0.0f, 0.0};
    CHECK_INT(ENGINE_ERR_ARGUMENT, engine_value_format(&v128, g_out, sizeof g_out));

    char result[2];
    g_err[0] = '\0';
    CHECK_INT(ENGINE_ERR_ARGUMENT, engine_result_to_text(&i32, result, sizeof result, g_err, sizeof g_err));
    CHECK_STR("result buffer too small", g_err);
    CHECK_INT(ENGINE_OK, engine_result_to_text(&i32, g_out, sizeof g_out, g_err, sizeof g_err));
    CHECK_STR("-30", g_out);
}

static void test_not_found(void)
{
    CHECK_INT(3, ENGINE_FALLBACK_COUNT);
    CHECK_STR("main", engine_fallback_names[0]);
    CHECK_STR("run", engine_fallback_names[1]);
    CHECK_STR("_start", engine_fallback_names[2]);

    engine_export_list list;
    engine_export_list_init(&list);
    CHECK_INT(ENGINE_ERR_NOT_FOUND, engine_error_not_found(g_err, sizeof g_err, "sub", &list));
    CHECK_STR("Function 'sub' not found, and fallbacks [\"main\", \"run\", \"_start\"] also not found in module "
              "exports. Available function exports: []",
              g_err);
    CHECK(engine_export_list_add(&list, "add", 3));
    CHECK(engine_export_list_add(&list, "q\"b\\xyz", 4)); /* only the first 4 bytes count */
    CHECK_STR("\"add\", \"q\\\"b\\\\\"", list.text);
    engine_error_not_found(g_err, sizeof g_err, NULL, &list);
    CHECK_STR("Function '' not found, and fallbacks [\"main\", \"run\", \"_start\"] also not found in module exports. "
              "Available function exports: [\"add\", \"q\\\"b\\\\\"]",
              g_err);

    /* Bounded: names stop being added once the list is full; the text stays NUL-terminated inside the buffer. */
    engine_export_list_init(&list);
    char name[40];
    memset(name, 'n', sizeof name);
    size_t added = 0;
    for (int i = 0; i < 20; i++) {
        if (engine_export_list_add(&list, name, sizeof name)) {
            added++;
        }
    }
    CHECK_INT(5, added); /* 42 + 4 * 44 = 218 bytes; the sixth would need 262 */
    CHECK(list.full);
    CHECK(list.used < sizeof list.text);
    CHECK_INT(list.used, strlen(list.text));
    CHECK(!engine_export_list_add(&list, "a", 1));
}

static void test_call_checks(void)
{
    const char *inputs[] = {"1"};
    char result[8] = "stale";
    strcpy(g_err, "stale");
    CHECK_INT(ENGINE_OK, engine_call_begin(true, inputs, 1, result, sizeof result, g_err, sizeof g_err));
    CHECK_STR("", result);
    CHECK_STR("", g_err);
    CHECK_INT(ENGINE_OK, engine_call_begin(true, NULL, 0, result, sizeof result, NULL, 0));
    CHECK_INT(ENGINE_ERR_ARGUMENT, engine_call_begin(false, inputs, 1, result, sizeof result, g_err, sizeof g_err));
    CHECK_STR("invalid engine_call arguments", g_err);
    CHECK_INT(ENGINE_ERR_ARGUMENT, engine_call_begin(true, NULL, 1, result, sizeof result, g_err, sizeof g_err));
    CHECK_INT(ENGINE_ERR_ARGUMENT, engine_call_begin(true, inputs, 1, NULL, 8, g_err, sizeof g_err));
    CHECK_INT(ENGINE_ERR_ARGUMENT, engine_call_begin(true, inputs, 1, result, 0, g_err, sizeof g_err));

    CHECK_INT(ENGINE_OK, engine_check_arguments(g_err, sizeof g_err, "add", 2, 2));
    CHECK_INT(ENGINE_ERR_INPUT, engine_check_arguments(g_err, sizeof g_err, "add", 2, 1));
    CHECK_STR("Argument count mismatch for function 'add': expected 2 arguments but got 1", g_err);
    CHECK_INT(ENGINE_ERR_INPUT, engine_check_arguments(g_err, sizeof g_err, "wide", 17, 17));
    CHECK_STR("Function 'wide' takes 17 parameters; at most 16 are supported", g_err);
    CHECK_INT(ENGINE_OK, engine_check_arguments(g_err, sizeof g_err, "wide", 16, 16));

    CHECK_INT(ENGINE_OK, engine_check_result_count(g_err, sizeof g_err, 4));
    CHECK_INT(ENGINE_ERR_INPUT, engine_check_result_count(g_err, sizeof g_err, 5));
    CHECK_STR("functions with more than 4 results are not supported", g_err);

    CHECK_INT(ENGINE_OK, engine_check_result_kind(g_err, sizeof g_err, "f", 1, ENGINE_VALUE_F64));
    CHECK_INT(ENGINE_OK, engine_check_result_kind(g_err, sizeof g_err, "f", 0, ENGINE_VALUE_REF));
    CHECK_INT(ENGINE_ERR_INPUT, engine_check_result_kind(g_err, sizeof g_err, "f", 1, ENGINE_VALUE_REF));
    CHECK_STR("Unsupported Wasm result type reference of function 'f'", g_err);
    CHECK_INT(ENGINE_ERR_INPUT, engine_check_result_kind(g_err, sizeof g_err, "g", 2, ENGINE_VALUE_V128));
    CHECK_STR("Unsupported Wasm result type V128 of function 'g'", g_err);
}

static void test_failure_texts(void)
{
    CHECK_INT(ENGINE_ERR_STOPPED, engine_error_stopped(g_err, sizeof g_err));
    CHECK_STR(ENGINE_STOPPED_TEXT, g_err);
    CHECK_INT(ENGINE_ERR_TIMEOUT, engine_error_timeout(g_err, sizeof g_err, 250));
    CHECK_STR("task exceeded its time limit of 250 ms", g_err);

    /* No memory, or room for one more page: a trap. */
    CHECK_INT(ENGINE_ERR_TRAP, engine_error_call_failed(g_err, sizeof g_err, "f", "unreachable", 0, 65536));
    CHECK_STR("Failed to call function 'f': unreachable", g_err);
    CHECK_INT(ENGINE_ERR_TRAP, engine_error_call_failed(g_err, sizeof g_err, "f", "unreachable", 65536, 131072));
    /* No room for another page: the memory limit. */
    CHECK_INT(ENGINE_ERR_MEMORY, engine_error_call_failed(g_err, sizeof g_err, "f", "oops", 131072, 131072));
    CHECK_STR("task exceeded its memory limit of 131072 bytes: Failed to call function 'f': oops", g_err);
    CHECK_INT(ENGINE_ERR_MEMORY, engine_error_call_failed(NULL, 0, "f", "oops", 65536, 100000));

    char tiny[5] = "abcd";
    engine_text_set(tiny, sizeof tiny, "longer text");
    CHECK_STR("long", tiny);
    engine_text_set(tiny, 0, "x");
    CHECK_STR("long", tiny);
    engine_text_set(NULL, 10, "x"); /* no crash */
}

int main(void)
{
    test_parse_integers();
    test_parse_floats();
    test_parse_unsupported_and_bounds();
    test_format();
    test_not_found();
    test_call_checks();
    test_failure_texts();
    return check_done("test_engine_values");
}
