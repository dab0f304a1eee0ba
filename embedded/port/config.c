/* config.c - PROPLET_* settings: defaults, strict parsing, config.toml identity fallback. C11, no OS calls other
 * than fopen/fgets for the TOML file. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_err(char *err, size_t cap, const char *name, const char *what, const char *value)
{
    if (err == NULL || cap == 0) {
        return;
    }
    if (value != NULL) {
        (void)snprintf(err, cap, "%s: %s, got \"%.64s\"", name, what, value);
    } else {
        (void)snprintf(err, cap, "%s: %s", name, what);
    }
}

/* Copies src (trimmed of surrounding spaces) into dst; false when it does not fit. */
static bool copy_trimmed(char *dst, size_t cap, const char *src)
{
    while (*src != '\0' && isspace((unsigned char)*src)) {
        src++;
    }
    size_t len = strlen(src);
    while (len > 0 && isspace((unsigned char)src[len - 1])) {
        len--;
    }
    if (len >= cap) {
        return false;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
    return true;
}

/* NULL when unset or only whitespace, like the .NET proplet's NonEmpty. */
static const char *non_empty(port_config_lookup_fn lookup, void *ctx, const char *name)
{
    const char *v = lookup(ctx, name);
    if (v == NULL) {
        return NULL;
    }
    for (const char *p = v; *p != '\0'; p++) {
        if (!isspace((unsigned char)*p)) {
            return v;
        }
    }
    return NULL;
}

/* Whole decimal number in [min, max], surrounding spaces allowed. */
static bool parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    char buf[32];
    if (!copy_trimmed(buf, sizeof buf, text) || buf[0] == '\0') {
        return false;
    }
    for (const char *p = buf; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
    }
    errno = 0;
    unsigned long long v = strtoull(buf, NULL, 10);
    if (errno != 0 || v < min || v > max) {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

static bool equals_ci(const char *a, const char *b)
{
    while (*a != '\0' && *b != '\0') {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) {
            return false;
        }
        a++;
        b++;
    }
    return *a == *b;
}

/* 1: truthy, 0: falsy, -1: neither. */
static int parse_bool(const char *text)
{
    char buf[16];
    if (!copy_trimmed(buf, sizeof buf, text)) {
        return -1;
    }
    if (equals_ci(buf, "1") || equals_ci(buf, "true") || equals_ci(buf, "yes") || equals_ci(buf, "on")) {
        return 1;
    }
    if (equals_ci(buf, "0") || equals_ci(buf, "false") || equals_ci(buf, "no") || equals_ci(buf, "off")) {
        return 0;
    }
    return -1;
}

void port_config_defaults(port_config *out)
{
    memset(out, 0, sizeof *out);
    (void)snprintf(out->config_file, sizeof out->config_file, "%s", "config.toml");
    (void)snprintf(out->config_section, sizeof out->config_section, "%s", "proplet");
    out->log_level = PORT_LOG_INFO;
    (void)snprintf(out->mqtt_host, sizeof out->mqtt_host, "%s", "localhost");
    out->mqtt_port = 1883;
    out->mqtt_tls = false;
    out->mqtt_qos = 2;
    out->mqtt_keep_alive_s = 30;
    out->mqtt_max_packet_size = (size_t)10485760;
    out->liveness_interval_s = 5;
    out->metrics_interval_s = 10;
    out->max_concurrent_tasks = 24;
    out->max_memory_bytes = 65536;
    out->wasm_stack_bytes = 16384;
    out->task_timeout_s = 0;
    (void)snprintf(out->kv_dir, sizeof out->kv_dir, "%s", "proplet-kv");
}

int port_config_parse_mqtt_address(const char *text, char *host, size_t host_cap, uint16_t *port, bool *tls)
{
    char buf[PORT_CONFIG_HOST_SIZE + 32];
    if (text == NULL || host == NULL || port == NULL || tls == NULL || host_cap == 0) {
        return PORT_ERR_INVAL;
    }
    if (!copy_trimmed(buf, sizeof buf, text) || buf[0] == '\0') {
        return PORT_ERR_INVAL;
    }
    char *rest = buf;
    bool use_tls = false;
    char *sep = strstr(buf, "://");
    if (sep != NULL) {
        *sep = '\0';
        if (equals_ci(buf, "ssl") || equals_ci(buf, "tls") || equals_ci(buf, "mqtts")) {
            use_tls = true;
        } else if (!equals_ci(buf, "tcp") && !equals_ci(buf, "mqtt")) {
            return PORT_ERR_INVAL;
        }
        rest = sep + 3;
        size_t n = strlen(rest);
        while (n > 0 && rest[n - 1] == '/') {
            rest[--n] = '\0';
        }
    }
    uint64_t p = use_tls ? 8883U : 1883U;
    const char *h = rest;
    size_t hlen;
    if (rest[0] == '[') { /* [ipv6]:port */
        char *close = strchr(rest, ']');
        if (close == NULL) {
            return PORT_ERR_INVAL;
        }
        h = rest + 1;
        hlen = (size_t)(close - h);
        if (close[1] == ':') {
            if (!parse_u64(close + 2, 1, 65535, &p)) {
                return PORT_ERR_INVAL;
            }
        } else if (close[1] != '\0') {
            return PORT_ERR_INVAL;
        }
    } else {
        char *colon = strrchr(rest, ':');
        if (colon != NULL && strchr(rest, ':') == colon) {
            if (!parse_u64(colon + 1, 1, 65535, &p)) {
                return PORT_ERR_INVAL;
            }
            hlen = (size_t)(colon - rest);
        } else {
            hlen = strlen(rest); /* no port, or a bare IPv6 address */
        }
    }
    if (hlen == 0 || hlen >= host_cap) {
        return PORT_ERR_INVAL;
    }
    for (size_t i = 0; i < hlen; i++) {
        if (isspace((unsigned char)h[i]) || h[i] == '/' || h[i] == '@') {
            return PORT_ERR_INVAL;
        }
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (uint16_t)p;
    *tls = use_tls;
    return PORT_OK;
}

/* Reads `key = "value"` lines of [section] from a config.toml; fills only the identity fields still empty.
 * A missing file is not an error; a line too long or a malformed string is. A build without a file system
 * (the Zephyr firmware, PROPLET_NO_CONFIG_FILE) takes its identity from Kconfig and NVS only. */
#ifdef PROPLET_NO_CONFIG_FILE
static int load_toml(port_config *out, char *err, size_t err_cap)
{
    (void)out;
    (void)err;
    (void)err_cap;
    return PORT_OK;
}
#else
static int load_toml(port_config *out, char *err, size_t err_cap)
{
    FILE *f = fopen(out->config_file, "r");
    if (f == NULL) {
        return PORT_OK;
    }
    char line[1024];
    bool in_section = false;
    unsigned lineno = 0;
    int rc = PORT_OK;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n' && !feof(f)) {
            (void)snprintf(err, err_cap, "PROPLET_CONFIG_FILE: %.128s:%u: line too long", out->config_file, lineno);
            rc = PORT_ERR_INVAL;
            break;
        }
        char *p = line;
        while (isspace((unsigned char)*p)) {
            p++;
        }
        if (*p == '#' || *p == '\0') {
            continue;
        }
        if (*p == '[') {
            char *close = strchr(p, ']');
            if (close == NULL) {
                in_section = false;
                continue;
            }
            *close = '\0';
            char name[128];
            in_section = copy_trimmed(name, sizeof name, p + 1) && strcmp(name, out->config_section) == 0;
            continue;
        }
        if (!in_section) {
            continue;
        }
        char *eq = strchr(p, '=');
        if (eq == NULL) {
            continue;
        }
        *eq = '\0';
        char key[64];
        if (!copy_trimmed(key, sizeof key, p)) {
            continue;
        }
        char *v = eq + 1;
        while (isspace((unsigned char)*v)) {
            v++;
        }
        if (*v != '"') {
            continue; /* identity values are strings; other value kinds are not ours */
        }
        v++;
        char *end = strchr(v, '"');
        if (end == NULL) {
            (void)snprintf(err, err_cap, "PROPLET_CONFIG_FILE: %.128s:%u: unterminated string", out->config_file, lineno);
            rc = PORT_ERR_INVAL;
            break;
        }
        *end = '\0';
        char *dst = NULL;
        size_t cap = 0;
        if (strcmp(key, "tenant_id") == 0) {
            dst = out->tenant_id;
            cap = sizeof out->tenant_id;
        } else if (strcmp(key, "entity_id") == 0) {
            dst = out->entity_id;
            cap = sizeof out->entity_id;
        } else if (strcmp(key, "channel_id") == 0) {
            dst = out->channel_id;
            cap = sizeof out->channel_id;
        } else if (strcmp(key, "api_key") == 0) {
            dst = out->api_key;
            cap = sizeof out->api_key;
        }
        if (dst == NULL || dst[0] != '\0') {
            continue; /* unknown key, or the environment already set it */
        }
        if (!copy_trimmed(dst, cap, v)) {
            (void)snprintf(err, err_cap, "PROPLET_CONFIG_FILE: %.128s:%u: %s is too long", out->config_file, lineno, key);
            rc = PORT_ERR_INVAL;
            break;
        }
    }
    (void)fclose(f);
    return rc;
}
#endif

