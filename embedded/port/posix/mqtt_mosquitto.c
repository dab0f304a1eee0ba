/* mqtt_mosquitto.c - the port's MQTT client on libmosquitto, driven only from the caller's thread.
 *
 * No network thread: port_mqtt_poll calls mosquitto_loop() in slices of at most PORT_POSIX_POLL_SLICE_MS so that a
 * port_wake() from a worker is noticed within one slice (libmosquitto offers no public way to add our own wake-up
 * descriptor to the select() inside mosquitto_loop). Connects and reconnects are non-blocking
 * (mosquitto_connect_async / mosquitto_reconnect_async) with doubling back-off between attempts. */
#define _GNU_SOURCE
#include "port.h"
#include "port_common.h"
#include "port_posix_internal.h"

#include <errno.h>
#include <limits.h>
#include <mosquitto.h>
#include <stdlib.h>
#include <string.h>

#define PORT_POSIX_POLL_SLICE_MS 20U

static struct {
    struct mosquitto *mosq;
    port_mqtt_config cfg; /* strings point into the copies below */
    char *host;
    char *client_id;
    char *username;
    char *password;
    port_mqtt_link link;
    port_mqtt_subscriptions subs;
} g;

static int lib_refs;

/* libmosquitto's text for rc, or the errno text when rc is MOSQ_ERR_ERRNO. */
static const char *mosq_err(int rc)
{
    return rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc);
}

