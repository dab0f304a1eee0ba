/* port_common.c directly: status strings, log threshold, key validation, MQTT config checks and defaults, back-off,
 * and the subscription table shared by the POSIX and Zephyr ports. */
#include "port_common.h"
#include "test_util.h"

static void test_status_and_log(void)
{
    CHECK_STR("ok", port_status_str(PORT_OK));
    CHECK_STR("invalid argument", port_status_str(PORT_ERR_INVAL));
    CHECK_STR("not connected", port_status_str(PORT_ERR_NOCONN));
    CHECK_STR("timed out", port_status_str(PORT_ERR_TIMEOUT));
    CHECK_STR("unknown status", port_status_str(42));
    CHECK_STR("unknown status", port_status_str(-11));

    CHECK(port_log_level_passes(PORT_LOG_INFO, PORT_LOG_INFO));
    CHECK(port_log_level_passes(PORT_LOG_ERROR, PORT_LOG_INFO));
    CHECK(!port_log_level_passes(PORT_LOG_DEBUG, PORT_LOG_INFO));
    CHECK(port_log_level_passes(PORT_LOG_TRACE, PORT_LOG_TRACE));
    CHECK(!port_log_level_passes((port_log_level)5, PORT_LOG_TRACE));
    CHECK(!port_log_level_passes((port_log_level)-1, -5));
}

static void rfc3339_is(uint64_t unix_ms, const char *expected, int line)
{
    char buf[PORT_RFC3339_SIZE];
    int rc = port_format_rfc3339(unix_ms, buf, sizeof buf);
    if (rc != PORT_OK || strcmp(expected, buf) != 0) {
        fprintf(stderr, "%s:%d: port_format_rfc3339(%llu): expected \"%s\", got %d \"%s\"\n", __FILE__, line,
                (unsigned long long)unix_ms, expected, rc, buf);
        check_failures++;
    }
}

static void test_rfc3339(void)
{
    rfc3339_is(0, "1970-01-01T00:00:00.000Z", __LINE__);
    rfc3339_is(1234, "1970-01-01T00:00:01.234Z", __LINE__);
    rfc3339_is(951782400000ull, "2000-02-29T00:00:00.000Z", __LINE__);   /* a leap day of a 400-year */
    rfc3339_is(951868799999ull, "2000-02-29T23:59:59.999Z", __LINE__);
    rfc3339_is(4107542399999ull, "2100-02-28T23:59:59.999Z", __LINE__);
    rfc3339_is(4107542400000ull, "2100-03-01T00:00:00.000Z", __LINE__);  /* 2100 is not a leap year */
    rfc3339_is(1704067199999ull, "2023-12-31T23:59:59.999Z", __LINE__);
    rfc3339_is(1709164800000ull, "2024-02-29T00:00:00.000Z", __LINE__);
    rfc3339_is(1795608000123ull, "2026-11-25T12:00:00.123Z", __LINE__);
    rfc3339_is(253402300799999ull, "9999-12-31T23:59:59.999Z", __LINE__);

    char tiny[10];
    CHECK_INT(PORT_ERR_NOSPACE, port_format_rfc3339(0, tiny, sizeof tiny));
    CHECK_STR("1970-01-0", tiny);
    CHECK_INT(PORT_ERR_INVAL, port_format_rfc3339(0, NULL, 8));
    CHECK_INT(PORT_ERR_INVAL, port_format_rfc3339(0, tiny, 0));

    /* The port's clock goes through the same formatter. */
    char now[PORT_RFC3339_SIZE];
    CHECK_INT(PORT_OK, port_time_rfc3339(now, sizeof now));
    CHECK_INT(24, strlen(now));
}

