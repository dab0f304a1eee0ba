/* mqtt_zephyr.c - the port's MQTT client on Zephyr's MQTT library (MQTT 3.1.1), driven only from the main loop.
 *
 * port_mqtt_poll waits in zsock_poll on the MQTT socket and the wake eventfd (port_wake), the timeout capped by
 * mqtt_keepalive_time_left; it calls mqtt_input on POLLIN and mqtt_live on every pass. The library does not ack
 * for us: PUBLISH QoS 1 -> PUBACK, QoS 2 -> PUBREC, PUBREL -> PUBCOMP, and for our own QoS 2 publishes PUBREC -> PUBREL.
 * A payload is read with mqtt_readall_publish_payload into a static buffer of CONFIG_PROPLET_MQTT_PAYLOAD_BYTES; a
 * larger one (or one over max_incoming_bytes) is still read off the socket in pieces and then dropped, so the stream
 * stays in sync. struct mqtt_client only points at its strings, so every string is copied into static storage.
 * Subscriptions are remembered and made again after each reconnect. TLS: credentials by security tag; tls_ca_file,
 * tls_cert_file and tls_key_file name key-value entries (port_kv_get) holding PEM text. */
#include "port.h"
#include "port_common.h"
#include "port_zephyr_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/net/mqtt.h>
#include <zephyr/net/socket.h>
#include <zephyr/net/tls_credentials.h>

#define RX_BUF_BYTES CONFIG_PROPLET_MQTT_BUFFER_BYTES
#define TX_BUF_BYTES CONFIG_PROPLET_MQTT_BUFFER_BYTES
#define PAYLOAD_BYTES CONFIG_PROPLET_MQTT_PAYLOAD_BYTES
#define WILL_MAX 512

static struct {
    bool active;
    port_mqtt_config cfg; /* strings point into the copies below */
    char host[256];
    char client_id[128];
    char username[128];
    char password[256];
    char will_topic[PORT_MQTT_MAX_TOPIC];
    uint8_t will_payload[WILL_MAX];
    struct mqtt_utf8 user_utf8;
    struct mqtt_utf8 pass_utf8;
    struct mqtt_utf8 will_msg_utf8;
    struct mqtt_topic will;
    struct mqtt_client client;
    struct sockaddr_storage broker;
    uint8_t rx[RX_BUF_BYTES];
    uint8_t tx[TX_BUF_BYTES];
    port_mqtt_link link;
    uint16_t next_id;
    port_mqtt_subscriptions subs;
    char topic[PORT_MQTT_MAX_TOPIC];
#if defined(CONFIG_MQTT_LIB_TLS)
    sec_tag_t sec_tags[1];
#endif
} g;

static uint8_t g_payload[PAYLOAD_BYTES];

#if defined(CONFIG_MQTT_LIB_TLS)
/* tls_credential_add keeps a reference, so the PEM texts live here. */
static char g_ca_pem[PORT_KV_MAX_VALUE + 1];
static char g_cert_pem[PORT_KV_MAX_VALUE + 1];
static char g_key_pem[PORT_KV_MAX_VALUE + 1];
static bool g_credentials_added;
#endif

static uint16_t next_message_id(void)
{
    g.next_id = (uint16_t)(g.next_id + 1u);
    if (g.next_id == 0) {
        g.next_id = 1;
    }
    return g.next_id;
}

static bool copy_str(char *dst, size_t cap, const char *src)
{
    if (src == NULL) {
        dst[0] = '\0';
        return true;
    }
    size_t n = strlen(src);
    if (n >= cap) {
        return false;
    }
    memcpy(dst, src, n + 1);
    return true;
}

static int socket_fd(void)
{
#if defined(CONFIG_MQTT_LIB_TLS)
    if (g.client.transport.type == MQTT_TRANSPORT_SECURE) {
        return g.client.transport.tls.sock;
    }
#endif
    return g.client.transport.tcp.sock;
}

