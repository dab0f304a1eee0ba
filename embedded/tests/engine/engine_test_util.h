/* Shared helpers of the engine tests (assertions come from ../check.h): WAT compilation through the Wasmtime C API,
 * timing and RSS. */
#ifndef PROPLET_ENGINE_TEST_UTIL_H
#define PROPLET_ENGINE_TEST_UTIL_H

#define _POSIX_C_SOURCE 200809L

#include "../check.h"
#include "engine.h"
#include "wasmtime_capi.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1000.0 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* Compiles WAT text to a module; exits on a compile error (a broken test, not a broken engine). */
static inline engine_module *load_wat(const char *wat)
{
    wasm_byte_vec_t bytes;
    wasmtime_error_t *error = wasmtime_wat2wasm(wat, strlen(wat), &bytes);
    if (error != NULL) {
        wasm_name_t msg;
        wasmtime_error_message(error, &msg);
        fprintf(stderr, "wat2wasm failed: %.*s\n", (int)msg.size, msg.data);
        wasm_byte_vec_delete(&msg);
        wasmtime_error_delete(error);
        exit(1);
    }
    char err[512] = "";
    engine_module *module = engine_load((const uint8_t *)bytes.data, bytes.size, err, sizeof err);
    wasm_byte_vec_delete(&bytes);
    if (module == NULL) {
        fprintf(stderr, "engine_load failed: %s\n", err);
        exit(1);
    }
    return module;
}

static inline char *read_text_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size < 0) {
        fclose(f);
        return NULL;
    }
    char *text = malloc((size_t)size + 1);
    if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) {
        free(text);
        fclose(f);
        return NULL;
    }
    text[size] = '\0';
    fclose(f);
    return text;
}

static inline void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* VmRSS of this process in KiB, or -1. */
static inline long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) {
        return -1;
    }
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kib;
}

#endif
