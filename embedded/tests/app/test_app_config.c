/* proplet.c's shared start-up helpers (used by main_posix.c and the Zephyr main): settling a port_config against
 * the build's limits, and the engine and proplet settings derived from it. */
#include "proplet.h"
#include "proplet_limits.h"
#include "test_util.h"

static void test_settle(void)
{
    static port_config cfg;
    char err[128];
    port_config_defaults(&cfg);
    uint32_t tasks = cfg.max_concurrent_tasks;
    err[0] = '\0';
    CHECK_INT(PORT_OK, proplet_settle_config(&cfg, err, sizeof err));
    CHECK_INT(tasks, cfg.max_concurrent_tasks); /* the default fits */
    CHECK_STR("", err);

    cfg.max_concurrent_tasks = PROPLET_MAX_TASKS + 1u;
    CHECK_INT(PORT_OK, proplet_settle_config(&cfg, err, sizeof err));
    CHECK_INT(PROPLET_MAX_TASKS, cfg.max_concurrent_tasks);

    cfg.max_memory_bytes = (uint64_t)UINT32_MAX + 1u;
    CHECK_INT(PORT_ERR_INVAL, proplet_settle_config(&cfg, err, sizeof err));
    CHECK_STR("PROPLET_MAX_MEMORY_BYTES: at most 4294967295 on this proplet", err);
    char tiny[9];
    CHECK_INT(PORT_ERR_INVAL, proplet_settle_config(&cfg, tiny, sizeof tiny));
    CHECK_STR("PROPLET_", tiny);
    CHECK_INT(PORT_ERR_INVAL, proplet_settle_config(&cfg, NULL, 0));
    cfg.max_memory_bytes = UINT32_MAX;
    CHECK_INT(PORT_OK, proplet_settle_config(&cfg, err, sizeof err));
    CHECK_INT(PORT_ERR_INVAL, proplet_settle_config(NULL, err, sizeof err));
}

static void test_derived(void)
{
    static port_config cfg;
    port_config_defaults(&cfg);
    snprintf(cfg.tenant_id, sizeof cfg.tenant_id, "t-1");
    snprintf(cfg.channel_id, sizeof cfg.channel_id, "c-2");
    snprintf(cfg.entity_id, sizeof cfg.entity_id, "p-3");
    cfg.mqtt_qos = 1;
    cfg.liveness_interval_s = 7;
    cfg.max_concurrent_tasks = 3;
    cfg.max_memory_bytes = 131072;
    cfg.wasm_stack_bytes = 8192;
    cfg.task_timeout_s = 12;
    cfg.metrics_interval_s = 4;

    engine_config ec = proplet_engine_config(&cfg);
    CHECK_INT(131072, ec.max_memory_bytes);
    CHECK_INT(8192, ec.wasm_stack_bytes);
    CHECK_INT(3, ec.max_instances);

    proplet_config pc;
    memset(&pc, 0xA5, sizeof pc); /* every field not derived must come back zeroed */
    proplet_config_from_port(&pc, &cfg);
    CHECK_STR("t-1", pc.tenant_id);
    CHECK_STR("c-2", pc.channel_id);
    CHECK_STR("p-3", pc.proplet_id);
    CHECK_INT(1, pc.qos);
    CHECK_INT(7000, pc.liveness_interval_ms);
    CHECK_INT(3, pc.max_concurrent_tasks);
    CHECK_INT(131072, pc.max_memory_bytes);
    CHECK_INT(12000, pc.task_timeout_ms);
    CHECK_INT(4000, pc.metrics_interval_ms);
    CHECK(pc.ns == NULL && pc.chunk_arena == NULL && pc.wasm_runtime == NULL && pc.description == NULL &&
          pc.location == NULL);
    CHECK_INT(0, pc.chunk_timeout_ms);
    CHECK_INT(0, pc.max_binary_bytes);
    CHECK_INT(0, pc.task_stack_bytes);
    CHECK_INT(0, pc.chunk_arena_len);

    cfg.task_timeout_s = UINT32_MAX / 1000u + 1u; /* saturates instead of wrapping */
    proplet_config_from_port(&pc, &cfg);
    CHECK_INT(UINT32_MAX, pc.task_timeout_ms);
    cfg.metrics_interval_s = UINT32_MAX;
    proplet_config_from_port(&pc, &cfg);
    CHECK_INT(UINT32_MAX, pc.metrics_interval_ms);
    cfg.task_timeout_s = 0;
    cfg.metrics_interval_s = 0;
    proplet_config_from_port(&pc, &cfg);
    CHECK_INT(0, pc.task_timeout_ms);
    CHECK_INT(0, pc.metrics_interval_ms);
}

int main(void)
{
    test_settle();
    test_derived();
    return check_done("app_config");
}
