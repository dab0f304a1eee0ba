#define _POSIX_C_SOURCE 200809L
/* Key-value storage: round trip, atomic overwrite, bad keys, small buffers, delete, persistence across reopen. */
#include "port.h"
#include "test_util.h"

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    REQUIRE(d != NULL);
    unsigned n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            n++;
        }
    }
    (void)closedir(d);
    return n;
}


/* A reader never sees a torn or mixed value while another process keeps overwriting the key. */
static void test_overwrite_is_atomic(void)
{
    static char a[3001];
    static char b[1001];
    memset(a, 'A', 3000);
    memset(b, 'B', 1000);
    REQUIRE(port_kv_set("swap", a) == PORT_OK);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        for (int i = 0; i < 300; i++) {
            if (port_kv_set("swap", (i % 2) != 0 ? a : b) != PORT_OK) {
                _exit(2);
            }
        }
        _exit(0);
    }
    static char got[PORT_KV_MAX_VALUE + 1];
    unsigned reads = 0;
    unsigned torn = 0;
    int status = 0;
    for (;;) {
        int done = waitpid(pid, &status, WNOHANG) == pid;
        int rc = port_kv_get("swap", got, sizeof got);
        reads++;
        if (rc != PORT_OK || (strcmp(got, a) != 0 && strcmp(got, b) != 0)) {
            torn++;
        }
        if (done) {
            break;
        }
    }
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_INT(0, torn);
    CHECK(reads > 1);
}

int main(void)
{
    char base[256];
    test_make_temp_dir(base, sizeof base, "kv");
    char dir[300];
    (void)snprintf(dir, sizeof dir, "%s/store", base); /* created by port_kv_open */
    char buf[PORT_KV_MAX_VALUE + 1];

    CHECK_INT(PORT_ERR_INVAL, port_kv_open(""));
    REQUIRE(port_kv_open(dir) == PORT_OK);

    /* round trip */
    CHECK_INT(PORT_ERR_NOTFOUND, port_kv_get("api_key", buf, sizeof buf));
    CHECK_INT(PORT_OK, port_kv_set("api_key", "secret-1"));
    CHECK_INT(PORT_OK, port_kv_get("api_key", buf, sizeof buf));
    CHECK_STR("secret-1", buf);
    CHECK_INT(PORT_OK, port_kv_set("entity_id", ""));
    CHECK_INT(PORT_OK, port_kv_get("entity_id", buf, sizeof buf));
    CHECK_STR("", buf);

    /* overwrite replaces the whole value (a shorter value leaves no tail) and leaves no temp files */
    CHECK_INT(PORT_OK, port_kv_set("api_key", "a-much-longer-second-secret-value"));
    CHECK_INT(PORT_OK, port_kv_set("api_key", "s3"));
    CHECK_INT(PORT_OK, port_kv_get("api_key", buf, sizeof buf));
    CHECK_STR("s3", buf);
    CHECK_INT(2, count_entries(dir));

    /* a stale temp file from a crashed writer is not a value */
    char stale[400];
    (void)snprintf(stale, sizeof stale, "%s/.api_key.tmp.99999", dir);
    FILE *f = fopen(stale, "w");
    REQUIRE(f != NULL);
    fputs("half-writ", f);
    (void)fclose(f);
    CHECK_INT(PORT_OK, port_kv_get("api_key", buf, sizeof buf));
    CHECK_STR("s3", buf);
    (void)remove(stale);

    test_overwrite_is_atomic();
    CHECK_INT(PORT_OK, port_kv_delete("swap"));

    /* largest value, and too large */
    static char big[PORT_KV_MAX_VALUE + 2];
    memset(big, 'x', PORT_KV_MAX_VALUE);
    big[PORT_KV_MAX_VALUE] = '\0';
    CHECK_INT(PORT_OK, port_kv_set("big", big));
    CHECK_INT(PORT_OK, port_kv_get("big", buf, sizeof buf));
    CHECK_INT(PORT_KV_MAX_VALUE, strlen(buf));
    big[PORT_KV_MAX_VALUE] = 'y';
    big[PORT_KV_MAX_VALUE + 1] = '\0';
    CHECK_INT(PORT_ERR_INVAL, port_kv_set("big", big));
    CHECK_INT(PORT_OK, port_kv_get("big", buf, sizeof buf)); /* the old value survives a refused set */
    CHECK_INT(PORT_KV_MAX_VALUE, strlen(buf));

    /* buffer too small: truncated, terminated, reported */
    char small[4];
    CHECK_INT(PORT_OK, port_kv_set("k", "abcdef"));
    CHECK_INT(PORT_ERR_NOSPACE, port_kv_get("k", small, sizeof small));
    CHECK_STR("abc", small);

    /* bad keys never touch the file system */
    const char *bad_keys[] = {"", ".hidden", "a/b", "../escape", "sp ace", "x\n",
                              "0123456789012345678901234567890123456789012345678901234567890123456789"};
    for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++) {
        CHECK_INT(PORT_ERR_INVAL, port_kv_set(bad_keys[i], "v"));
        CHECK_INT(PORT_ERR_INVAL, port_kv_get(bad_keys[i], buf, sizeof buf));
    }
    CHECK_INT(PORT_ERR_INVAL, port_kv_get(NULL, buf, sizeof buf));
    CHECK_INT(PORT_ERR_INVAL, port_kv_set("ok", NULL));

    /* delete */
    CHECK_INT(PORT_OK, port_kv_delete("k"));
    CHECK_INT(PORT_ERR_NOTFOUND, port_kv_get("k", buf, sizeof buf));
    CHECK_INT(PORT_OK, port_kv_delete("k"));

    /* values persist across a reopen */
    CHECK_INT(PORT_OK, port_kv_open(dir));
    CHECK_INT(PORT_OK, port_kv_get("api_key", buf, sizeof buf));
    CHECK_STR("s3", buf);

    /* a path that is a file is refused */
    char file_path[400];
    (void)snprintf(file_path, sizeof file_path, "%s/api_key", dir);
    CHECK_INT(PORT_ERR_IO, port_kv_open(file_path));

    test_remove_dir(dir);
    test_remove_dir(base);
    return check_done("port_kv");
}
