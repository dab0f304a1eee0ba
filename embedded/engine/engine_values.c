/* engine_values.c: see engine_values.h. */
#include "engine_values.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const engine_fallback_names[ENGINE_FALLBACK_COUNT] = {"main", "run", "_start"};

engine_value_kind engine_value_kind_of(unsigned runtime_kind)
{
    return runtime_kind <= (unsigned)ENGINE_VALUE_V128 ? (engine_value_kind)runtime_kind : ENGINE_VALUE_REF;
}

const char *engine_value_kind_name(engine_value_kind kind)
{
    switch (kind) {
    case ENGINE_VALUE_I32:
        return "I32";
    case ENGINE_VALUE_I64:
        return "I64";
    case ENGINE_VALUE_F32:
        return "F32";
    case ENGINE_VALUE_F64:
        return "F64";
    case ENGINE_VALUE_V128:
        return "V128";
    default:
        return "reference";
    }
}

void engine_text_set(char *buf, size_t cap, const char *text)
{
    if (buf != NULL && cap > 0) {
        snprintf(buf, cap, "%s", text != NULL ? text : "");
    }
}

/* ---- parsing ---------------------------------------------------------------------------------------------- */

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

static const char *parse_integer(engine_value_kind kind, const char *input, engine_value *out)
{
    if (input[0] == '\0') {
        return "cannot parse integer from empty string";
    }
    if (!is_integer_text(input)) {
        return "invalid digit found in string";
    }
    errno = 0;
    long long v = strtoll(input, NULL, 10);
    if (errno == ERANGE || (kind == ENGINE_VALUE_I32 && (v < INT32_MIN || v > INT32_MAX))) {
        return input[0] == '-' ? "number too small to fit in target type" : "number too large to fit in target type";
    }
    if (kind == ENGINE_VALUE_I32) {
        out->i32 = (int32_t)v;
    } else {
        out->i64 = (int64_t)v;
    }
    return NULL;
}

static const char *parse_float(engine_value_kind kind, const char *input, engine_value *out)
{
    double special;
    if (special_float(input, &special)) {
        if (kind == ENGINE_VALUE_F32) {
            out->f32 = (float)special;
        } else {
            out->f64 = special;
        }
        return NULL;
    }
    if (input[0] == '\0') {
        return "cannot parse float from empty string";
    }
    if (!is_decimal_text(input)) {
        return "invalid float literal";
    }
    if (kind == ENGINE_VALUE_F32) {
        out->f32 = strtof(input, NULL);
    } else {
        out->f64 = strtod(input, NULL);
    }
    return NULL;
}

engine_status engine_value_parse(engine_value_kind kind, const char *text, engine_value *out, char *err,
                                 size_t errcap)
{
    const char *input = text != NULL ? text : "";
    if (out == NULL) {
        engine_text_set(err, errcap, "invalid engine_value_parse arguments");
        return ENGINE_ERR_ARGUMENT;
    }
    memset(out, 0, sizeof *out);
    out->kind = kind;
    const char *reason;
    switch (kind) {
    case ENGINE_VALUE_I32:
    case ENGINE_VALUE_I64:
        reason = parse_integer(kind, input, out);
        break;
    case ENGINE_VALUE_F32:
    case ENGINE_VALUE_F64:
        reason = parse_float(kind, input, out);
        break;
    default:
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Unsupported Wasm value type for arg '%s'", input);
        }
        return ENGINE_ERR_INPUT;
    }
    if (reason != NULL) {
        if (err != NULL && errcap > 0) {
            static const char *const types[] = {"i32", "i64", "f32", "f64"};
            snprintf(err, errcap, "Failed to parse '%s' as %s: %s", input, types[kind], reason);
        }
        return ENGINE_ERR_INPUT;
    }
    return ENGINE_OK;
}

/* ---- formatting ------------------------------------------------------------------------------------------- */

typedef struct text_out {
    char *buf;
    size_t cap;
    size_t used;
} text_out;

static void put(text_out *t, char c)
{
    if (t->used + 1 < t->cap) {
        t->buf[t->used++] = c;
    }
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
    text_out t = {out, cap, 0};
    if (negative) {
        put(&t, '-');
    }
    if (point_at <= 0) {
        put(&t, '0');
        put(&t, '.');
        for (long i = 0; i < -point_at; i++) {
            put(&t, '0');
        }
        for (size_t i = 0; i < nd; i++) {
            put(&t, digits[i]);
        }
    } else if ((size_t)point_at >= nd) {
        for (size_t i = 0; i < nd; i++) {
            put(&t, digits[i]);
        }
        for (long i = (long)nd; i < point_at; i++) {
            put(&t, '0');
        }
    } else {
        for (size_t i = 0; i < nd; i++) {
            if ((long)i == point_at) {
                put(&t, '.');
            }
            put(&t, digits[i]);
        }
    }
    out[t.used] = '\0';
}

