/* sysinfo_zephyr.c - discovery metadata on Zephyr: os "zephyr", the Kconfig architecture ("xtensa" on ESP32-S3),
 * the network host name, the Wi-Fi interface's IPv4 address, SRAM size, the libc malloc heap in use, and the CPU
 * time of the non-idle threads (kernel runtime statistics). */
#include "port.h"
#include "port_zephyr_internal.h"

#include <stdio.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/net/hostname.h>
#include <zephyr/sys/mem_stats.h>

#if defined(CONFIG_COMMON_LIBC_MALLOC) && defined(CONFIG_SYS_HEAP_RUNTIME_STATS)
/* lib/libc/common's malloc arena statistics; declared in a header private to Zephyr's libc. */
int malloc_runtime_stats_get(struct sys_memory_stats *stats);
#endif

int port_sysinfo_get(port_sysinfo *out)
{
    if (out == NULL) {
        return PORT_ERR_INVAL;
    }
    memset(out, 0, sizeof *out);
    (void)snprintf(out->os, sizeof out->os, "%s", "zephyr");
    (void)snprintf(out->arch, sizeof out->arch, "%s", CONFIG_ARCH);
#if defined(CONFIG_NET_HOSTNAME_ENABLE)
    (void)snprintf(out->hostname, sizeof out->hostname, "%s", net_hostname_get());
#endif
    port_zephyr_ipv4(out->ipv4, sizeof out->ipv4);
#if defined(CONFIG_SRAM_SIZE)
    out->total_memory_bytes = (uint64_t)CONFIG_SRAM_SIZE * 1024u; /* Kconfig gives KiB */
#endif
    return PORT_OK;
}

uint64_t port_process_rss_bytes(void)
{
#if defined(CONFIG_COMMON_LIBC_MALLOC) && defined(CONFIG_SYS_HEAP_RUNTIME_STATS)
    struct sys_memory_stats stats;
    if (malloc_runtime_stats_get(&stats) == 0) {
        return (uint64_t)stats.allocated_bytes;
    }
#endif
    return 0;
}

int port_process_cpu_times(port_cpu_times *out)
{
    if (out == NULL) {
        return PORT_ERR_INVAL;
    }
    out->user_us = 0;
    out->system_us = 0;
#if defined(CONFIG_SCHED_THREAD_USAGE_ALL) && !defined(CONFIG_THREAD_RUNTIME_STATS_USE_TIMING_FUNCTIONS)
    /* Zephyr has no processes and no user/kernel split: the cycles of every non-idle thread since boot (the
     * kernel's running sum, kept at each context switch) count as user time; system time stays 0. */
    k_thread_runtime_stats_t stats;
    if (k_thread_runtime_stats_all_get(&stats) == 0) {
        out->user_us = k_cyc_to_us_floor64(stats.total_cycles);
        return PORT_OK;
    }
#endif
    /* Without CONFIG_SCHED_THREAD_USAGE_ALL (prj.conf enables it through CONFIG_THREAD_RUNTIME_STATS), or with the
     * timing-function counter whose cycles are not k_cycle units, there is no cheap total: report 0. */
    return PORT_ERR;
}
