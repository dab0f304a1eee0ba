/* Time, log and system info. */
#define _GNU_SOURCE
#include "port.h"
#include "test_util.h"

#include <ctype.h>
#include <fcntl.h>
#include <unistd.h>

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

static void test_time(void)
{
    uint64_t a = port_time_monotonic_ms();
    port_sleep_ms(50);
    uint64_t b = port_time_monotonic_ms();
    CHECK(b >= a + 45);
    CHECK(b < a + 5000);

    char ts[PORT_RFC3339_SIZE];
    CHECK_INT(PORT_OK, port_time_rfc3339(ts, sizeof ts));
    /* YYYY-MM-DDTHH:MM:SS.mmmZ */
    CHECK_INT(24, strlen(ts));
    CHECK(digits(ts, 4) && ts[4] == '-' && digits(ts + 5, 2) && ts[7] == '-' && digits(ts + 8, 2) && ts[10] == 'T' &&
          digits(ts + 11, 2) && ts[13] == ':' && digits(ts + 14, 2) && ts[16] == ':' && digits(ts + 17, 2) &&
          ts[19] == '.' && digits(ts + 20, 3) && ts[23] == 'Z');
    CHECK(strncmp(ts, "20", 2) == 0);
    char tiny[10];
    CHECK_INT(PORT_ERR_NOSPACE, port_time_rfc3339(tiny, sizeof tiny));
    CHECK_INT(9, strlen(tiny));
    CHECK_INT(PORT_ERR_INVAL, port_time_rfc3339(NULL, 4));
    uint64_t unix_ms = port_time_unix_ms();
    CHECK(unix_ms > UINT64_C(1700000000000)); /* after Nov 2023 */
}

/* Captures stderr into a file while running the log calls, then checks the lines. */
static void test_log(void)
{
    char dir[256];
    test_make_temp_dir(dir, sizeof dir, "log");
    char path[300];
    (void)snprintf(path, sizeof path, "%s/stderr.txt", dir);
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(saved >= 0 && fd >= 0);
    REQUIRE(dup2(fd, 2) == 2);
    port_log_set_level(PORT_LOG_INFO);
    port_log(PORT_LOG_DEBUG, "hidden %d", 1);
    port_log(PORT_LOG_INFO, "shown %d %s", 42, "text");
    port_log(PORT_LOG_ERROR, "error line");
    char huge[4000];
    memset(huge, 'h', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    port_log(PORT_LOG_WARN, "%s", huge); /* truncated, still one line */
    port_log_set_level(PORT_LOG_TRACE);
    CHECK_INT(PORT_LOG_TRACE, port_log_get_level());
    port_log(PORT_LOG_TRACE, "trace now");
    port_log_set_level(PORT_LOG_INFO);
    fflush(stderr);
    REQUIRE(dup2(saved, 2) == 2);
    (void)close(saved);
    (void)close(fd);

    FILE *f = fopen(path, "r");
    REQUIRE(f != NULL);
    char line[2048];
    int n = 0;
    const char *want_level[] = {"INFO", "ERROR", "WARN", "TRACE"};
    const char *want_text[] = {"shown 42 text", "error line", "hhhh", "trace now"};
    while (fgets(line, sizeof line, f) != NULL) {
        if (n < 4) {
            CHECK(strlen(line) > 25 && line[4] == '-' && line[23] == 'Z' && line[24] == ' ');
            CHECK(strncmp(line + 25, want_level[n], strlen(want_level[n])) == 0);
            CHECK(strstr(line, want_text[n]) != NULL);
            CHECK(strlen(line) <= 1024 + 64);
            CHECK(line[strlen(line) - 1] == '\n');
        }
        CHECK(strstr(line, "hidden") == NULL);
        n++;
    }
    (void)fclose(f);
    CHECK_INT(4, n);
    test_remove_dir(dir);
}

static void test_sysinfo(void)
{
    port_sysinfo s;
    CHECK_INT(PORT_OK, port_sysinfo_get(&s));
    CHECK_STR("linux", s.os);
    CHECK(s.arch[0] != '\0');
    CHECK(s.hostname[0] != '\0');
    CHECK(s.total_memory_bytes > UINT64_C(16) * 1024 * 1024);
    if (s.ipv4[0] != '\0') { /* best effort: a sandbox may have no default route */
        unsigned a, b, c, d;
        char tail;
        CHECK(sscanf(s.ipv4, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a < 256 && b < 256 && c < 256 &&
              d < 256);
    }
    printf("sysinfo: os=%s arch=%s hostname=%s ipv4=%s total=%llu\n", s.os, s.arch, s.hostname, s.ipv4,
           (unsigned long long)s.total_memory_bytes);
    uint64_t rss = port_process_rss_bytes();
    CHECK(rss > 0);
    CHECK(rss < s.total_memory_bytes);
    CHECK_INT(PORT_ERR_INVAL, port_sysinfo_get(NULL));
    CHECK_STR("queue full", port_status_str(PORT_ERR_FULL));
    CHECK_STR("unknown status", port_status_str(12345));
}

/* CPU times grow while this thread burns CPU, by no more than the wall time it took (one busy thread). */
static void test_cpu_times(void)
{
    port_cpu_times a;
    CHECK_INT(PORT_OK, port_process_cpu_times(&a));
    uint64_t t0 = port_time_monotonic_ms();
    volatile uint64_t sink = 0;
    port_cpu_times b = a;
    uint64_t used = 0;
    /* until 200 ms of CPU are used (at most 20 s on a very busy machine) */
    while (used < UINT64_C(200000) && port_time_monotonic_ms() - t0 < 20000u) {
        for (uint32_t i = 0; i < 1000000u; i++) {
            sink = sink * 6364136223846793005u + i;
        }
        CHECK_INT(PORT_OK, port_process_cpu_times(&b));
        used = (b.user_us + b.system_us) - (a.user_us + a.system_us);
    }
    uint64_t wall_us = (port_time_monotonic_ms() - t0 + 2u) * 1000u; /* + the monotonic clock's ms rounding */
    printf("cpu times: user %llu us -> %llu us, system %llu us -> %llu us, wall %llu us (sink %llu)\n",
           (unsigned long long)a.user_us, (unsigned long long)b.user_us, (unsigned long long)a.system_us,
           (unsigned long long)b.system_us, (unsigned long long)wall_us, (unsigned long long)sink);
    CHECK(b.user_us >= a.user_us && b.system_us >= a.system_us); /* never decrease */
    CHECK(used >= UINT64_C(200000));
    CHECK(b.user_us - a.user_us >= UINT64_C(100000)); /* the loop runs in user mode */
    if (used > wall_us + UINT64_C(20000)) { /* microseconds, not another unit: one thread cannot beat the clock */
        fprintf(stderr, "%s:%d: %llu us of CPU in %llu us of wall time\n", __FILE__, __LINE__,
                (unsigned long long)used, (unsigned long long)wall_us);
        check_failures++;
    }
    CHECK_INT(PORT_ERR_INVAL, port_process_cpu_times(NULL));
}

int main(void)
{
    test_time();
    test_log();
    test_sysinfo();
    test_cpu_times();
    return check_done("port_misc");
}
