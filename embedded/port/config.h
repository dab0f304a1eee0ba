/*
 * config.h - the embedded proplet's settings as a plain struct, and their parser.
 *
 * Variable names follow the .NET proplet (docs/configuration.md) where it has them; the C proplet's own ones are
 * PROPLET_MAX_CONCURRENT_TASKS, PROPLET_WASM_STACK_BYTES and PROPLET_KV_DIR, and its defaults are sized for a
 * microcontroller. Unlike the .NET proplet, a value that does not parse is an error naming the variable.
 * Portable: no OS calls except the file read behind port_config_load's TOML fallback.
 */
#ifndef PROPLET_PORT_CONFIG_H
#define PROPLET_PORT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PORT_CONFIG_ID_SIZE 128
#define PORT_CONFIG_SECRET_SIZE 256
#define PORT_CONFIG_HOST_SIZE 256
#define PORT_CONFIG_PATH_SIZE 256
#define PORT_CONFIG_ERR_SIZE 256

typedef struct {
    /* identity: environment first, missing ones from [config_section] of config_file */
    char tenant_id[PORT_CONFIG_ID_SIZE];    /* PROPLET_TENANT_ID / tenant_id */
    char entity_id[PORT_CONFIG_ID_SIZE];    /* PROPLET_ENTITY_ID / entity_id: proplet id, MQTT client id, username */
    char channel_id[PORT_CONFIG_ID_SIZE];   /* PROPLET_CHANNEL_ID / channel_id */
    char api_key[PORT_CONFIG_SECRET_SIZE];  /* PROPLET_API_KEY / api_key: MQTT password */
    char config_file[PORT_CONFIG_PATH_SIZE];/* PROPLET_CONFIG_FILE, default "config.toml" (absent file is fine) */
    char config_section[64];                /* PROPLET_CONFIG_SECTION, default "proplet" */

    port_log_level log_level;               /* PROPLET_LOG_LEVEL: trace|debug|info|warn|error, default info */

    /* PROPLET_MQTT_ADDRESS: tcp:// or mqtt:// (1883), ssl:// tls:// mqtts:// (8883), or bare host[:port];
     * default tcp://localhost:1883 */
    char mqtt_host[PORT_CONFIG_HOST_SIZE];
    uint16_t mqtt_port;
    bool mqtt_tls;
    int mqtt_qos;                           /* PROPLET_MQTT_QOS: 0, 1 or 2; default 2 */
    uint16_t mqtt_keep_alive_s;             /* PROPLET_MQTT_KEEP_ALIVE: seconds 1..65535, default 30 */
    size_t mqtt_max_packet_size;            /* PROPLET_MQTT_MAX_PACKET_SIZE: bytes > 0, default 10485760 */
    char mqtt_tls_ca_cert[PORT_CONFIG_PATH_SIZE];     /* PROPLET_MQTT_TLS_CA_CERT */
    char mqtt_tls_client_cert[PORT_CONFIG_PATH_SIZE]; /* PROPLET_MQTT_TLS_CLIENT_CERT (both or neither) */
    char mqtt_tls_client_key[PORT_CONFIG_PATH_SIZE];  /* PROPLET_MQTT_TLS_CLIENT_KEY */
    bool mqtt_tls_insecure;                 /* PROPLET_MQTT_TLS_INSECURE_SKIP_VERIFY: truthy/falsy, default false */

    uint32_t liveness_interval_s;           /* PROPLET_LIVELINESS_INTERVAL: seconds, 0 = no heartbeats; default 5 */
    uint32_t metrics_interval_s;            /* PROPLET_METRICS_INTERVAL: seconds, 0 = none; default 10 */

    uint32_t max_concurrent_tasks;          /* PROPLET_MAX_CONCURRENT_TASKS: > 0, default 24 */
    uint64_t max_memory_bytes;              /* PROPLET_MAX_MEMORY_BYTES: > 0, default 65536 (per-task linear memory) */
    uint32_t wasm_stack_bytes;              /* PROPLET_WASM_STACK_BYTES: >= 1024, default 16384 */
    uint32_t task_timeout_s;                /* PROPLET_TASK_TIMEOUT: seconds, 0 = none; default 0 */

    char kv_dir[PORT_CONFIG_PATH_SIZE];     /* PROPLET_KV_DIR: credential store directory, default "proplet-kv" */
} port_config;

/* Looks a variable up; returns NULL when it is not set. */
typedef const char *(*port_config_lookup_fn)(void *ctx, const char *name);

void port_config_defaults(port_config *out);
/* Defaults, then every variable `lookup` knows, then the TOML fallback for missing identity values. On error fills
 * `err` with a message naming the variable (e.g. "PROPLET_MQTT_QOS: expected 0, 1 or 2, got \"7\"") and returns
 * PORT_ERR_INVAL. A missing entity id after the fallback is an error too (it is the MQTT client id). */
int port_config_load(port_config *out, port_config_lookup_fn lookup, void *ctx, char *err, size_t err_cap);
/* port_config_load with the process environment (getenv). */
int port_config_from_env(port_config *out, char *err, size_t err_cap);

/* Fills the connection part of an MQTT config from `config` (which must outlive the connect call): host, port,
 * TLS files and flag, client id and username = entity id, password = api key (NULL when empty), keepalive,
 * max incoming = max packet size, clean session. Last Will, callbacks and back-off are left zero for the app. */
void port_config_to_mqtt(const port_config *config, port_mqtt_config *out);

/* Parses PROPLET_MQTT_ADDRESS syntax. Exposed for tests. */
int port_config_parse_mqtt_address(const char *text, char *host, size_t host_cap, uint16_t *port, bool *tls);

#ifdef __cplusplus
}
#endif

#endif /* PROPLET_PORT_CONFIG_H */