/* The link went down: closes the transport (once) and reports it once. */
static void mark_down(const char *why)
{
    port_mqtt_link_state was = g.link.state;
    if (was == PORT_MQTT_LINK_DOWN) {
        return;
    }
    g.link.state = PORT_MQTT_LINK_DOWN;
    (void)mqtt_abort(&g.client); /* its MQTT_EVT_DISCONNECT comes back here and returns above */
    if (was == PORT_MQTT_LINK_UP) {
        port_mqtt_link_lost(&g.link, &g.cfg, port_time_monotonic_ms(), why);
    } else {
        port_log(PORT_LOG_DEBUG, "mqtt: connect attempt failed (%s)", why);
        port_mqtt_link_schedule(&g.link, &g.cfg, port_time_monotonic_ms());
    }
}

static int subscribe_now(const char *topic, int qos)
{
    struct mqtt_topic t;
    memset(&t, 0, sizeof t);
    t.topic.utf8 = (const uint8_t *)topic;
    t.topic.size = (uint32_t)strlen(topic);
    t.qos = (uint8_t)qos;
    struct mqtt_subscription_list list;
    memset(&list, 0, sizeof list);
    list.list = &t;
    list.list_count = 1;
    list.message_id = next_message_id();
    return mqtt_subscribe(&g.client, &list);
}

/* Reads the current PUBLISH's payload: into g_payload when it fits, else in pieces that are thrown away. */
static int read_payload(size_t len, bool keep)
{
    if (keep) {
        return mqtt_readall_publish_payload(&g.client, g_payload, len);
    }
    while (len > 0) {
        size_t piece = len < sizeof g_payload ? len : sizeof g_payload;
        int rc = mqtt_readall_publish_payload(&g.client, g_payload, piece);
        if (rc < 0) {
            return rc;
        }
        len -= piece;
    }
    return 0;
}

static void on_publish(const struct mqtt_publish_param *p)
{
    size_t len = p->message.payload.len;
    size_t tlen = p->message.topic.topic.size;
    bool topic_ok = tlen < sizeof g.topic;
    if (topic_ok) {
        memcpy(g.topic, p->message.topic.topic.utf8, tlen); /* points into rx, which the payload read reuses */
        g.topic[tlen] = '\0';
    }
    bool keep = topic_ok && len <= g.cfg.max_incoming_bytes && len <= sizeof g_payload;
    int rc = read_payload(len, keep);
    if (rc < 0) {
        mark_down("payload read failed");
        return;
    }
    if (p->message.topic.qos == MQTT_QOS_1_AT_LEAST_ONCE) {
        struct mqtt_puback_param ack;
        memset(&ack, 0, sizeof ack);
        ack.message_id = p->message_id;
        (void)mqtt_publish_qos1_ack(&g.client, &ack);
    } else if (p->message.topic.qos == MQTT_QOS_2_EXACTLY_ONCE) {
        struct mqtt_pubrec_param rec;
        memset(&rec, 0, sizeof rec);
        rec.message_id = p->message_id;
        (void)mqtt_publish_qos2_receive(&g.client, &rec);
    }
    if (!keep) {
        port_log(PORT_LOG_WARN, "mqtt: dropped a %zu-byte message on %s (limit %zu bytes)", len,
                 topic_ok ? g.topic : "(topic too long)",
                 g.cfg.max_incoming_bytes < sizeof g_payload ? g.cfg.max_incoming_bytes : sizeof g_payload);
        return;
    }
    g.link.event = true;
    if (g.cfg.on_message != NULL) {
        g.cfg.on_message(g.cfg.ctx, g.topic, g_payload, len);
    }
}

static void on_connack(const struct mqtt_evt *evt)
{
    if (evt->result != 0) {
        g.link.connack_rc = evt->result;
        port_log(PORT_LOG_ERROR, "mqtt: broker refused the connection (code %d)", evt->result);
        mark_down("refused");
        return;
    }
    port_mqtt_link_accepted(&g.link, &g.cfg);
    for (size_t i = 0; i < g.subs.count; i++) {
        const port_mqtt_subscription *sub = &g.subs.items[i];
        int rc = subscribe_now(sub->topic, sub->qos);
        if (rc < 0) {
            port_log(PORT_LOG_ERROR, "mqtt: re-subscribe to %s failed: %d", sub->topic, rc);
        }
    }
    port_mqtt_link_report_up(&g.link, &g.cfg);
}