engine_status engine_value_format(const engine_value *value, char *out, size_t cap)
{
    if (out == NULL || cap == 0) {
        return ENGINE_ERR_ARGUMENT;
    }
    out[0] = '\0';
    if (value == NULL) {
        return ENGINE_ERR_ARGUMENT;
    }
    char text[400];
    switch (value->kind) {
    case ENGINE_VALUE_I32:
        snprintf(text, sizeof text, "%d", (int)value->i32);
        break;
    case ENGINE_VALUE_I64:
        snprintf(text, sizeof text, "%lld", (long long)value->i64);
        break;
    case ENGINE_VALUE_F32:
        format_float((double)value->f32, true, text, sizeof text);
        break;
    case ENGINE_VALUE_F64:
        format_float(value->f64, false, text, sizeof text);
        break;
    default:
        return ENGINE_ERR_ARGUMENT;
    }
    size_t len = strlen(text);
    if (len >= cap) {
        return ENGINE_ERR_ARGUMENT;
    }
    memcpy(out, text, len + 1);
    return ENGINE_OK;
}

/* ---- lookup ----------------------------------------------------------------------------------------------- */

void engine_export_list_init(engine_export_list *list)
{
    list->text[0] = '\0';
    list->used = 0;
    list->full = false;
}

/* Appends `"name"` (quotes and backslashes escaped) at *used; false once the buffer is full. */
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

bool engine_export_list_add(engine_export_list *list, const char *name, size_t len)
{
    if (list->full) {
        return false;
    }
    if (list->used > 0) {
        if (list->used + 2 >= sizeof list->text) {
            list->full = true;
            return false;
        }
        list->text[list->used++] = ',';
        list->text[list->used++] = ' ';
        list->text[list->used] = '\0';
    }
    if (!append_quoted(list->text, sizeof list->text, &list->used, name != NULL ? name : "", name != NULL ? len : 0)) {
        list->full = true;
        return false;
    }
    return true;
}

engine_status engine_error_not_found(char *err, size_t errcap, const char *name, const engine_export_list *list)
{
    if (err != NULL && errcap > 0) {
        snprintf(err, errcap,
                 "Function '%s' not found, and fallbacks [\"main\", \"run\", \"_start\"] also not found in module "
                 "exports. Available function exports: [%s]",
                 name != NULL ? name : "", list != NULL ? list->text : "");
    }
    return ENGINE_ERR_NOT_FOUND;
}

/* ---- call checks and failures ----------------------------------------------------------------------------- */

engine_status engine_call_begin(bool have_instance, const char *const *inputs, size_t n, char *result,
                                size_t resultcap, char *err, size_t errcap)
{
    if (err != NULL && errcap > 0) {
        err[0] = '\0';
    }
    if (!have_instance || result == NULL || resultcap == 0 || (n > 0 && inputs == NULL)) {
        engine_text_set(err, errcap, "invalid engine_call arguments");
        return ENGINE_ERR_ARGUMENT;
    }
    result[0] = '\0';
    return ENGINE_OK;
}

engine_status engine_check_arguments(char *err, size_t errcap, const char *function, size_t nparams, size_t n)
{
    if (nparams != n) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Argument count mismatch for function '%s': expected %zu arguments but got %zu",
                     function, nparams, n);
        }
        return ENGINE_ERR_INPUT;
    }
    if (nparams > ENGINE_MAX_PARAMS) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Function '%s' takes %zu parameters; at most %u are supported", function, nparams,
                     ENGINE_MAX_PARAMS);
        }
        return ENGINE_ERR_INPUT;
    }
    return ENGINE_OK;
}

engine_status engine_check_result_count(char *err, size_t errcap, size_t nresults)
{
    if (nresults > ENGINE_MAX_RESULTS) {
        engine_text_set(err, errcap, "functions with more than 4 results are not supported");
        return ENGINE_ERR_INPUT;
    }
    return ENGINE_OK;
}

engine_status engine_check_result_kind(char *err, size_t errcap, const char *function, size_t nresults,
                                       engine_value_kind first)
{
    if (nresults > 0 && first > ENGINE_VALUE_F64) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "Unsupported Wasm result type %s of function '%s'", engine_value_kind_name(first),
                     function);
        }
        return ENGINE_ERR_INPUT;
    }
    return ENGINE_OK;
}

engine_status engine_result_to_text(const engine_value *first, char *result, size_t resultcap, char *err,
                                    size_t errcap)
{
    if (engine_value_format(first, result, resultcap) != ENGINE_OK) {
        engine_text_set(err, errcap, "result buffer too small");
        return ENGINE_ERR_ARGUMENT;
    }
    return ENGINE_OK;
}

engine_status engine_error_stopped(char *err, size_t errcap)
{
    engine_text_set(err, errcap, ENGINE_STOPPED_TEXT);
    return ENGINE_ERR_STOPPED;
}

engine_status engine_error_timeout(char *err, size_t errcap, uint32_t timeout_ms)
{
    if (err != NULL && errcap > 0) {
        snprintf(err, errcap, "task exceeded its time limit of %u ms", (unsigned)timeout_ms);
    }
    return ENGINE_ERR_TIMEOUT;
}

engine_status engine_error_call_failed(char *err, size_t errcap, const char *function, const char *text,
                                       uint64_t linear_bytes, uint32_t max_memory_bytes)
{
    if (linear_bytes > 0 && linear_bytes + ENGINE_WASM_PAGE_BYTES > max_memory_bytes) {
        if (err != NULL && errcap > 0) {
            snprintf(err, errcap, "task exceeded its memory limit of %u bytes: Failed to call function '%s': %s",
                     (unsigned)max_memory_bytes, function, text);
        }
        return ENGINE_ERR_MEMORY;
    }
    if (err != NULL && errcap > 0) {
        snprintf(err, errcap, "Failed to call function '%s': %s", function, text);
    }
    return ENGINE_ERR_TRAP;
}