static char *dup_or_null(const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

/* The link went down (from a callback or a failed loop); reports it once. */
static void mark_down(const char *why)
{
    port_mqtt_link_state was = g.link.state;
    g.link.state = PORT_MQTT_LINK_DOWN;
    if (was == PORT_MQTT_LINK_UP) {
        port_mqtt_link_lost(&g.link, &g.cfg, port_time_monotonic_ms(), why);
    } else if (was == PORT_MQTT_LINK_CONNECTING) {
        port_log(PORT_LOG_DEBUG, "mqtt: reconnect failed (%s)", why);
        port_mqtt_link_schedule(&g.link, &g.cfg, port_time_monotonic_ms());
    }
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    (void)obj;
    if (rc != 0) {
        g.link.connack_rc = rc;
        port_log(PORT_LOG_ERROR, "mqtt: broker refused the connection: %s", mosquitto_connack_string(rc));
        mark_down("refused");
        return;
    }
    port_mqtt_link_accepted(&g.link, &g.cfg);
    for (size_t i = 0; i < g.subs.count; i++) {
        const port_mqtt_subscription *sub = &g.subs.items[i];
        int src = mosquitto_subscribe(mosq, NULL, sub->topic, sub->qos);
        if (src != MOSQ_ERR_SUCCESS) {
            port_log(PORT_LOG_ERROR, "mqtt: re-subscribe to %s failed: %s", sub->topic, mosquitto_strerror(src));
        }
    }
    port_mqtt_link_report_up(&g.link, &g.cfg);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    (void)mosq;
    (void)obj;
    if (rc != 0) {
        mark_down(mosquitto_strerror(rc));
    }
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
    (void)mosq;
    (void)obj;
    size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0U;
    if (len > g.cfg.max_incoming_bytes) {
        port_log(PORT_LOG_WARN, "mqtt: dropped a %zu-byte message on %s (limit %zu bytes)", len, msg->topic,
                 g.cfg.max_incoming_bytes);
        return;
    }
    g.link.event = true;
    if (g.cfg.on_message != NULL) {
        static const uint8_t empty[1];
        g.cfg.on_message(g.cfg.ctx, msg->topic, len > 0 ? (const uint8_t *)msg->payload : empty, len);
    }
}

static void release(void)
{
    if (g.mosq != NULL) {
        mosquitto_destroy(g.mosq);
    }
    free(g.host);
    free(g.client_id);
    free(g.username);
    free(g.password);
    memset(&g, 0, sizeof g);
    if (lib_refs > 0 && --lib_refs == 0) {
        (void)mosquitto_lib_cleanup();
    }
}

static int configure(const port_mqtt_config *config)
{
    struct mosquitto *m = g.mosq;
    int rc = MOSQ_ERR_SUCCESS;
    (void)mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    if (config->username != NULL) {
        rc = mosquitto_username_pw_set(m, config->username, config->password);
        if (rc != MOSQ_ERR_SUCCESS) {
            port_log(PORT_LOG_ERROR, "mqtt: bad credentials: %s", mosquitto_strerror(rc));
            return PORT_ERR_INVAL;
        }
    }
    if (config->will_topic != NULL) {
        if (config->will_len > INT_MAX) {
            return PORT_ERR_INVAL;
        }
        rc = mosquitto_will_set(m, config->will_topic, (int)config->will_len, config->will_payload, config->will_qos,
                                config->will_retain);
        if (rc != MOSQ_ERR_SUCCESS) {
            port_log(PORT_LOG_ERROR, "mqtt: bad Last Will: %s", mosquitto_strerror(rc));
            return PORT_ERR_INVAL;
        }
    }
    if (config->tls) {
        if (config->tls_ca_file != NULL) {
            rc = mosquitto_tls_set(m, config->tls_ca_file, NULL, config->tls_cert_file, config->tls_key_file, NULL);
        } else {
            rc = mosquitto_int_option(m, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
            if (rc == MOSQ_ERR_SUCCESS && config->tls_cert_file != NULL) {
                rc = mosquitto_tls_set(m, NULL, "/etc/ssl/certs", config->tls_cert_file, config->tls_key_file, NULL);
            }
        }
        if (rc != MOSQ_ERR_SUCCESS) {
            port_log(PORT_LOG_ERROR, "mqtt: TLS setup failed: %s", mosquitto_strerror(rc));
            return PORT_ERR_INVAL;
        }
        if (config->tls_insecure) {
            port_log(PORT_LOG_WARN, "mqtt: TLS certificate verification is off");
            (void)mosquitto_tls_opts_set(m, 0, NULL, NULL);
            (void)mosquitto_tls_insecure_set(m, true);
        }
    }
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_disconnect_callback_set(m, on_disconnect);
    mosquitto_message_callback_set(m, on_message);
    return PORT_OK;
}

int port_mqtt_connect(const port_mqtt_config *config)
{
    if (!port_mqtt_config_ok(config)) {
        return PORT_ERR_INVAL;
    }
    if (g.mosq != NULL) {
        port_log(PORT_LOG_ERROR, "mqtt: already connected; one client per process");
        return PORT_ERR_INVAL;
    }
    if (lib_refs++ == 0) {
        (void)mosquitto_lib_init();
    }
    g.cfg = *config;
    g.host = dup_or_null(config->host);
    g.client_id = dup_or_null(config->client_id);
    g.username = dup_or_null(config->username);
    g.password = dup_or_null(config->password);
    if (g.host == NULL || g.client_id == NULL || (config->username != NULL && g.username == NULL) ||
        (config->password != NULL && g.password == NULL)) {
        release();
        return PORT_ERR_NOMEM;
    }
    g.cfg.host = g.host;
    g.cfg.client_id = g.client_id;
    g.cfg.username = g.username;
    g.cfg.password = g.password;
    g.cfg.will_topic = NULL; /* handed to libmosquitto, which copies it */
    g.cfg.will_payload = NULL;
    port_mqtt_config_apply_defaults(&g.cfg);
    if (g.cfg.keepalive_s < 5) {
        port_log(PORT_LOG_WARN, "mqtt: keepalive %u s raised to 5 s, libmosquitto's minimum",
                 (unsigned)g.cfg.keepalive_s);
        g.cfg.keepalive_s = 5;
    }
    g.link.backoff_ms = g.cfg.reconnect_min_ms;

    g.mosq = mosquitto_new(g.client_id, config->clean_session, NULL);
    if (g.mosq == NULL) {
        release();
        return PORT_ERR_NOMEM;
    }
    int rc = configure(config);
    if (rc != PORT_OK) {
        release();
        return rc;
    }
    g.link.initial = true;
    g.link.state = PORT_MQTT_LINK_CONNECTING;
    /* Non-blocking TCP connect (name resolution still blocks): connect_timeout_ms bounds the whole handshake. */
    int mrc = mosquitto_connect_async(g.mosq, g.host, g.cfg.port, g.cfg.keepalive_s);
    if (mrc != MOSQ_ERR_SUCCESS) {
        port_log(PORT_LOG_ERROR, "mqtt: cannot connect to %s:%u: %s", g.host, (unsigned)g.cfg.port,
                 mosq_err(mrc));
        release();
        return PORT_ERR_NOCONN;
    }
    uint64_t deadline = port_time_monotonic_ms() + g.cfg.connect_timeout_ms;
    const char *why = "no CONNACK in time";
    while (g.link.state == PORT_MQTT_LINK_CONNECTING && port_time_monotonic_ms() < deadline) {
        mrc = mosquitto_loop(g.mosq, (int)PORT_POSIX_POLL_SLICE_MS, 1);
        if (mrc != MOSQ_ERR_SUCCESS) {
            why = mosq_err(mrc);
            break;
        }
    }
    if (g.link.state != PORT_MQTT_LINK_UP) {
        port_log(PORT_LOG_ERROR, "mqtt: cannot connect to %s:%u: %s", g.host, (unsigned)g.cfg.port,
                 g.link.connack_rc != 0 ? mosquitto_connack_string(g.link.connack_rc) : why);
        release();
        return PORT_ERR_NOCONN;
    }
    port_log(PORT_LOG_INFO, "mqtt: connected to %s:%u as %s", g.host, (unsigned)g.cfg.port, g.client_id);
    return PORT_OK;
}

int port_mqtt_subscribe(const char *topic, int qos)
{
    if (g.mosq == NULL) {
        return PORT_ERR_INVAL;
    }
    int put = port_mqtt_subscriptions_put(&g.subs, topic, qos);
    if (put != PORT_OK) {
        return put;
    }
    if (g.link.state != PORT_MQTT_LINK_UP) {
        return PORT_OK; /* made on the next reconnect */
    }
    int rc = mosquitto_subscribe(g.mosq, NULL, topic, qos);
    if (rc != MOSQ_ERR_SUCCESS) {
        port_log(PORT_LOG_WARN, "mqtt: subscribe to %s failed: %s", topic, mosquitto_strerror(rc));
        return rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST ? PORT_OK : PORT_ERR;
    }
    return PORT_OK;
}

int port_mqtt_publish(const char *topic, const void *payload, size_t len, int qos)
{
    if (g.mosq == NULL || topic == NULL || (payload == NULL && len > 0) || len > INT_MAX || qos < 0 || qos > 2) {
        return PORT_ERR_INVAL;
    }
    if (g.link.state != PORT_MQTT_LINK_UP) {
        return PORT_ERR_NOCONN;
    }
    int rc = mosquitto_publish(g.mosq, NULL, topic, (int)len, payload, qos, false);
    if (rc == MOSQ_ERR_SUCCESS) {
        return PORT_OK;
    }
    if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_ERRNO) {
        mark_down(mosquitto_strerror(rc));
        return PORT_ERR_NOCONN;
    }
    port_log(PORT_LOG_WARN, "mqtt: publish to %s failed: %s", topic, mosquitto_strerror(rc));
    return rc == MOSQ_ERR_PAYLOAD_SIZE || rc == MOSQ_ERR_INVAL || rc == MOSQ_ERR_MALFORMED_UTF8 ? PORT_ERR_INVAL
                                                                                                 : PORT_ERR;
}

static void try_reconnect(void)
{
    /* Non-blocking, so an unreachable broker never stalls the main loop for a TCP timeout; the CONNECTING state is
     * abandoned after connect_timeout_ms. */
    int rc = mosquitto_reconnect_async(g.mosq);
    if (rc != MOSQ_ERR_SUCCESS) {
        port_log(PORT_LOG_DEBUG, "mqtt: reconnect to %s:%u failed: %s; next try in %u ms", g.host,
                 (unsigned)g.cfg.port, mosq_err(rc),
                 (unsigned)g.link.backoff_ms);
        port_mqtt_link_schedule(&g.link, &g.cfg, port_time_monotonic_ms());
        return;
    }
    g.link.state = PORT_MQTT_LINK_CONNECTING;
    g.link.connecting_since_ms = port_time_monotonic_ms();
}

int port_mqtt_poll(uint32_t timeout_ms)
{
    if (g.mosq == NULL) {
        port_sleep_ms(timeout_ms < PORT_POSIX_POLL_SLICE_MS ? timeout_ms : PORT_POSIX_POLL_SLICE_MS);
        return PORT_ERR_NOCONN;
    }
    uint64_t start = port_time_monotonic_ms();
    uint64_t deadline = start + timeout_ms;
    g.link.event = false;
    for (;;) {
        if (port_posix_take_wake()) {
            break;
        }
        uint64_t now = port_time_monotonic_ms();
        uint64_t left = deadline > now ? deadline - now : 0;
        uint32_t slice = left < PORT_POSIX_POLL_SLICE_MS ? (uint32_t)left : PORT_POSIX_POLL_SLICE_MS;
        if (g.link.state == PORT_MQTT_LINK_DOWN) {
            if (now >= g.link.next_attempt_ms) {
                try_reconnect();
            } else {
                uint64_t wait = g.link.next_attempt_ms - now;
                port_sleep_ms(wait < slice ? (uint32_t)wait : slice);
            }
        } else {
            int rc = mosquitto_loop(g.mosq, (int)slice, 1);
            if (rc != MOSQ_ERR_SUCCESS) {
                mark_down(mosq_err(rc));
            } else if (g.link.state == PORT_MQTT_LINK_CONNECTING && now - g.link.connecting_since_ms > g.cfg.connect_timeout_ms) {
                (void)mosquitto_disconnect(g.mosq);
                mark_down("no CONNACK");
            }
        }
        if (g.link.event || port_time_monotonic_ms() >= deadline) {
            break;
        }
    }
    return g.link.state == PORT_MQTT_LINK_UP ? PORT_OK : PORT_ERR_NOCONN;
}

bool port_mqtt_is_connected(void)
{
    return g.mosq != NULL && g.link.state == PORT_MQTT_LINK_UP;
}

void port_mqtt_disconnect(void)
{
    if (g.mosq == NULL) {
        return;
    }
    if (g.link.state == PORT_MQTT_LINK_UP) {
        (void)mosquitto_disconnect(g.mosq);
        /* Flush the DISCONNECT before the socket closes. */
        for (int i = 0; i < 5 && mosquitto_loop(g.mosq, 10, 1) == MOSQ_ERR_SUCCESS; i++) {
        }
    }
    release();
}