static void test_kv_keys(void)
{
    CHECK(port_kv_key_ok("a"));
    CHECK(port_kv_key_ok("proplet_id.v2-A9"));
    CHECK(!port_kv_key_ok(NULL));
    CHECK(!port_kv_key_ok(""));
    CHECK(!port_kv_key_ok(".hidden"));
    CHECK(!port_kv_key_ok("a/b"));
    CHECK(!port_kv_key_ok("a b"));
    CHECK(!port_kv_key_ok("caf\xc3\xa9"));
    char key[PORT_KV_MAX_KEY + 2];
    memset(key, 'k', sizeof key);
    key[PORT_KV_MAX_KEY] = '\0';
    CHECK(port_kv_key_ok(key)); /* exactly PORT_KV_MAX_KEY chars */
    key[PORT_KV_MAX_KEY] = 'k';
    key[PORT_KV_MAX_KEY + 1] = '\0';
    CHECK(!port_kv_key_ok(key));
}

static void test_mqtt_config(void)
{
    static const uint8_t will[] = "bye";
    port_mqtt_config c;
    memset(&c, 0, sizeof c);
    CHECK(!port_mqtt_config_ok(NULL));
    CHECK(!port_mqtt_config_ok(&c));
    c.host = "localhost";
    CHECK(!port_mqtt_config_ok(&c));
    c.client_id = "p1";
    CHECK(port_mqtt_config_ok(&c));
    c.will_qos = 3;
    CHECK(!port_mqtt_config_ok(&c));
    c.will_qos = -1;
    CHECK(!port_mqtt_config_ok(&c));
    c.will_qos = 2;
    c.will_topic = "t";
    c.will_len = 3;
    CHECK(!port_mqtt_config_ok(&c)); /* a will of 3 bytes without a payload */
    c.will_payload = will;
    CHECK(port_mqtt_config_ok(&c));

    port_mqtt_config_apply_defaults(&c);
    CHECK_INT(1883, c.port);
    CHECK_INT(30, c.keepalive_s);
    CHECK_INT(PORT_MQTT_DEFAULT_MAX_INCOMING, c.max_incoming_bytes);
    CHECK_INT(10000, c.connect_timeout_ms);
    CHECK_INT(500, c.reconnect_min_ms);
    CHECK_INT(30000, c.reconnect_max_ms);

    port_mqtt_config t;
    memset(&t, 0, sizeof t);
    t.tls = true;
    t.keepalive_s = 3;
    t.max_incoming_bytes = 100;
    t.connect_timeout_ms = 7;
    t.reconnect_min_ms = 4000;
    t.reconnect_max_ms = 1000;
    port_mqtt_config_apply_defaults(&t);
    CHECK_INT(8883, t.port);
    CHECK_INT(3, t.keepalive_s); /* set values stay */
    CHECK_INT(100, t.max_incoming_bytes);
    CHECK_INT(7, t.connect_timeout_ms);
    CHECK_INT(4000, t.reconnect_min_ms);
    CHECK_INT(4000, t.reconnect_max_ms); /* raised to the minimum */
    t.port = 1234;
    port_mqtt_config_apply_defaults(&t);
    CHECK_INT(1234, t.port);

    CHECK_INT(1000, port_mqtt_backoff_next(500, 30000));
    CHECK_INT(30000, port_mqtt_backoff_next(16000, 30000));
    CHECK_INT(30000, port_mqtt_backoff_next(15000, 30000));
    CHECK_INT(30000, port_mqtt_backoff_next(15001, 30000));
    CHECK_INT(3000000000u, port_mqtt_backoff_next(3000000000u, 3000000000u)); /* no overflow */
}

static int g_state_calls;
static bool g_last_state;

static void on_state(void *ctx, bool connected)
{
    CHECK(ctx == &g_state_calls);
    g_state_calls++;
    g_last_state = connected;
}