static void mqtt_evt_handler(struct mqtt_client *client, const struct mqtt_evt *evt)
{
    ARG_UNUSED(client);
    switch (evt->type) {
    case MQTT_EVT_CONNACK:
        on_connack(evt);
        break;
    case MQTT_EVT_DISCONNECT:
        mark_down("disconnected");
        break;
    case MQTT_EVT_PUBLISH:
        if (evt->result == 0) {
            on_publish(&evt->param.publish);
        }
        break;
    case MQTT_EVT_PUBREC: {
        struct mqtt_pubrel_param rel;
        memset(&rel, 0, sizeof rel);
        rel.message_id = evt->param.pubrec.message_id;
        (void)mqtt_publish_qos2_release(&g.client, &rel);
        break;
    }
    case MQTT_EVT_PUBREL: {
        struct mqtt_pubcomp_param comp;
        memset(&comp, 0, sizeof comp);
        comp.message_id = evt->param.pubrel.message_id;
        (void)mqtt_publish_qos2_complete(&g.client, &comp);
        break;
    }
    default: /* PUBACK, PUBCOMP, SUBACK, UNSUBACK, PINGRESP: nothing to do */
        break;
    }
}

static int resolve_broker(void)
{
    char port_text[8];
    (void)snprintf(port_text, sizeof port_text, "%u", (unsigned)g.cfg.port);
    struct zsock_addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    struct zsock_addrinfo *res = NULL;
    int rc = zsock_getaddrinfo(g.host, port_text, &hints, &res);
    if (rc != 0 || res == NULL) {
        port_log(PORT_LOG_WARN, "mqtt: cannot resolve %s (%d)", g.host, rc);
        return PORT_ERR_NOCONN;
    }
    size_t n = res->ai_addrlen < sizeof g.broker ? (size_t)res->ai_addrlen : sizeof g.broker;
    memset(&g.broker, 0, sizeof g.broker);
    memcpy(&g.broker, res->ai_addr, n);
    zsock_freeaddrinfo(res);
    return PORT_OK;
}

#if defined(CONFIG_MQTT_LIB_TLS)
static int add_credential(const char *key, char *buf, enum tls_credential_type type)
{
    if (key == NULL) {
        return PORT_OK;
    }
    int rc = port_kv_get(key, buf, PORT_KV_MAX_VALUE + 1);
    if (rc != PORT_OK) {
        port_log(PORT_LOG_ERROR, "mqtt: TLS credential \"%s\" not in the key-value store: %s", key, port_status_str(rc));
        return PORT_ERR_INVAL;
    }
    /* mbedTLS parses PEM only with its terminating NUL counted. */
    rc = tls_credential_add(CONFIG_PROPLET_MQTT_TLS_SEC_TAG, type, buf, strlen(buf) + 1);
    if (rc < 0 && rc != -EEXIST) {
        port_log(PORT_LOG_ERROR, "mqtt: tls_credential_add(%s) failed: %d", key, rc);
        return PORT_ERR_INVAL;
    }
    return PORT_OK;
}

static int setup_tls(void)
{
    if (g.cfg.tls_ca_file == NULL && !g.cfg.tls_insecure) {
        port_log(PORT_LOG_ERROR, "mqtt: TLS needs a CA (PROPLET_MQTT_TLS_CA_CERT = key of a stored PEM) or "
                 "PROPLET_MQTT_TLS_INSECURE_SKIP_VERIFY; Zephyr has no default roots");
        return PORT_ERR_INVAL;
    }
    if (!g_credentials_added) {
        int rc = add_credential(g.cfg.tls_ca_file, g_ca_pem, TLS_CREDENTIAL_CA_CERTIFICATE);
        if (rc == PORT_OK) {
            rc = add_credential(g.cfg.tls_cert_file, g_cert_pem, TLS_CREDENTIAL_SERVER_CERTIFICATE);
        }
        if (rc == PORT_OK) {
            rc = add_credential(g.cfg.tls_key_file, g_key_pem, TLS_CREDENTIAL_PRIVATE_KEY);
        }
        if (rc != PORT_OK) {
            return rc;
        }
        g_credentials_added = true;
    }
    g.sec_tags[0] = CONFIG_PROPLET_MQTT_TLS_SEC_TAG;
    return PORT_OK;
}
#endif