typedef struct {
    const char *name;
    char *dst;
    size_t cap;
} string_var;

int port_config_load(port_config *out, port_config_lookup_fn lookup, void *ctx, char *err, size_t err_cap)
{
    char scratch[PORT_CONFIG_ERR_SIZE];
    if (err == NULL || err_cap == 0) {
        err = scratch;
        err_cap = sizeof scratch;
    }
    err[0] = '\0';
    if (out == NULL || lookup == NULL) {
        (void)snprintf(err, err_cap, "port_config_load: NULL argument");
        return PORT_ERR_INVAL;
    }
    port_config_defaults(out);

    const string_var strings[] = {
        {"PROPLET_TENANT_ID", out->tenant_id, sizeof out->tenant_id},
        {"PROPLET_ENTITY_ID", out->entity_id, sizeof out->entity_id},
        {"PROPLET_CHANNEL_ID", out->channel_id, sizeof out->channel_id},
        {"PROPLET_API_KEY", out->api_key, sizeof out->api_key},
        {"PROPLET_CONFIG_FILE", out->config_file, sizeof out->config_file},
        {"PROPLET_CONFIG_SECTION", out->config_section, sizeof out->config_section},
        {"PROPLET_MQTT_TLS_CA_CERT", out->mqtt_tls_ca_cert, sizeof out->mqtt_tls_ca_cert},
        {"PROPLET_MQTT_TLS_CLIENT_CERT", out->mqtt_tls_client_cert, sizeof out->mqtt_tls_client_cert},
        {"PROPLET_MQTT_TLS_CLIENT_KEY", out->mqtt_tls_client_key, sizeof out->mqtt_tls_client_key},
        {"PROPLET_KV_DIR", out->kv_dir, sizeof out->kv_dir},
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        const char *v = non_empty(lookup, ctx, strings[i].name);
        if (v != NULL && !copy_trimmed(strings[i].dst, strings[i].cap, v)) {
            char what[64];
            (void)snprintf(what, sizeof what, "longer than %zu bytes", strings[i].cap - 1);
            set_err(err, err_cap, strings[i].name, what, NULL);
            return PORT_ERR_INVAL;
        }
    }

    const char *v = non_empty(lookup, ctx, "PROPLET_LOG_LEVEL");
    if (v != NULL) {
        char lvl[16];
        if (!copy_trimmed(lvl, sizeof lvl, v)) {
            lvl[0] = '\0';
        }
        if (equals_ci(lvl, "trace")) {
            out->log_level = PORT_LOG_TRACE;
        } else if (equals_ci(lvl, "debug")) {
            out->log_level = PORT_LOG_DEBUG;
        } else if (equals_ci(lvl, "info")) {
            out->log_level = PORT_LOG_INFO;
        } else if (equals_ci(lvl, "warn") || equals_ci(lvl, "warning")) {
            out->log_level = PORT_LOG_WARN;
        } else if (equals_ci(lvl, "error")) {
            out->log_level = PORT_LOG_ERROR;
        } else {
            set_err(err, err_cap, "PROPLET_LOG_LEVEL", "expected trace, debug, info, warn or error", v);
            return PORT_ERR_INVAL;
        }
    }

    v = non_empty(lookup, ctx, "PROPLET_MQTT_ADDRESS");
    if (v != NULL && port_config_parse_mqtt_address(v, out->mqtt_host, sizeof out->mqtt_host, &out->mqtt_port,
                                                    &out->mqtt_tls) != PORT_OK) {
        set_err(err, err_cap, "PROPLET_MQTT_ADDRESS", "expected tcp://host:port, ssl://host:port or host[:port]", v);
        return PORT_ERR_INVAL;
    }

    struct {
        const char *name;
        uint64_t min;
        uint64_t max;
        const char *what;
        uint64_t value;
        bool set;
    } nums[] = {
        {"PROPLET_MQTT_QOS", 0, 2, "expected 0, 1 or 2", 0, false},
        {"PROPLET_MQTT_KEEP_ALIVE", 1, 65535, "expected seconds 1..65535", 0, false},
        {"PROPLET_MQTT_MAX_PACKET_SIZE", 1, 268435455, "expected bytes 1..268435455", 0, false},
        {"PROPLET_LIVELINESS_INTERVAL", 0, 86400, "expected seconds 0..86400", 0, false},
        {"PROPLET_METRICS_INTERVAL", 0, 86400, "expected seconds 0..86400", 0, false},
        {"PROPLET_MAX_CONCURRENT_TASKS", 1, 4096, "expected a count 1..4096", 0, false},
        {"PROPLET_MAX_MEMORY_BYTES", 1, UINT64_C(4294967296), "expected bytes 1..4294967296", 0, false},
        {"PROPLET_WASM_STACK_BYTES", 1024, UINT64_C(67108864), "expected bytes 1024..67108864", 0, false},
        {"PROPLET_TASK_TIMEOUT", 0, UINT64_C(31536000), "expected seconds 0..31536000", 0, false},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        v = non_empty(lookup, ctx, nums[i].name);
        if (v == NULL) {
            continue;
        }
        if (!parse_u64(v, nums[i].min, nums[i].max, &nums[i].value)) {
            set_err(err, err_cap, nums[i].name, nums[i].what, v);
            return PORT_ERR_INVAL;
        }
        nums[i].set = true;
    }
    if (nums[0].set) {
        out->mqtt_qos = (int)nums[0].value;
    }
    if (nums[1].set) {
        out->mqtt_keep_alive_s = (uint16_t)nums[1].value;
    }
    if (nums[2].set) {
        out->mqtt_max_packet_size = (size_t)nums[2].value;
    }
    if (nums[3].set) {
        out->liveness_interval_s = (uint32_t)nums[3].value;
    }
    if (nums[4].set) {
        out->metrics_interval_s = (uint32_t)nums[4].value;
    }
    if (nums[5].set) {
        out->max_concurrent_tasks = (uint32_t)nums[5].value;
    }
    if (nums[6].set) {
        out->max_memory_bytes = nums[6].value;
    }
    if (nums[7].set) {
        out->wasm_stack_bytes = (uint32_t)nums[7].value;
    }
    if (nums[8].set) {
        out->task_timeout_s = (uint32_t)nums[8].value;
    }

    v = non_empty(lookup, ctx, "PROPLET_MQTT_TLS_INSECURE_SKIP_VERIFY");
    if (v != NULL) {
        int b = parse_bool(v);
        if (b < 0) {
            set_err(err, err_cap, "PROPLET_MQTT_TLS_INSECURE_SKIP_VERIFY", "expected 1/true/yes/on or 0/false/no/off", v);
            return PORT_ERR_INVAL;
        }
        out->mqtt_tls_insecure = b == 1;
    }
    if ((out->mqtt_tls_client_cert[0] == '\0') != (out->mqtt_tls_client_key[0] == '\0')) {
        set_err(err, err_cap,
                out->mqtt_tls_client_cert[0] == '\0' ? "PROPLET_MQTT_TLS_CLIENT_CERT (PROPLET_MQTT_TLS_CLIENT_KEY is set)"
                                                     : "PROPLET_MQTT_TLS_CLIENT_KEY (PROPLET_MQTT_TLS_CLIENT_CERT is set)",
                "missing: client certificate and key must be set together", NULL);
        return PORT_ERR_INVAL;
    }

    if (out->tenant_id[0] == '\0' || out->entity_id[0] == '\0' || out->channel_id[0] == '\0' || out->api_key[0] == '\0') {
        int rc = load_toml(out, err, err_cap);
        if (rc != PORT_OK) {
            return rc;
        }
    }
    if (out->entity_id[0] == '\0') {
        set_err(err, err_cap, "PROPLET_ENTITY_ID", "not set, and PROPLET_CONFIG_FILE has no entity_id in its section", NULL);
        return PORT_ERR_INVAL;
    }
    return PORT_OK;
}

static const char *env_lookup(void *ctx, const char *name)
{
    (void)ctx;
    return getenv(name);
}

int port_config_from_env(port_config *out, char *err, size_t err_cap)
{
    return port_config_load(out, env_lookup, NULL, err, err_cap);
}

static const char *or_null(const char *s)
{
    return s[0] != '\0' ? s : NULL;
}

void port_config_to_mqtt(const port_config *config, port_mqtt_config *out)
{
    memset(out, 0, sizeof *out);
    out->host = config->mqtt_host;
    out->port = config->mqtt_port;
    out->client_id = config->entity_id;
    out->username = or_null(config->entity_id);
    out->password = or_null(config->api_key);
    out->keepalive_s = config->mqtt_keep_alive_s;
    out->clean_session = true;
    out->tls = config->mqtt_tls;
    out->tls_ca_file = or_null(config->mqtt_tls_ca_cert);
    out->tls_cert_file = or_null(config->mqtt_tls_client_cert);
    out->tls_key_file = or_null(config->mqtt_tls_client_key);
    out->tls_insecure = config->mqtt_tls_insecure;
    out->max_incoming_bytes = config->mqtt_max_packet_size;
}
