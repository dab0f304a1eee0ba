#define _POSIX_C_SOURCE 200809L
/* Config: defaults, good values of every variable, bad values naming the variable, MQTT addresses, config.toml
 * identity fallback, garbage input. */
#include "config.h"
#include "test_util.h"

typedef struct {
    const char *names[32];
    const char *values[32];
    int n;
} fake_env;

static const char *lookup(void *ctx, const char *name)
{
    fake_env *e = ctx;
    for (int i = 0; i < e->n; i++) {
        if (strcmp(e->names[i], name) == 0) {
            return e->values[i];
        }
    }
    return NULL;
}

static void put(fake_env *e, const char *name, const char *value)
{
    for (int i = 0; i < e->n; i++) {
        if (strcmp(e->names[i], name) == 0) {
            e->values[i] = value;
            return;
        }
    }
    REQUIRE(e->n < 32);
    e->names[e->n] = name;
    e->values[e->n] = value;
    e->n++;
}

/* An environment with only the required identity and a config file that does not exist. */
static fake_env minimal(void)
{
    fake_env e = {.n = 0};
    put(&e, "PROPLET_ENTITY_ID", "prop-1");
    put(&e, "PROPLET_CONFIG_FILE", "/nonexistent/config.toml");
    return e;
}

static void test_defaults(void)
{
    fake_env e = minimal();
    port_config c;
    char err[PORT_CONFIG_ERR_SIZE];
    CHECK_INT(PORT_OK, port_config_load(&c, lookup, &e, err, sizeof err));
    CHECK_STR("prop-1", c.entity_id);
    CHECK_STR("localhost", c.mqtt_host);
    CHECK_INT(1883, c.mqtt_port);
    CHECK(!c.mqtt_tls);
    CHECK_INT(2, c.mqtt_qos);
    CHECK_INT(30, c.mqtt_keep_alive_s);
    CHECK_INT(10485760, c.mqtt_max_packet_size);
    CHECK_INT(5, c.liveness_interval_s);
    CHECK_INT(10, c.metrics_interval_s);
    CHECK_INT(24, c.max_concurrent_tasks);
    CHECK_INT(65536, c.max_memory_bytes);
    CHECK_INT(16384, c.wasm_stack_bytes);
    CHECK_INT(0, c.task_timeout_s);
    CHECK_INT(PORT_LOG_INFO, c.log_level);
    CHECK_STR("proplet", c.config_section);
}

static void test_good_values(void)
{
    fake_env e = minimal();
    put(&e, "PROPLET_MQTT_ADDRESS", " tcp://broker.example:1884 ");
    put(&e, "PROPLET_TENANT_ID", "t-1");
    put(&e, "PROPLET_CHANNEL_ID", "c-1");
    put(&e, "PROPLET_API_KEY", "k-1");
    put(&e, "PROPLET_MQTT_QOS", "1");
    put(&e, "PROPLET_MQTT_KEEP_ALIVE", "45");
    put(&e, "PROPLET_MQTT_MAX_PACKET_SIZE", "2048");
    put(&e, "PROPLET_LIVELINESS_INTERVAL", "0");
    put(&e, "PROPLET_METRICS_INTERVAL", "60");
    put(&e, "PROPLET_MAX_CONCURRENT_TASKS", "4");
    put(&e, "PROPLET_MAX_MEMORY_BYTES", "131072");
    put(&e, "PROPLET_WASM_STACK_BYTES", "8192");
    put(&e, "PROPLET_TASK_TIMEOUT", "30");
    put(&e, "PROPLET_LOG_LEVEL", "DEBUG");
    put(&e, "PROPLET_MQTT_TLS_INSECURE_SKIP_VERIFY", "yes");
    put(&e, "PROPLET_MQTT_TLS_CLIENT_CERT", "/c.pem");
    put(&e, "PROPLET_MQTT_TLS_CLIENT_KEY", "/k.pem");
    put(&e, "PROPLET_KV_DIR", "/var/lib/proplet");
    port_config c;
    char err[PORT_CONFIG_ERR_SIZE] = "";
    CHECK_INT(PORT_OK, port_config_load(&c, lookup, &e, err, sizeof err));
    CHECK_STR("", err);
    CHECK_STR("broker.example", c.mqtt_host);
    CHECK_INT(1884, c.mqtt_port);
    CHECK_STR("t-1", c.tenant_id);
    CHECK_STR("c-1", c.channel_id);
    CHECK_STR("k-1", c.api_key);
    CHECK_INT(1, c.mqtt_qos);
    CHECK_INT(45, c.mqtt_keep_alive_s);
    CHECK_INT(2048, c.mqtt_max_packet_size);
    CHECK_INT(0, c.liveness_interval_s);
    CHECK_INT(60, c.metrics_interval_s);
    CHECK_INT(4, c.max_concurrent_tasks);
    CHECK_INT(131072, c.max_memory_bytes);
    CHECK_INT(8192, c.wasm_stack_bytes);
    CHECK_INT(30, c.task_timeout_s);
    CHECK_INT(PORT_LOG_DEBUG, c.log_level);
    CHECK(c.mqtt_tls_insecure);
    CHECK_STR("/c.pem", c.mqtt_tls_client_cert);
    CHECK_STR("/k.pem", c.mqtt_tls_client_key);
    CHECK_STR("/var/lib/proplet", c.kv_dir);
}

