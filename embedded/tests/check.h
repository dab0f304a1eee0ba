/* Minimal assertions for the core tests: each failure prints file:line with expected vs got and is counted;
 * main returns check_done() (non-zero when anything failed). */
#ifndef PROPLET_TEST_CHECK_H
#define PROPLET_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures; /* per test program (one translation unit counts) */

#define CHECK(cond)                                                             \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            check_failures++;                                                   \
        }                                                                       \
    } while (0)

#define CHECK_INT(expected, got)                                                                        \
    do {                                                                                                \
        long long e_ = (long long)(expected), g_ = (long long)(got);                                    \
        if (e_ != g_) {                                                                                 \
            fprintf(stderr, "%s:%d: %s: expected %lld, got %lld\n", __FILE__, __LINE__, #got, e_, g_); \
            check_failures++;                                                                           \
        }                                                                                               \
    } while (0)

#define CHECK_STR(expected, got)                                                                          \
    do {                                                                                                  \
        const char *e_ = (expected), *g_ = (got);                                                         \
        if (g_ == NULL || strcmp(e_, g_) != 0) {                                                          \
            fprintf(stderr, "%s:%d: %s: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__, #got, e_,     \
                    g_ == NULL ? "(null)" : g_);                                                          \
            check_failures++;                                                                             \
        }                                                                                                 \
    } while (0)

#define CHECK_MEM(expected, expected_len, got, got_len)                                                       \
    do {                                                                                                      \
        size_t el_ = (size_t)(expected_len), gl_ = (size_t)(got_len);                                         \
        if (el_ != gl_ || memcmp((expected), (got), el_) != 0) {                                              \
            fprintf(stderr, "%s:%d: %s: bytes differ (expected %zu bytes, got %zu)\n", __FILE__, __LINE__, #got, \
                    el_, gl_);                                                                                \
            check_failures++;                                                                                 \
        }                                                                                                     \
    } while (0)

#define CHECK_CONTAINS(needle, got)                                                                       \
    do {                                                                                                  \
        const char *n_ = (needle), *g_ = (got);                                                           \
        if (g_ == NULL || strstr(g_, n_) == NULL) {                                                       \
            fprintf(stderr, "%s:%d: %s: expected to contain \"%s\", got \"%s\"\n", __FILE__, __LINE__, #got, \
                    n_, g_ == NULL ? "(null)" : g_);                                                      \
            check_failures++;                                                                             \
        }                                                                                                 \
    } while (0)

/* Fatal: for preconditions later steps depend on. */
#define REQUIRE(cond)                                                                   \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: required condition failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                    \
        }                                                                               \
    } while (0)

static inline int check_done(const char *name)
{
    if (check_failures != 0) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

#endif