/* Fills the client (mqtt_client_init wipes it) and starts a connection: TCP/TLS connect and CONNECT. */
static int start_connect(void)
{
    if (resolve_broker() != PORT_OK) {
        return PORT_ERR_NOCONN;
    }
    mqtt_client_init(&g.client);
    g.client.broker = &g.broker;
    g.client.evt_cb = mqtt_evt_handler;
    g.client.client_id.utf8 = (const uint8_t *)g.client_id;
    g.client.client_id.size = (uint32_t)strlen(g.client_id);
    if (g.cfg.username != NULL) {
        g.user_utf8.utf8 = (const uint8_t *)g.username;
        g.user_utf8.size = (uint32_t)strlen(g.username);
        g.client.user_name = &g.user_utf8;
    }
    if (g.cfg.password != NULL) {
        g.pass_utf8.utf8 = (const uint8_t *)g.password;
        g.pass_utf8.size = (uint32_t)strlen(g.password);
        g.client.password = &g.pass_utf8;
    }
    if (g.cfg.will_topic != NULL) {
        memset(&g.will, 0, sizeof g.will);
        g.will.topic.utf8 = (const uint8_t *)g.will_topic;
        g.will.topic.size = (uint32_t)strlen(g.will_topic);
        g.will.qos = (uint8_t)g.cfg.will_qos;
        g.will_msg_utf8.utf8 = g.will_payload;
        g.will_msg_utf8.size = (uint32_t)g.cfg.will_len;
        g.client.will_topic = &g.will;
        g.client.will_message = &g.will_msg_utf8;
        g.client.will_retain = g.cfg.will_retain ? 1u : 0u;
    }
    g.client.protocol_version = MQTT_VERSION_3_1_1;
    g.client.keepalive = g.cfg.keepalive_s;
    g.client.clean_session = g.cfg.clean_session ? 1u : 0u;
    g.client.rx_buf = g.rx;
    g.client.rx_buf_size = sizeof g.rx;
    g.client.tx_buf = g.tx;
    g.client.tx_buf_size = sizeof g.tx;
    g.client.transport.type = MQTT_TRANSPORT_NON_SECURE;
    if (g.cfg.tls) {
#if defined(CONFIG_MQTT_LIB_TLS)
        int rc = setup_tls();
        if (rc != PORT_OK) {
            return rc;
        }
        g.client.transport.type = MQTT_TRANSPORT_SECURE;
        struct mqtt_sec_config *tls = &g.client.transport.tls.config;
        tls->peer_verify = g.cfg.tls_insecure ? TLS_PEER_VERIFY_NONE : TLS_PEER_VERIFY_REQUIRED;
        tls->cipher_list = NULL;
        tls->cipher_count = 0;
        tls->sec_tag_list = g.sec_tags;
        tls->sec_tag_count = g.cfg.tls_ca_file != NULL || g.cfg.tls_cert_file != NULL ? 1u : 0u;
        tls->hostname = g.host; /* SNI, and the name checked against the certificate */
#else
        port_log(PORT_LOG_ERROR, "mqtt: TLS asked for, but this build has CONFIG_MQTT_LIB_TLS off");
        return PORT_ERR_INVAL;
#endif
    }
    int rc = mqtt_connect(&g.client);
    if (rc != 0) {
        port_log(PORT_LOG_DEBUG, "mqtt: connect to %s:%u failed: %d", g.host, (unsigned)g.cfg.port, rc);
        return PORT_ERR_NOCONN;
    }
    g.link.state = PORT_MQTT_LINK_CONNECTING;
    g.link.connecting_since_ms = port_time_monotonic_ms();
    return PORT_OK;
}