/* PROPLET_METRICS_INTERVAL=0 turns metrics off (and is not the default). */
static void test_metrics_off(void)
{
    fake_env e = minimal();
    put(&e, "PROPLET_METRICS_INTERVAL", " 0 ");
    port_config c;
    char err[PORT_CONFIG_ERR_SIZE] = "";
    CHECK_INT(PORT_OK, port_config_load(&c, lookup, &e, err, sizeof err));
    CHECK_INT(0, c.metrics_interval_s);
}

static void expect_bad(const char *name, const char *value)
{
    fake_env e = minimal();
    put(&e, name, value);
    port_config c;
    char err[PORT_CONFIG_ERR_SIZE] = "";
    int rc = port_config_load(&c, lookup, &e, err, sizeof err);
    if (rc != PORT_ERR_INVAL || strstr(err, name) == NULL) {
        fprintf(stderr, "%s:%d: %s=\"%s\": expected PORT_ERR_INVAL naming the variable, got %d \"%s\"\n", __FILE__,
                __LINE__, name, value, rc, err);
        check_failures++;
    }
}

static void test_bad_values(void)
{
    expect_bad("PROPLET_MQTT_QOS", "3");
    expect_bad("PROPLET_MQTT_QOS", "-1");
    expect_bad("PROPLET_MQTT_QOS", "one");
    expect_bad("PROPLET_MQTT_KEEP_ALIVE", "0");
    expect_bad("PROPLET_MQTT_KEEP_ALIVE", "65536");
    expect_bad("PROPLET_MQTT_KEEP_ALIVE", "30s");
    expect_bad("PROPLET_MQTT_MAX_PACKET_SIZE", "0");
    expect_bad("PROPLET_LIVELINESS_INTERVAL", "1.5");
    expect_bad("PROPLET_METRICS_INTERVAL", "abc");
    expect_bad("PROPLET_METRICS_INTERVAL", "-1");
    expect_bad("PROPLET_METRICS_INTERVAL", "10s");
    expect_bad("PROPLET_METRICS_INTERVAL", "86401");
    expect_bad("PROPLET_MAX_CONCURRENT_TASKS", "0");
    expect_bad("PROPLET_MAX_CONCURRENT_TASKS", "99999999999999999999999");
    expect_bad("PROPLET_MAX_MEMORY_BYTES", "0");
    expect_bad("PROPLET_MAX_MEMORY_BYTES", "64K");
    expect_bad("PROPLET_WASM_STACK_BYTES", "100");
    expect_bad("PROPLET_TASK_TIMEOUT", "-5");
    expect_bad("PROPLET_LOG_LEVEL", "verbose");
    expect_bad("PROPLET_MQTT_TLS_INSECURE_SKIP_VERIFY", "maybe");
    expect_bad("PROPLET_MQTT_ADDRESS", "http://broker:1883");
    expect_bad("PROPLET_MQTT_ADDRESS", "tcp://broker:0");
    expect_bad("PROPLET_MQTT_ADDRESS", "tcp://broker:70000");
    expect_bad("PROPLET_MQTT_ADDRESS", "tcp://:1883");
    expect_bad("PROPLET_MQTT_ADDRESS", "tcp://[::1");
    expect_bad("PROPLET_MQTT_TLS_CLIENT_CERT", "/only-cert.pem");
    static char long_id[PORT_CONFIG_ID_SIZE + 10];
    memset(long_id, 'x', sizeof long_id - 1);
    expect_bad("PROPLET_ENTITY_ID", long_id);

    /* no entity id anywhere */
    fake_env e = {.n = 0};
    put(&e, "PROPLET_CONFIG_FILE", "/nonexistent/config.toml");
    port_config c;
    char err[PORT_CONFIG_ERR_SIZE] = "";
    CHECK_INT(PORT_ERR_INVAL, port_config_load(&c, lookup, &e, err, sizeof err));
    CHECK(strstr(err, "PROPLET_ENTITY_ID") != NULL);
    /* a NULL err buffer is allowed */
    CHECK_INT(PORT_ERR_INVAL, port_config_load(&c, lookup, &e, NULL, 0));
}

