/* port_common.c: see port_common.h. */
#include "port_common.h"

#include <stdio.h>
#include <string.h>

const char *port_status_str(int status)
{
    switch (status) {
    case PORT_OK: return "ok";
    case PORT_ERR: return "error";
    case PORT_ERR_INVAL: return "invalid argument";
    case PORT_ERR_NOSPACE: return "buffer too small";
    case PORT_ERR_NOTFOUND: return "not found";
    case PORT_ERR_FULL: return "queue full";
    case PORT_ERR_EMPTY: return "queue empty";
    case PORT_ERR_NOCONN: return "not connected";
    case PORT_ERR_IO: return "I/O error";
    case PORT_ERR_NOMEM: return "out of memory";
    case PORT_ERR_TIMEOUT: return "timed out";
    default: return "unknown status";
    }
}

bool port_log_level_passes(port_log_level level, int threshold)
{
    return (int)level >= threshold && (int)level >= 0 && (int)level <= (int)PORT_LOG_ERROR;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int port_format_rfc3339(uint64_t unix_ms, char *buf, size_t cap)
{
    static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (buf == NULL || cap == 0) {
        return PORT_ERR_INVAL;
    }
    uint64_t secs = unix_ms / 1000u;
    int64_t days = (int64_t)(secs / 86400u);
    uint32_t rem = (uint32_t)(secs % 86400u);
    int64_t year = 1970;
    while (days >= (is_leap(year) ? 366 : 365)) {
        days -= is_leap(year) ? 366 : 365;
        year++;
    }
    int month = 0;
    for (; month < 11; month++) {
        int len = month_days[month] + (month == 1 && is_leap(year) ? 1 : 0);
        if (days < len) {
            break;
        }
        days -= len;
    }
    int n = snprintf(buf, cap, "%04d-%02d-%02dT%02u:%02u:%02u.%03uZ", (int)year, month + 1, (int)days + 1,
                     (unsigned)(rem / 3600u), (unsigned)(rem / 60u % 60u), (unsigned)(rem % 60u),
                     (unsigned)(unix_ms % 1000u));
    if (n < 0) {
        buf[0] = '\0';
        return PORT_ERR;
    }
    return (size_t)n < cap ? PORT_OK : PORT_ERR_NOSPACE;
}

bool port_kv_key_ok(const char *key)
{
    if (key == NULL || key[0] == '\0' || key[0] == '.') {
        return false;
    }
    size_t n = 0;
    for (const char *p = key; *p != '\0'; p++, n++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '.' || c == '-';
        if (!ok || n >= PORT_KV_MAX_KEY) {
            return false;
        }
    }
    return true;
}

bool port_mqtt_config_ok(const port_mqtt_config *config)
{
    return config != NULL && config->host != NULL && config->client_id != NULL && config->will_qos >= 0 &&
           config->will_qos <= 2 && !(config->will_topic != NULL && config->will_payload == NULL && config->will_len > 0);
}

void port_mqtt_config_apply_defaults(port_mqtt_config *cfg)
{
    if (cfg->port == 0) {
        cfg->port = cfg->tls ? 8883 : 1883;
    }
    if (cfg->keepalive_s == 0) {
        cfg->keepalive_s = 30;
    }
    if (cfg->max_incoming_bytes == 0) {
        cfg->max_incoming_bytes = PORT_MQTT_DEFAULT_MAX_INCOMING;
    }
    if (cfg->connect_timeout_ms == 0) {
        cfg->connect_timeout_ms = 10000;
    }
    if (cfg->reconnect_min_ms == 0) {
        cfg->reconnect_min_ms = 500;
    }
    if (cfg->reconnect_max_ms == 0) {
        cfg->reconnect_max_ms = 30000;
    }
    if (cfg->reconnect_max_ms < cfg->reconnect_min_ms) {
        cfg->reconnect_max_ms = cfg->reconnect_min_ms;
    }
}

uint32_t port_mqtt_backoff_next(uint32_t backoff_ms, uint32_t max_ms)
{
    return backoff_ms > max_ms / 2U ? max_ms : backoff_ms * 2U;
}

void port_mqtt_link_schedule(port_mqtt_link *link, const port_mqtt_config *cfg, uint64_t now_ms)
{
    link->next_attempt_ms = now_ms + link->backoff_ms;
    link->backoff_ms = port_mqtt_backoff_next(link->backoff_ms, cfg->reconnect_max_ms);
}

void port_mqtt_link_lost(port_mqtt_link *link, const port_mqtt_config *cfg, uint64_t now_ms, const char *why)
{
    port_log(PORT_LOG_WARN, "mqtt: connection lost (%s); reconnecting", why);
    link->backoff_ms = cfg->reconnect_min_ms;
    port_mqtt_link_schedule(link, cfg, now_ms);
    link->event = true;
    if (cfg->on_state != NULL) {
        cfg->on_state(cfg->ctx, false);
    }
}

void port_mqtt_link_accepted(port_mqtt_link *link, const port_mqtt_config *cfg)
{
    link->connack_rc = 0;
    link->state = PORT_MQTT_LINK_UP;
    link->backoff_ms = cfg->reconnect_min_ms;
}

void port_mqtt_link_report_up(port_mqtt_link *link, const port_mqtt_config *cfg)
{
    if (link->initial) {
        link->initial = false;
        return;
    }
    port_log(PORT_LOG_INFO, "mqtt: reconnected to %s:%u", cfg->host, (unsigned)cfg->port);
    link->event = true;
    if (cfg->on_state != NULL) {
        cfg->on_state(cfg->ctx, true);
    }
}

int port_mqtt_subscriptions_put(port_mqtt_subscriptions *subs, const char *topic, int qos)
{
    if (subs == NULL || topic == NULL || topic[0] == '\0' || qos < 0 || qos > 2) {
        return PORT_ERR_INVAL;
    }
    size_t len = strlen(topic);
    if (len >= PORT_MQTT_MAX_TOPIC) {
        return PORT_ERR_INVAL;
    }
    size_t i = 0;
    while (i < subs->count && strcmp(subs->items[i].topic, topic) != 0) {
        i++;
    }
    if (i == subs->count) {
        if (subs->count == PORT_MQTT_MAX_SUBSCRIPTIONS) {
            port_log(PORT_LOG_ERROR, "mqtt: more than %d subscriptions", PORT_MQTT_MAX_SUBSCRIPTIONS);
            return PORT_ERR_NOSPACE;
        }
        memcpy(subs->items[i].topic, topic, len + 1);
        subs->count++;
    }
    subs->items[i].qos = qos;
    return PORT_OK;
}
