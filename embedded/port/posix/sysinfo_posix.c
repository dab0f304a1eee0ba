/* sysinfo_posix.c - os, arch, hostname, IPv4 of the default route's interface, memory (Linux /proc), CPU times
 * (getrusage). */
#define _GNU_SOURCE
#include "port.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Name of the interface of the first default route in /proc/net/route; false when there is none. */
static bool default_iface(char *name, size_t cap)
{
    FILE *f = fopen("/proc/net/route", "r");
    if (f == NULL) {
        return false;
    }
    char line[256];
    bool found = false;
    if (fgets(line, sizeof line, f) != NULL) { /* header */
        while (fgets(line, sizeof line, f) != NULL) {
            char iface[IF_NAMESIZE + 1];
            unsigned long dest = 1;
            if (sscanf(line, "%16s %lx", iface, &dest) == 2 && dest == 0) {
                (void)snprintf(name, cap, "%s", iface);
                found = true;
                break;
            }
        }
    }
    (void)fclose(f);
    return found;
}

static void ipv4_address(char *out, size_t cap)
{
    out[0] = '\0';
    char iface[IF_NAMESIZE + 1] = "";
    bool have_default = default_iface(iface, sizeof iface);
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) != 0) {
        return;
    }
    /* The default route's interface first; else the first up, non-loopback IPv4 interface. */
    for (int pass = have_default ? 0 : 1; pass < 2 && out[0] == '\0'; pass++) {
        for (struct ifaddrs *it = list; it != NULL; it = it->ifa_next) {
            if (it->ifa_addr == NULL || it->ifa_addr->sa_family != AF_INET) {
                continue;
            }
            if (pass == 0 && strcmp(it->ifa_name, iface) != 0) {
                continue;
            }
            if (pass == 1 && ((it->ifa_flags & IFF_LOOPBACK) != 0 || (it->ifa_flags & IFF_UP) == 0)) {
                continue;
            }
            struct sockaddr_in sin;
            memcpy(&sin, it->ifa_addr, sizeof sin);
            if (inet_ntop(AF_INET, &sin.sin_addr, out, (socklen_t)cap) == NULL) {
                out[0] = '\0';
                continue;
            }
            break;
        }
    }
    freeifaddrs(list);
}

int port_sysinfo_get(port_sysinfo *out)
{
    if (out == NULL) {
        return PORT_ERR_INVAL;
    }
    memset(out, 0, sizeof *out);
    (void)snprintf(out->os, sizeof out->os, "%s", "linux");
    struct utsname u;
    if (uname(&u) == 0) {
        (void)snprintf(out->arch, sizeof out->arch, "%.31s", u.machine);
    }
    if (gethostname(out->hostname, sizeof out->hostname) != 0) {
        out->hostname[0] = '\0';
    }
    out->hostname[sizeof out->hostname - 1] = '\0';
    ipv4_address(out->ipv4, sizeof out->ipv4);
    long pages = sysconf(_SC_PHYS_PAGES);
    long page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) {
        out->total_memory_bytes = (uint64_t)pages * (uint64_t)page;
    }
    return PORT_OK;
}

uint64_t port_process_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) {
        return 0;
    }
    unsigned long long size = 0;
    unsigned long long resident = 0;
    int n = fscanf(f, "%llu %llu", &size, &resident);
    (void)fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    if (n != 2 || page <= 0) {
        return 0;
    }
    return (uint64_t)resident * (uint64_t)page;
}

static uint64_t timeval_us(long long sec, long long usec)
{
    if (sec < 0 || usec < 0) {
        return 0;
    }
    return (uint64_t)sec * UINT64_C(1000000) + (uint64_t)usec;
}

int port_process_cpu_times(port_cpu_times *out)
{
    if (out == NULL) {
        return PORT_ERR_INVAL;
    }
    out->user_us = 0;
    out->system_us = 0;
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) {
        return PORT_ERR;
    }
    out->user_us = timeval_us((long long)ru.ru_utime.tv_sec, (long long)ru.ru_utime.tv_usec);
    out->system_us = timeval_us((long long)ru.ru_stime.tv_sec, (long long)ru.ru_stime.tv_usec);
    return PORT_OK;
}
