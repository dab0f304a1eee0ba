/*
 * engine_values.h: the runtime-neutral part of engine_call, shared by engine_wasmtime.c (host) and engine_wamr.c
 * (target) so both engines accept the same inputs and report the same texts: parsing a string input against a
 * parameter type, formatting a result as the .NET proplet does, the export-name fallbacks, and the error texts of
 * a call (argument count, unsupported types, not found, time and memory limits). No runtime headers, no OS calls.
 */
#ifndef PROPLET_ENGINE_VALUES_H
#define PROPLET_ENGINE_VALUES_H

#include "engine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ENGINE_WASM_PAGE_BYTES 65536u
#define ENGINE_MAX_PARAMS 16u
#define ENGINE_MAX_RESULTS 4u

/* The numbering of Wasm's value kinds (WASM_I32 .. WASM_V128 in both runtimes' C APIs); every reference type maps
 * to ENGINE_VALUE_REF. */
typedef enum engine_value_kind {
    ENGINE_VALUE_I32 = 0,
    ENGINE_VALUE_I64 = 1,
    ENGINE_VALUE_F32 = 2,
    ENGINE_VALUE_F64 = 3,
    ENGINE_VALUE_V128 = 4,
    ENGINE_VALUE_REF = 5,
} engine_value_kind;

typedef struct engine_value {
    engine_value_kind kind;
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
} engine_value;

/* A runtime's value-kind number (0..4 as above, anything else a reference) as an engine_value_kind. */
engine_value_kind engine_value_kind_of(unsigned runtime_kind);

/* "I32", "I64", "F32", "F64", "V128" or "reference". */
const char *engine_value_kind_name(engine_value_kind kind);

/* Parses text as a parameter of the given kind into *out (kind set, the other fields 0). i32/i64: optional sign and
 * decimal digits; f32/f64: [+-]?(digits[.digits]|.digits)([eE][+-]?digits)? or inf/infinity/nan in any case,
 * optionally signed. ENGINE_ERR_INPUT with "Failed to parse '<text>' as <type>: <reason>" (or "Unsupported Wasm
 * value type for arg '<text>'" for V128/references) in err on failure. text NULL counts as "". */
engine_status engine_value_parse(engine_value_kind kind, const char *text, engine_value *out, char *err,
                                 size_t errcap);

/* Formats a value as the .NET proplet prints it ("30", "-7", "0.1", "1000000000000000000000", "NaN", "inf",
 * "-inf"): floats as their shortest round-tripping digits, positionally. ENGINE_ERR_ARGUMENT (out = "" when cap > 0)
 * when the text does not fit in cap bytes or the kind is not a number. */
engine_status engine_value_format(const engine_value *value, char *out, size_t cap);

/* The exports engine_call tries, in order, when the requested one does not exist. */
#define ENGINE_FALLBACK_COUNT 3u
extern const char *const engine_fallback_names[ENGINE_FALLBACK_COUNT];

/* Copies text into buf (cut to cap - 1 bytes); nothing when buf is NULL or cap is 0. */
void engine_text_set(char *buf, size_t cap, const char *text);

/* The list of a module's function exports for the not-found error: `"a", "b"` with quotes and backslashes escaped,
 * bounded (names that no longer fit are left out). */
typedef struct engine_export_list {
    char text[256];
    size_t used;
    bool full;
} engine_export_list;

void engine_export_list_init(engine_export_list *list);
/* Adds the len bytes of name; false once the list is full (later calls add nothing). */
bool engine_export_list_add(engine_export_list *list, const char *name, size_t len);

/* "Function '<name>' not found, and fallbacks [...] also not found in module exports. Available function exports:
 * [<list>]"; returns ENGINE_ERR_NOT_FOUND. */
engine_status engine_error_not_found(char *err, size_t errcap, const char *name, const engine_export_list *list);

/* The checks engine_call makes first: err is cleared; ENGINE_ERR_ARGUMENT with "invalid engine_call arguments" when
 * there is no instance, no result buffer (NULL or resultcap 0), or inputs is NULL while n > 0; otherwise result
 * is set to "" and ENGINE_OK returned. */
engine_status engine_call_begin(bool have_instance, const char *const *inputs, size_t n, char *result,
                                size_t resultcap, char *err, size_t errcap);

/* The argument count must equal nparams, and nparams be at most ENGINE_MAX_PARAMS: ENGINE_OK, or ENGINE_ERR_INPUT
 * with the reason in err. */
engine_status engine_check_arguments(char *err, size_t errcap, const char *function, size_t nparams, size_t n);

/* At most ENGINE_MAX_RESULTS results: ENGINE_OK, or ENGINE_ERR_INPUT with the reason in err. */
engine_status engine_check_result_count(char *err, size_t errcap, size_t nresults);

/* The first result (if any) must be a number: ENGINE_OK, or ENGINE_ERR_INPUT with the reason in err. */
engine_status engine_check_result_kind(char *err, size_t errcap, const char *function, size_t nresults,
                                       engine_value_kind first);

/* Formats the first result into result, or sets "result buffer too small" in err (ENGINE_ERR_ARGUMENT). */
engine_status engine_result_to_text(const engine_value *first, char *result, size_t resultcap, char *err,
                                    size_t errcap);

/* ENGINE_STOPPED_TEXT in err; returns ENGINE_ERR_STOPPED. */
engine_status engine_error_stopped(char *err, size_t errcap);

/* "task exceeded its time limit of N ms"; returns ENGINE_ERR_TIMEOUT. */
engine_status engine_error_timeout(char *err, size_t errcap, uint32_t timeout_ms);

/* A call that failed with the runtime's reason `text`: when the exported memory (linear_bytes, 0 = none) cannot
 * grow by another page under max_memory_bytes, the failure counts as the memory limit ("task exceeded its memory
 * limit of N bytes: Failed to call function '<f>': <text>", ENGINE_ERR_MEMORY), as a refused memory.grow is
 * invisible to the host; otherwise "Failed to call function '<f>': <text>", ENGINE_ERR_TRAP. */
engine_status engine_error_call_failed(char *err, size_t errcap, const char *function, const char *text,
                                       uint64_t linear_bytes, uint32_t max_memory_bytes);

#ifdef __cplusplus
}
#endif

#endif