static void test_link(void)
{
    port_mqtt_config c;
    memset(&c, 0, sizeof c);
    c.host = "broker";
    c.client_id = "p";
    port_mqtt_config_apply_defaults(&c); /* back-off 500..30000 */
    c.on_state = on_state;
    c.ctx = &g_state_calls;
    port_mqtt_link l;
    memset(&l, 0, sizeof l);
    l.initial = true;
    l.backoff_ms = c.reconnect_min_ms;

    port_mqtt_link_schedule(&l, &c, 1000);
    CHECK_INT(1500, l.next_attempt_ms);
    CHECK_INT(1000, l.backoff_ms);
    port_mqtt_link_schedule(&l, &c, 2000);
    CHECK_INT(3000, l.next_attempt_ms);
    CHECK_INT(2000, l.backoff_ms);

    l.connack_rc = 5;
    port_mqtt_link_accepted(&l, &c);
    CHECK_INT(PORT_MQTT_LINK_UP, l.state);
    CHECK_INT(0, l.connack_rc);
    CHECK_INT(500, l.backoff_ms);
    port_mqtt_link_report_up(&l, &c); /* the first CONNACK: silent */
    CHECK(!l.initial);
    CHECK(!l.event);
    CHECK_INT(0, g_state_calls);

    l.state = PORT_MQTT_LINK_DOWN;
    l.backoff_ms = 8000;
    port_mqtt_link_lost(&l, &c, 10000, "test");
    CHECK_INT(10500, l.next_attempt_ms); /* back-off restarted at the minimum */
    CHECK_INT(1000, l.backoff_ms);
    CHECK(l.event);
    CHECK_INT(1, g_state_calls);
    CHECK(!g_last_state);

    l.event = false;
    port_mqtt_link_accepted(&l, &c);
    port_mqtt_link_report_up(&l, &c); /* a reconnect */
    CHECK(l.event);
    CHECK_INT(2, g_state_calls);
    CHECK(g_last_state);

    c.on_state = NULL; /* no callback: still no crash */
    port_mqtt_link_lost(&l, &c, 0, "no callback");
    CHECK_INT(2, g_state_calls);
}

static void test_subscriptions(void)
{
    port_mqtt_subscriptions subs;
    memset(&subs, 0, sizeof subs);
    CHECK_INT(PORT_ERR_INVAL, port_mqtt_subscriptions_put(&subs, NULL, 1));
    CHECK_INT(PORT_ERR_INVAL, port_mqtt_subscriptions_put(&subs, "", 1));
    CHECK_INT(PORT_ERR_INVAL, port_mqtt_subscriptions_put(&subs, "a", 3));
    CHECK_INT(PORT_ERR_INVAL, port_mqtt_subscriptions_put(&subs, "a", -1));
    CHECK_INT(PORT_ERR_INVAL, port_mqtt_subscriptions_put(NULL, "a", 1));
    char long_topic[PORT_MQTT_MAX_TOPIC + 1];
    memset(long_topic, 't', sizeof long_topic);
    long_topic[PORT_MQTT_MAX_TOPIC] = '\0';
    CHECK_INT(PORT_ERR_INVAL, port_mqtt_subscriptions_put(&subs, long_topic, 1));
    long_topic[PORT_MQTT_MAX_TOPIC - 1] = '\0'; /* the longest that fits */
    CHECK_INT(PORT_OK, port_mqtt_subscriptions_put(&subs, long_topic, 0));
    CHECK_INT(1, subs.count);
    CHECK_STR(long_topic, subs.items[0].topic);

    CHECK_INT(PORT_OK, port_mqtt_subscriptions_put(&subs, "m/1/c/2/control/manager/start", 1));
    CHECK_INT(PORT_OK, port_mqtt_subscriptions_put(&subs, "m/1/c/2/control/manager/start", 2)); /* update */
    CHECK_INT(2, subs.count);
    CHECK_INT(2, subs.items[1].qos);

    char topic[32];
    for (int i = 0; subs.count < PORT_MQTT_MAX_SUBSCRIPTIONS; i++) {
        snprintf(topic, sizeof topic, "t/%d", i);
        REQUIRE(port_mqtt_subscriptions_put(&subs, topic, 1) == PORT_OK);
    }
    CHECK_INT(PORT_ERR_NOSPACE, port_mqtt_subscriptions_put(&subs, "one/more", 1));
    CHECK_INT(PORT_MQTT_MAX_SUBSCRIPTIONS, subs.count);
    CHECK_INT(PORT_OK, port_mqtt_subscriptions_put(&subs, "t/0", 0)); /* an existing one still updates */
    CHECK_INT(0, subs.items[2].qos);
}

int main(void)
{
    test_status_and_log();
    test_rfc3339();
    test_kv_keys();
    test_mqtt_config();
    test_link();
    test_subscriptions();
    return check_done("port_common");
}
