/* sysinfo_zephyr.c - discovery metadata on Zephyr: os "zephyr", the Kconfig architecture ("xtensa" on ESP32-S3),
 * the network host name, the Wi-Fi interface's IPv4 address, SRAM size, and the libc malloc heap in use. */
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
