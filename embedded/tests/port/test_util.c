#define _GNU_SOURCE
#include "test_util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void test_make_temp_dir(char *out, size_t cap, const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0') {
        base = "/tmp";
    }
    int n = snprintf(out, cap, "%s/proplet-%s-XXXXXX", base, tag);
    REQUIRE(n > 0 && (size_t)n < cap);
    REQUIRE(mkdtemp(out) != NULL);
}

void test_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char path[1024];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path) {
            (void)unlink(path);
        }
    }
    (void)closedir(d);
    (void)rmdir(dir);
}

void test_die_with_parent(void)
{
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
}

uint16_t test_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    REQUIRE(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    (void)close(fd);
    return ntohs(a.sin_port);
}

static bool can_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return false;
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    (void)close(fd);
    return ok;
}

bool test_broker_start(test_broker *b, uint16_t port)
{
    return test_broker_start_with(b, port, "");
}

bool test_broker_start_with(test_broker *b, uint16_t port, const char *extra_config)
{
    const char *bin = getenv("MOSQUITTO_BROKER");
    if (bin == NULL || bin[0] == '\0') {
        bin = MOSQUITTO_BROKER_PATH;
    }
    if (access(bin, X_OK) != 0) {
        fprintf(stderr, "broker: %s is missing or not executable (install the mosquitto package)\n", bin);
        return false;
    }
    if (b->dir[0] == '\0') {
        test_make_temp_dir(b->dir, sizeof b->dir, "broker");
    }
    b->port = port != 0 ? port : test_free_port();
    char conf[300];
    (void)snprintf(conf, sizeof conf, "%s/mosquitto.conf", b->dir);
    FILE *f = fopen(conf, "w");
    if (f == NULL) {
        fprintf(stderr, "broker: cannot write %s: %s\n", conf, strerror(errno));
        return false;
    }
    fprintf(f, "listener %u 127.0.0.1\n%sallow_anonymous true\npersistence false\nlog_dest stderr\n"
               "log_type error\nlog_type warning\n",
            (unsigned)b->port, extra_config);
    if (getuid() == 0) { /* as root mosquitto would switch to the "mosquitto" user, who cannot read our files */
        fputs("user root\n", f);
    }
    (void)fclose(f);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        test_die_with_parent();
        execl(bin, bin, "-c", conf, (char *)NULL);
        _exit(127);
    }
    b->pid = (int)pid;
    for (int i = 0; i < 200; i++) { /* up to 10 s */
        if (can_connect(b->port)) {
            return true;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            fprintf(stderr, "broker: mosquitto exited at start-up (status %d)\n", status);
            b->pid = 0;
            return false;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "broker: mosquitto did not accept connections on port %u\n", (unsigned)b->port);
    test_broker_stop(b);
    return false;
}

void test_broker_stop(test_broker *b)
{
    if (b->pid > 0) {
        (void)kill(b->pid, SIGKILL);
        (void)waitpid(b->pid, NULL, 0);
        b->pid = 0;
    }
}
