/* port_zephyr_internal.h - what the Zephyr port's files share with each other and with zephyr/src/main.c. */
#ifndef PROPLET_PORT_ZEPHYR_INTERNAL_H
#define PROPLET_PORT_ZEPHYR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The eventfd that port_wake() writes and port_mqtt_poll() polls (created on first use); -1 if unavailable. */
int port_zephyr_wake_fd(void);
/* Reads the eventfd empty; true when a wake-up was pending. */
bool port_zephyr_take_wake(void);

/* Sets the wall clock (Unix milliseconds); port_time_unix_ms() returns 0 until this is called. */
void port_zephyr_set_unix_ms(uint64_t unix_ms);
/* One SNTP query to `server` (blocking up to timeout_ms); sets the wall clock on success. */
int port_zephyr_sntp_sync(const char *server, uint32_t timeout_ms);

/* Station connect with retries (back-off 1 s doubling to 30 s), then waits for a DHCPv4 lease. Blocks until the
 * interface has an IPv4 address or timeout_ms runs out (0 = forever). PORT_OK, PORT_ERR_TIMEOUT or PORT_ERR. */
int port_zephyr_wifi_connect(const char *ssid, const char *psk, uint32_t timeout_ms);
/* Dotted quad of the Wi-Fi interface's first IPv4 address; "" when none. */
void port_zephyr_ipv4(char *out, size_t cap);

#endif
