/*
 * port_common.h: the portable part of the ports, shared by port/posix and port/zephyr (no OS calls; the only
 * port function used is port_log). Also implements port_status_str of port.h.
 */
#ifndef PROPLET_PORT_COMMON_H
#define PROPLET_PORT_COMMON_H

#include "port.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- log ---- */

/* Whether a message at level passes the current threshold (and level is a valid port_log_level). */
bool port_log_level_passes(port_log_level level, int threshold);

/* ---- time ---- */

/* unix_ms (milliseconds since 1970-01-01T00:00:00Z, UTC) as "YYYY-MM-DDTHH:MM:SS.mmmZ" (proleptic Gregorian).
 * PORT_ERR_INVAL for a NULL buf or cap 0; PORT_ERR_NOSPACE (cut, NUL-terminated) when cap < PORT_RFC3339_SIZE. */
int port_format_rfc3339(uint64_t unix_ms, char *buf, size_t cap);

/* ---- key-value ---- */

/* A key as port.h defines it: 1..PORT_KV_MAX_KEY chars of [A-Za-z0-9_.-], not starting with '.'. */
bool port_kv_key_ok(const char *key);

/* ---- MQTT ---- */

/* The arguments port_mqtt_connect accepts: host and client id present, will_qos 0..2, a will payload when
 * will_len > 0. */
bool port_mqtt_config_ok(const port_mqtt_config *config);

/* Replaces the 0 ("default") fields of port.h's port_mqtt_config with their values (port 1883 or 8883 with TLS,
 * keepalive 30 s, PORT_MQTT_DEFAULT_MAX_INCOMING, connect timeout 10 s, back-off 500 ms..30 s) and raises
 * reconnect_max_ms to reconnect_min_ms when below it. */
void port_mqtt_config_apply_defaults(port_mqtt_config *cfg);

/* The back-off after one more failed attempt: doubled, at most max_ms. */
uint32_t port_mqtt_backoff_next(uint32_t backoff_ms, uint32_t max_ms);

/* The connection state machine both MQTT clients share (the transport calls stay in the ports). */
typedef enum { PORT_MQTT_LINK_DOWN, PORT_MQTT_LINK_CONNECTING, PORT_MQTT_LINK_UP } port_mqtt_link_state;

typedef struct port_mqtt_link {
    port_mqtt_link_state state;
    bool initial;                 /* true until the first CONNACK of port_mqtt_connect */
    int connack_rc;               /* last refused CONNACK code, 0 when none */
    bool event;                   /* a message or state change was delivered in this poll */
    uint32_t backoff_ms;
    uint64_t next_attempt_ms;
    uint64_t connecting_since_ms;
} port_mqtt_link;

/* The next attempt comes the current back-off after now_ms; the back-off doubles, up to cfg->reconnect_max_ms. */
void port_mqtt_link_schedule(port_mqtt_link *link, const port_mqtt_config *cfg, uint64_t now_ms);

/* The link was up and is lost (the caller has set the state down): logs it with why, restarts the back-off at
 * cfg->reconnect_min_ms, schedules the next attempt, marks an event and tells cfg->on_state (false). */
void port_mqtt_link_lost(port_mqtt_link *link, const port_mqtt_config *cfg, uint64_t now_ms, const char *why);

/* A CONNACK accepted the connection: state up, no refusal, back-off back at cfg->reconnect_min_ms. */
void port_mqtt_link_accepted(port_mqtt_link *link, const port_mqtt_config *cfg);

/* After the re-subscriptions of an accepted CONNACK: the first one (port_mqtt_connect's) only clears `initial`;
 * a later one is logged as a reconnect, marks an event and tells cfg->on_state (true). */
void port_mqtt_link_report_up(port_mqtt_link *link, const port_mqtt_config *cfg);

/* The subscriptions restored after a reconnect. */
typedef struct port_mqtt_subscription {
    char topic[PORT_MQTT_MAX_TOPIC];
    int qos;
} port_mqtt_subscription;

typedef struct port_mqtt_subscriptions {
    port_mqtt_subscription items[PORT_MQTT_MAX_SUBSCRIPTIONS];
    size_t count;
} port_mqtt_subscriptions;

/* Adds topic (or updates its qos when it is already there). PORT_ERR_INVAL for an empty or too long topic or a qos
 * outside 0..2; PORT_ERR_NOSPACE (logged) when the table is full. */
int port_mqtt_subscriptions_put(port_mqtt_subscriptions *subs, const char *topic, int qos);

#ifdef __cplusplus
}
#endif

#endif