static void check_address(const char *text, const char *host, unsigned port, bool tls)
{
    char h[PORT_CONFIG_HOST_SIZE] = "";
    uint16_t p = 0;
    bool t = !tls;
    int rc = port_config_parse_mqtt_address(text, h, sizeof h, &p, &t);
    if (rc != PORT_OK || strcmp(h, host) != 0 || p != port || t != tls) {
        fprintf(stderr, "%s:%d: address \"%s\": expected %s %u %d, got rc %d %s %u %d\n", __FILE__, __LINE__, text,
                host, port, tls, rc, h, (unsigned)p, t);
        check_failures++;
    }
}

static void test_addresses(void)
{
    check_address("tcp://localhost:1883", "localhost", 1883, false);
    check_address("mqtt://10.0.0.1", "10.0.0.1", 1883, false);
    check_address("ssl://broker", "broker", 8883, true);
    check_address("TLS://broker:9000/", "broker", 9000, true);
    check_address("mqtts://broker", "broker", 8883, true);
    check_address("broker:1999", "broker", 1999, false);
    check_address("broker", "broker", 1883, false);
    check_address("[::1]:1884", "::1", 1884, false);
    check_address("::1", "::1", 1883, false);
    char h[8];
    uint16_t p;
    bool t;
    CHECK_INT(PORT_ERR_INVAL, port_config_parse_mqtt_address("a-very-long-host-name", h, sizeof h, &p, &t));
    CHECK_INT(PORT_ERR_INVAL, port_config_parse_mqtt_address("", h, sizeof h, &p, &t));
    CHECK_INT(PORT_ERR_INVAL, port_config_parse_mqtt_address("tcp://", h, sizeof h, &p, &t));
    CHECK_INT(PORT_ERR_INVAL, port_config_parse_mqtt_address("host:", h, sizeof h, &p, &t));
    CHECK_INT(PORT_ERR_INVAL, port_config_parse_mqtt_address(NULL, h, sizeof h, &p, &t));
}

static void test_toml_fallback(void)
{
    char dir[256];
    test_make_temp_dir(dir, sizeof dir, "config");
    char path[320];
    (void)snprintf(path, sizeof path, "%s/config.toml", dir);
    FILE *f = fopen(path, "w");
    REQUIRE(f != NULL);
    fputs("# Propeller Configuration\n\n[manager]\ntenant_id = \"mt\"\nentity_id = \"manager-id\"\n"
          "api_key = \"mk\"\nchannel_id = \"mc\"\n\n[proplet2]\ntenant_id = \"t2\"\nentity_id = \"e2\"\n"
          "api_key = \"k2\"\nchannel_id = \"c2\"\n\n[proxy]\nentity_id = \"proxy-id\"\n",
          f);
    (void)fclose(f);

    fake_env e = {.n = 0};
    put(&e, "PROPLET_CONFIG_FILE", path);
    put(&e, "PROPLET_CONFIG_SECTION", "proplet2");
    put(&e, "PROPLET_API_KEY", "from-env");
    port_config c;
    char err[PORT_CONFIG_ERR_SIZE] = "";
    CHECK_INT(PORT_OK, port_config_load(&c, lookup, &e, err, sizeof err));
    CHECK_STR("", err);
    CHECK_STR("t2", c.tenant_id);
    CHECK_STR("e2", c.entity_id);
    CHECK_STR("c2", c.channel_id);
    CHECK_STR("from-env", c.api_key); /* the environment wins */

    /* a section that is not there leaves the identity empty: error */
    put(&e, "PROPLET_CONFIG_SECTION", "proplet9");
    CHECK_INT(PORT_ERR_INVAL, port_config_load(&c, lookup, &e, err, sizeof err));
    CHECK(strstr(err, "PROPLET_ENTITY_ID") != NULL);

    /* garbage and truncated files never crash; an unterminated string is an error naming the file variable */
    const char *garbage[] = {"[proplet\nentity_id = \"x\"\n", "[proplet]\nentity_id = \"unterminated\n",
                             "\x01\x02\xff[][[[===\"\n", "[proplet]\nentity_id\n= \"\"\n", ""};
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        f = fopen(path, "w");
        REQUIRE(f != NULL);
        fputs(garbage[i], f);
        (void)fclose(f);
        fake_env g = {.n = 0};
        put(&g, "PROPLET_CONFIG_FILE", path);
        err[0] = '\0';
        int rc = port_config_load(&c, lookup, &g, err, sizeof err);
        CHECK_INT(PORT_ERR_INVAL, rc); /* none of them yields an entity id */
        CHECK(err[0] != '\0');
    }
    f = fopen(path, "w");
    REQUIRE(f != NULL);
    fputs("[proplet]\nentity_id = \"unterminated\n", f);
    (void)fclose(f);
    fake_env g = {.n = 0};
    put(&g, "PROPLET_CONFIG_FILE", path);
    CHECK_INT(PORT_ERR_INVAL, port_config_load(&c, lookup, &g, err, sizeof err));
    CHECK(strstr(err, "PROPLET_CONFIG_FILE") != NULL);
    /* a line longer than the reader's buffer is an error, not an overflow */
    f = fopen(path, "w");
    REQUIRE(f != NULL);
    fputs("[proplet]\nentity_id = \"", f);
    for (int i = 0; i < 3000; i++) {
        fputc('z', f);
    }
    fputs("\"\n", f);
    (void)fclose(f);
    CHECK_INT(PORT_ERR_INVAL, port_config_load(&c, lookup, &g, err, sizeof err));
    CHECK(strstr(err, "PROPLET_CONFIG_FILE") != NULL);
    test_remove_dir(dir);
}

