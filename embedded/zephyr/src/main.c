/* main.c - the Propeller proplet on Zephyr (ESP32-S3): settings from the settings/NVS store, else Kconfig; Wi-Fi;
 * SNTP; WAMR; then the portable main loop of app/proplet.c. Never built on the project's machines (README.md). */
#include <stdio.h>
#include <string.h>

#include <zephyr/kernel.h>

#include "config.h"
#include "engine.h"
#include "port.h"
#include "port_zephyr_internal.h"
#include "proplet.h"
#include "proplet_limits.h"

#define PROPLET_C_VERSION "0.1.0"
#define STR_(x) #x
#define STR(x) STR_(x)

/* One lookup result at a time: port_config_load copies or parses each value before asking for the next. */
static char g_value[512];
static char g_address[PORT_CONFIG_HOST_SIZE + 32];

typedef struct {
    const char *name;
    const char *kconfig;
} kconfig_default;

static const kconfig_default k_defaults[] = {
    {"PROPLET_TENANT_ID", CONFIG_PROPLET_TENANT_ID},
    {"PROPLET_ENTITY_ID", CONFIG_PROPLET_ENTITY_ID},
    {"PROPLET_CHANNEL_ID", CONFIG_PROPLET_CHANNEL_ID},
    {"PROPLET_API_KEY", CONFIG_PROPLET_API_KEY},
    {"PROPLET_LOG_LEVEL", CONFIG_PROPLET_LOG_LEVEL},
    {"PROPLET_MQTT_QOS", STR(CONFIG_PROPLET_MQTT_QOS)},
    {"PROPLET_MQTT_MAX_PACKET_SIZE", STR(CONFIG_PROPLET_MQTT_PAYLOAD_BYTES)},
    {"PROPLET_LIVELINESS_INTERVAL", STR(CONFIG_PROPLET_HEARTBEAT_SECONDS)},
    {"PROPLET_MAX_CONCURRENT_TASKS", STR(CONFIG_PROPLET_MAX_CONCURRENT_TASKS)},
    {"PROPLET_MAX_MEMORY_BYTES", STR(CONFIG_PROPLET_MAX_MEMORY_BYTES)},
    {"PROPLET_WASM_STACK_BYTES", STR(CONFIG_PROPLET_WASM_STACK_BYTES)},
    {"PROPLET_TASK_TIMEOUT", STR(CONFIG_PROPLET_TASK_TIMEOUT_SECONDS)},
    {"PROPLET_KV_DIR", CONFIG_PROPLET_KV_SUBTREE},
    {"PROPLET_WIFI_SSID", CONFIG_PROPLET_WIFI_SSID},
    {"PROPLET_WIFI_PSK", CONFIG_PROPLET_WIFI_PSK},
#if defined(CONFIG_PROPLET_MQTT_TLS)
    {"PROPLET_MQTT_TLS_CA_CERT", CONFIG_PROPLET_MQTT_TLS_CA_KEY},
#endif
};

/* The settings store first (provisioned values win), then Kconfig. NULL = not set. */
static const char *lookup(void *ctx, const char *name)
{
    (void)ctx;
    int rc = port_kv_get(name, g_value, sizeof g_value);
    if (rc == PORT_OK) {
        return g_value;
    }
    if (rc != PORT_ERR_NOTFOUND) {
        port_log(PORT_LOG_WARN, "settings: %s unreadable (%s); using the built-in value", name, port_status_str(rc));
    }
    if (strcmp(name, "PROPLET_MQTT_ADDRESS") == 0) {
        if (CONFIG_PROPLET_MQTT_HOST[0] == '\0') {
            return NULL;
        }
        (void)snprintf(g_address, sizeof g_address, "%s://%s:%d", IS_ENABLED(CONFIG_PROPLET_MQTT_TLS) ? "tls" : "tcp",
                       CONFIG_PROPLET_MQTT_HOST, CONFIG_PROPLET_MQTT_PORT);
        return g_address;
    }
    for (size_t i = 0; i < sizeof k_defaults / sizeof k_defaults[0]; i++) {
        if (strcmp(name, k_defaults[i].name) == 0) {
            return k_defaults[i].kconfig[0] != '\0' ? k_defaults[i].kconfig : NULL;
        }
    }
    return NULL;
}

