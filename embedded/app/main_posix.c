/* propeller-proplet-c: the embedded proplet on a POSIX host. Settings from PROPLET_* environment variables
 * (port/config.h, plus the app's own below); SIGTERM/SIGINT shut it down cleanly (no Last Will). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "engine.h"
#include "port.h"
#include "proplet.h"
#include "proplet_limits.h"

#ifndef PROPLET_C_VERSION
#define PROPLET_C_VERSION "0.1.0"
#endif

static void on_signal(int sig)
{
    (void)sig;
    proplet_request_stop();
}

/* An unsigned decimal variable in [min, max]; unset or empty = def. False with a message when it does not parse. */
static bool env_u64(const char *name, uint64_t def, uint64_t min, uint64_t max, uint64_t *out)
{
    const char *v = getenv(name);
    if (v == NULL || v[0] == '\0') {
        *out = def;
        return true;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || n < min || n > max) {
        fprintf(stderr, "%s: expected a whole number from %llu to %llu, got \"%s\"\n", name,
                (unsigned long long)min, (unsigned long long)max, v);
        return false;
    }
    *out = (uint64_t)n;
    return true;
}

int main(void)
{
    static port_config cfg;
    char err[PORT_CONFIG_ERR_SIZE];
    if (port_config_from_env(&cfg, err, sizeof err) != PORT_OK) {
        fprintf(stderr, "propeller-proplet-c: %s\n", err);
        return 2;
    }
    port_log_set_level(cfg.log_level);

    uint64_t chunk_timeout_s = 0;
    uint64_t max_binary = 0;
    uint64_t stack_bytes = 0;
    if (!env_u64("PROPLET_CHUNK_TIMEOUT", 60, 1, 86400, &chunk_timeout_s) ||
        !env_u64("PROPLET_MAX_BINARY_BYTES", PROPLET_MAX_BINARY_BYTES, 8, PROPLET_MAX_BINARY_BYTES, &max_binary) ||
        !env_u64("PROPLET_TASK_STACK_BYTES", (uint64_t)64 * 1024 + cfg.wasm_stack_bytes,
                 (uint64_t)64 * 1024 + cfg.wasm_stack_bytes, (uint64_t)64 * 1024 * 1024, &stack_bytes)) {
        return 2;
    }
    const char *ns = getenv("PROPLET_MANAGER_K8S_NAMESPACE");
    if (proplet_settle_config(&cfg, err, sizeof err) != PORT_OK) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }

    engine_config ec = proplet_engine_config(&cfg);
    if (engine_init(&ec) != ENGINE_OK) {
        fprintf(stderr, "propeller-proplet-c: the Wasm engine did not start\n");
        return 1;
    }

    size_t arena_len = (size_t)max_binary * PROPLET_MAX_ASSEMBLIES;
    uint8_t *arena = malloc(arena_len);
    if (arena == NULL) {
        fprintf(stderr, "propeller-proplet-c: cannot allocate %zu bytes for chunk assembly\n", arena_len);
        engine_shutdown();
        return 1;
    }

    proplet_config pc;
    proplet_config_from_port(&pc, &cfg);
    pc.ns = ns;
    pc.chunk_timeout_ms = (uint32_t)(chunk_timeout_s * 1000u);
    pc.max_binary_bytes = (size_t)max_binary;
    pc.task_stack_bytes = (size_t)stack_bytes;
    pc.chunk_arena = arena;
    pc.chunk_arena_len = arena_len;
    pc.wasm_runtime = "wasmtime-c";
    pc.proplet_version = PROPLET_C_VERSION;
    pc.description = getenv("PROPLET_DESCRIPTION");
    pc.location = getenv("PROPLET_LOCATION");
    if (proplet_init(&pc, err, sizeof err) != PORT_OK) {
        fprintf(stderr, "propeller-proplet-c: %s\n", err);
        free(arena);
        engine_shutdown();
        return 2;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    (void)sigaction(SIGTERM, &sa, NULL);
    (void)sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    port_mqtt_config mc;
    port_config_to_mqtt(&cfg, &mc);
    port_log(PORT_LOG_INFO, "propeller-proplet-c %s: proplet %s, broker %s:%u", PROPLET_C_VERSION, cfg.entity_id,
             cfg.mqtt_host, (unsigned)cfg.mqtt_port);
    int rc = proplet_run(&mc);
    free(arena);
    engine_shutdown();
    return rc == PORT_OK ? 0 : 1;
}