static void test_from_env(void)
{
    REQUIRE(setenv("PROPLET_ENTITY_ID", "env-entity", 1) == 0);
    REQUIRE(setenv("PROPLET_CONFIG_FILE", "/nonexistent/config.toml", 1) == 0);
    REQUIRE(setenv("PROPLET_MAX_CONCURRENT_TASKS", "7", 1) == 0);
    port_config c;
    char err[PORT_CONFIG_ERR_SIZE] = "";
    CHECK_INT(PORT_OK, port_config_from_env(&c, err, sizeof err));
    CHECK_STR("env-entity", c.entity_id);
    CHECK_INT(7, c.max_concurrent_tasks);
    REQUIRE(setenv("PROPLET_MAX_CONCURRENT_TASKS", "lots", 1) == 0);
    CHECK_INT(PORT_ERR_INVAL, port_config_from_env(&c, err, sizeof err));
    CHECK(strstr(err, "PROPLET_MAX_CONCURRENT_TASKS") != NULL);
    CHECK(strstr(err, "lots") != NULL);
}

static void test_to_mqtt(void)
{
    fake_env e = minimal();
    put(&e, "PROPLET_MQTT_ADDRESS", "ssl://mq.example");
    put(&e, "PROPLET_API_KEY", "key-9");
    put(&e, "PROPLET_MQTT_TLS_CA_CERT", "/ca.pem");
    put(&e, "PROPLET_MQTT_MAX_PACKET_SIZE", "4096");
    port_config c;
    REQUIRE(port_config_load(&c, lookup, &e, NULL, 0) == PORT_OK);
    port_mqtt_config m;
    port_config_to_mqtt(&c, &m);
    CHECK_STR("mq.example", m.host);
    CHECK_INT(8883, m.port);
    CHECK(m.tls);
    CHECK_STR("/ca.pem", m.tls_ca_file);
    CHECK(m.tls_cert_file == NULL && m.tls_key_file == NULL);
    CHECK_STR("prop-1", m.client_id);
    CHECK_STR("prop-1", m.username);
    CHECK_STR("key-9", m.password);
    CHECK_INT(30, m.keepalive_s);
    CHECK_INT(4096, m.max_incoming_bytes);
    CHECK(m.will_topic == NULL && m.on_message == NULL);
    put(&e, "PROPLET_API_KEY", "");
    REQUIRE(port_config_load(&c, lookup, &e, NULL, 0) == PORT_OK);
    port_config_to_mqtt(&c, &m);
    CHECK(m.password == NULL);
}

int main(void)
{
    test_defaults();
    test_good_values();
    test_metrics_off();
    test_bad_values();
    test_addresses();
    test_toml_fallback();
    test_from_env();
    test_to_mqtt();
    return check_done("port_config");
}