/* Copies a looked-up value out of the shared buffer. */
static void lookup_copy(const char *name, char *out, size_t cap)
{
    const char *v = lookup(NULL, name);
    (void)snprintf(out, cap, "%s", v != NULL ? v : "");
}

/* Chunk assembly arena: PROPLET_MAX_ASSEMBLIES binaries of at most PROPLET_MAX_BINARY_BYTES (= Kconfig). */
static uint8_t g_chunk_arena[(size_t)PROPLET_MAX_BINARY_BYTES * PROPLET_MAX_ASSEMBLIES];

int main(void)
{
    static port_config cfg;
    static char ssid[33];
    static char psk[65];
    char err[PORT_CONFIG_ERR_SIZE];

    port_log(PORT_LOG_INFO, "propeller proplet %s (zephyr, wamr)", PROPLET_C_VERSION);
    if (port_kv_open(CONFIG_PROPLET_KV_SUBTREE) != PORT_OK) {
        port_log(PORT_LOG_WARN, "settings store unavailable: using the built-in (Kconfig) values only");
    }
    if (port_config_load(&cfg, lookup, NULL, err, sizeof err) != PORT_OK) {
        port_log(PORT_LOG_ERROR, "configuration: %s", err);
        return 0;
    }
    port_log_set_level(cfg.log_level);
    if (proplet_settle_config(&cfg, err, sizeof err) != PORT_OK) {
        port_log(PORT_LOG_ERROR, "%s", err);
        return 0;
    }

    lookup_copy("PROPLET_WIFI_SSID", ssid, sizeof ssid);
    lookup_copy("PROPLET_WIFI_PSK", psk, sizeof psk);
    if (port_zephyr_wifi_connect(ssid, psk, 0) != PORT_OK) {
        port_log(PORT_LOG_ERROR, "wifi: cannot come up; set CONFIG_PROPLET_WIFI_SSID/PSK or provision them");
        return 0;
    }
    if (CONFIG_PROPLET_SNTP_SERVER[0] != '\0') {
        (void)port_zephyr_sntp_sync(CONFIG_PROPLET_SNTP_SERVER, 5000);
    }

    engine_config ec = proplet_engine_config(&cfg);
    if (engine_init(&ec) != ENGINE_OK) {
        port_log(PORT_LOG_ERROR, "the Wasm engine (WAMR) did not start");
        return 0;
    }

    proplet_config pc;
    proplet_config_from_port(&pc, &cfg); /* ns and location stay NULL */
    pc.chunk_timeout_ms = 60000u;
    pc.max_binary_bytes = PROPLET_MAX_BINARY_BYTES;
    pc.task_stack_bytes = CONFIG_PROPLET_TASK_STACK_BYTES;
    pc.chunk_arena = g_chunk_arena;
    pc.chunk_arena_len = sizeof g_chunk_arena;
    pc.wasm_runtime = "wamr";
    pc.proplet_version = PROPLET_C_VERSION;
    pc.description = "ESP32-S3 (Zephyr, WAMR classic interpreter)";
    if (proplet_init(&pc, err, sizeof err) != PORT_OK) {
        port_log(PORT_LOG_ERROR, "proplet: %s", err);
        engine_shutdown();
        return 0;
    }

    port_mqtt_config mc;
    port_config_to_mqtt(&cfg, &mc);
    port_log(PORT_LOG_INFO, "proplet %s, broker %s:%u%s", cfg.entity_id, cfg.mqtt_host, (unsigned)cfg.mqtt_port,
             cfg.mqtt_tls ? " (TLS)" : "");
    int rc = proplet_run(&mc); /* serves until proplet_request_stop; reconnects by itself */
    port_log(rc == PORT_OK ? PORT_LOG_INFO : PORT_LOG_ERROR, "proplet stopped: %s", port_status_str(rc));
    engine_shutdown();
    return 0;
}