/* One wait: socket + wake eventfd for at most wait_ms, then input and keepalive. */
static void pump(uint32_t wait_ms)
{
    struct zsock_pollfd fds[2];
    int nfds = 0;
    int wake = port_zephyr_wake_fd();
    int sock = g.link.state != PORT_MQTT_LINK_DOWN ? socket_fd() : -1;
    if (sock >= 0) {
        int ka = mqtt_keepalive_time_left(&g.client);
        if (ka >= 0 && (uint32_t)ka < wait_ms) {
            wait_ms = (uint32_t)ka;
        }
        fds[nfds].fd = sock;
        fds[nfds].events = ZSOCK_POLLIN;
        fds[nfds].revents = 0;
        nfds++;
    }
    if (wake >= 0) {
        fds[nfds].fd = wake;
        fds[nfds].events = ZSOCK_POLLIN;
        fds[nfds].revents = 0;
        nfds++;
    }
    if (nfds == 0) {
        port_sleep_ms(wait_ms);
        return;
    }
    int rc = zsock_poll(fds, nfds, wait_ms > (uint32_t)INT32_MAX ? INT32_MAX : (int)wait_ms);
    if (rc < 0) {
        if (sock >= 0) {
            mark_down("poll failed");
        }
        return;
    }
    if (sock < 0) {
        return;
    }
    if ((fds[0].revents & ZSOCK_POLLIN) != 0) {
        int in = mqtt_input(&g.client);
        if (in < 0 && in != -EAGAIN) {
            mark_down("read failed");
            return;
        }
    } else if ((fds[0].revents & (ZSOCK_POLLERR | ZSOCK_POLLHUP | ZSOCK_POLLNVAL)) != 0) {
        mark_down("socket closed");
        return;
    }
    if (g.link.state == PORT_MQTT_LINK_UP) {
        int live = mqtt_live(&g.client);
        if (live < 0 && live != -EAGAIN) {
            mark_down("keepalive failed");
        }
    } else if (g.link.state == PORT_MQTT_LINK_CONNECTING &&
               port_time_monotonic_ms() - g.link.connecting_since_ms > g.cfg.connect_timeout_ms) {
        mark_down("no CONNACK");
    }
}

int port_mqtt_connect(const port_mqtt_config *config)
{
    if (!port_mqtt_config_ok(config) || config->will_len > WILL_MAX) {
        return PORT_ERR_INVAL;
    }
    if (g.active) {
        port_log(PORT_LOG_ERROR, "mqtt: already connected; one client per process");
        return PORT_ERR_INVAL;
    }
    memset(&g, 0, sizeof g);
    g.cfg = *config;
    if (!copy_str(g.host, sizeof g.host, config->host) || !copy_str(g.client_id, sizeof g.client_id, config->client_id) ||
        !copy_str(g.username, sizeof g.username, config->username) ||
        !copy_str(g.password, sizeof g.password, config->password) ||
        !copy_str(g.will_topic, sizeof g.will_topic, config->will_topic)) {
        return PORT_ERR_INVAL;
    }
    if (config->will_topic != NULL && config->will_len > 0) {
        memcpy(g.will_payload, config->will_payload, config->will_len);
    }
    g.cfg.host = g.host;
    g.cfg.client_id = g.client_id;
    g.cfg.username = config->username != NULL ? g.username : NULL;
    g.cfg.password = config->password != NULL ? g.password : NULL;
    g.cfg.will_topic = config->will_topic != NULL ? g.will_topic : NULL;
    g.cfg.will_payload = g.will_payload;
    port_mqtt_config_apply_defaults(&g.cfg);
    g.link.backoff_ms = g.cfg.reconnect_min_ms;
    g.link.initial = true;
    int rc = start_connect();
    if (rc != PORT_OK) {
        port_log(PORT_LOG_ERROR, "mqtt: cannot connect to %s:%u", g.host, (unsigned)g.cfg.port);
        return rc == PORT_ERR_INVAL ? PORT_ERR_INVAL : PORT_ERR_NOCONN;
    }
    g.active = true;
    uint64_t deadline = port_time_monotonic_ms() + g.cfg.connect_timeout_ms;
    while (g.link.state == PORT_MQTT_LINK_CONNECTING && port_time_monotonic_ms() < deadline) {
        (void)port_zephyr_take_wake(); /* a pending wake would turn this wait into a spin; the loop drains later */
        pump(50);
    }
    if (g.link.state != PORT_MQTT_LINK_UP) {
        port_log(PORT_LOG_ERROR, "mqtt: cannot connect to %s:%u: %s", g.host, (unsigned)g.cfg.port,
                 g.link.connack_rc != 0 ? "refused" : "no CONNACK in time");
        g.link.state = PORT_MQTT_LINK_CONNECTING; /* so that mark_down closes the transport */
        mark_down("gave up");
        g.active = false;
        return PORT_ERR_NOCONN;
    }
    port_log(PORT_LOG_INFO, "mqtt: connected to %s:%u as %s", g.host, (unsigned)g.cfg.port, g.client_id);
    return PORT_OK;
}

