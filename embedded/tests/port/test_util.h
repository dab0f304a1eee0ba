/* Helpers of the port and app tests (assertions come from ../check.h): temp dirs, a real broker. */
#ifndef PROPLET_TEST_UTIL_H
#define PROPLET_TEST_UTIL_H

#include "../check.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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
