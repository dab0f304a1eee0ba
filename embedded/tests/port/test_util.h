/* Helpers of the port tests: assertions that report file:line with expected vs got, temp dirs, a real broker. */
#ifndef PROPLET_TEST_UTIL_H
#define PROPLET_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int test_failures;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);         \
            test_failures++;                                                                 \
        }                                                                                    \
    } while (0)

#define CHECK_INT(expected, got)                                                             \
    do {                                                                                     \
        long long e_ = (long long)(expected);                                                \
        long long g_ = (long long)(got);                                                     \
        if (e_ != g_) {                                                                      \
            fprintf(stderr, "%s:%d: %s: expected %lld, got %lld\n", __FILE__, __LINE__, #got, e_, g_); \
            test_failures++;                                                                 \
        }                                                                                    \
    } while (0)

#define CHECK_STR(expected, got)                                                             \
    do {                                                                                     \
        const char *e_ = (expected);                                                         \
        const char *g_ = (got);                                                              \
        if (g_ == NULL || strcmp(e_, g_) != 0) {                                             \
            fprintf(stderr, "%s:%d: %s: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__, #got, e_, \
                    g_ != NULL ? g_ : "(null)");                                             \
            test_failures++;                                                                 \
        }                                                                                    \
    } while (0)

/* Stops the test at once (for preconditions later steps depend on). */
#define REQUIRE(cond)                                                                        \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: required condition failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

int test_result(const char *name);

/* Creates a fresh directory under $TMPDIR (or /tmp); REQUIREs success. */
void test_make_temp_dir(char *out, size_t cap, const char *tag);
/* rm -r of a directory made by test_make_temp_dir (one level of files). */
void test_remove_dir(const char *dir);

typedef struct {
    int pid;
    uint16_t port;
    char dir[256];
} test_broker;

/* In a forked child: be killed when the test process dies (a failed REQUIRE leaves no broker or client behind). */
void test_die_with_parent(void);

/* A loopback TCP port that was free a moment ago. */
uint16_t test_free_port(void);
/* Starts mosquitto on 127.0.0.1:port (port 0: pick a free one) and waits until it accepts connections.
 * Returns false with a message when the binary is missing or the broker does not come up. */
bool test_broker_start(test_broker *b, uint16_t port);
/* Same, with extra lines appended to the listener's configuration (e.g. TLS files). */
bool test_broker_start_with(test_broker *b, uint16_t port, const char *extra_config);
void test_broker_stop(test_broker *b);

#endif