int port_mqtt_subscribe(const char *topic, int qos)
{
    if (!g.active) {
        return PORT_ERR_INVAL;
    }
    int put = port_mqtt_subscriptions_put(&g.subs, topic, qos);
    if (put != PORT_OK) {
        return put;
    }
    if (g.link.state != PORT_MQTT_LINK_UP) {
        return PORT_OK; /* made on the next CONNACK */
    }
    int rc = subscribe_now(topic, qos);
    if (rc < 0) {
        port_log(PORT_LOG_WARN, "mqtt: subscribe to %s failed: %d", topic, rc);
        mark_down("subscribe failed");
    }
    return PORT_OK;
}

int port_mqtt_publish(const char *topic, const void *payload, size_t len, int qos)
{
    if (!g.active || topic == NULL || (payload == NULL && len > 0) || len > UINT32_MAX || qos < 0 || qos > 2) {
        return PORT_ERR_INVAL;
    }
    if (g.link.state != PORT_MQTT_LINK_UP) {
        return PORT_ERR_NOCONN;
    }
    static const uint8_t empty[1];
    struct mqtt_publish_param p;
    memset(&p, 0, sizeof p);
    p.message.topic.topic.utf8 = (const uint8_t *)topic;
    p.message.topic.topic.size = (uint32_t)strlen(topic);
    p.message.topic.qos = (uint8_t)qos;
    p.message.payload.data = (uint8_t *)(uintptr_t)(len > 0 ? payload : (const void *)empty); /* only read */
    p.message.payload.len = (uint32_t)len;
    p.message_id = next_message_id();
    int rc = mqtt_publish(&g.client, &p);
    if (rc == 0) {
        return PORT_OK;
    }
    if (rc == -EINVAL || rc == -EMSGSIZE) {
        port_log(PORT_LOG_WARN, "mqtt: publish to %s refused: %d", topic, rc);
        return PORT_ERR_INVAL;
    }
    mark_down("publish failed");
    return PORT_ERR_NOCONN;
}

int port_mqtt_poll(uint32_t timeout_ms)
{
    if (!g.active) {
        port_sleep_ms(timeout_ms < 20u ? timeout_ms : 20u);
        return PORT_ERR_NOCONN;
    }
    uint64_t deadline = port_time_monotonic_ms() + timeout_ms;
    g.link.event = false;
    for (;;) {
        if (port_zephyr_take_wake()) {
            break;
        }
        uint64_t now = port_time_monotonic_ms();
        uint32_t left = deadline > now ? (uint32_t)(deadline - now) : 0u;
        if (g.link.state == PORT_MQTT_LINK_DOWN && now >= g.link.next_attempt_ms) {
            if (start_connect() != PORT_OK) {
                g.link.state = PORT_MQTT_LINK_DOWN;
                port_mqtt_link_schedule(&g.link, &g.cfg, port_time_monotonic_ms());
            }
        } else if (g.link.state == PORT_MQTT_LINK_DOWN) {
            uint64_t wait = g.link.next_attempt_ms - now;
            pump(wait < left ? (uint32_t)wait : left); /* only the wake eventfd */
        } else {
            pump(left);
        }
        if (g.link.event || port_time_monotonic_ms() >= deadline) {
            break;
        }
    }
    return g.link.state == PORT_MQTT_LINK_UP ? PORT_OK : PORT_ERR_NOCONN;
}

bool port_mqtt_is_connected(void)
{
    return g.active && g.link.state == PORT_MQTT_LINK_UP;
}

void port_mqtt_disconnect(void)
{
    if (!g.active) {
        return;
    }
    port_mqtt_link_state was = g.link.state;
    g.link.state = PORT_MQTT_LINK_DOWN; /* first: the library's MQTT_EVT_DISCONNECT must not be reported as a lost link */
    if (was == PORT_MQTT_LINK_UP) {
        (void)mqtt_disconnect(&g.client, NULL); /* a clean DISCONNECT: the broker drops the Last Will */
    } else if (was == PORT_MQTT_LINK_CONNECTING) {
        (void)mqtt_abort(&g.client);
    }
    g.active = false;
}
