/* kv_posix.c - key-value store: one file per key in a directory, replaced atomically (temp, fsync, rename). */
#define _GNU_SOURCE
#include "port.h"
#include "port_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[512];

static int key_path(char *buf, size_t cap, const char *key, const char *suffix)
{
    if (g_dir[0] == '\0') {
        return PORT_ERR_INVAL;
    }
    int n = snprintf(buf, cap, "%s/%s%s", g_dir, key, suffix);
    return (n < 0 || (size_t)n >= cap) ? PORT_ERR_NOSPACE : PORT_OK;
}

int port_kv_open(const char *dir)
{
    if (dir == NULL || dir[0] == '\0' || strlen(dir) >= sizeof g_dir - PORT_KV_MAX_KEY - 16) {
        return PORT_ERR_INVAL;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        port_log(PORT_LOG_ERROR, "kv: cannot create %s: %s", dir, strerror(errno));
        return PORT_ERR_IO;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        port_log(PORT_LOG_ERROR, "kv: %s is not a directory", dir);
        return PORT_ERR_IO;
    }
    (void)snprintf(g_dir, sizeof g_dir, "%s", dir);
    return PORT_OK;
}

int port_kv_get(const char *key, char *buf, size_t cap)
{
    if (!port_kv_key_ok(key) || buf == NULL || cap == 0) {
        return PORT_ERR_INVAL;
    }
    char path[640];
    int rc = key_path(path, sizeof path, key, "");
    if (rc != PORT_OK) {
        return rc;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        buf[0] = '\0';
        return errno == ENOENT ? PORT_ERR_NOTFOUND : PORT_ERR_IO;
    }
    size_t used = 0;
    rc = PORT_OK;
    for (;;) {
        char chunk[512];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            rc = PORT_ERR_IO;
            break;
        }
        if (n == 0) {
            break;
        }
        size_t got = (size_t)n;
        size_t room = cap - 1 - used;
        if (got > room) {
            memcpy(buf + used, chunk, room);
            used += room;
            rc = PORT_ERR_NOSPACE;
            break;
        }
        memcpy(buf + used, chunk, got);
        used += got;
    }
    (void)close(fd);
    buf[used] = '\0';
    return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return PORT_ERR_IO;
        }
        data += n;
        len -= (size_t)n;
    }
    return PORT_OK;
}

int port_kv_set(const char *key, const char *value)
{
    if (!port_kv_key_ok(key) || value == NULL) {
        return PORT_ERR_INVAL;
    }
    size_t len = strlen(value);
    if (len > PORT_KV_MAX_VALUE) {
        return PORT_ERR_INVAL;
    }
    char path[640];
    char tmp[680];
    int rc = key_path(path, sizeof path, key, "");
    if (rc != PORT_OK) {
        return rc;
    }
    /* The temp name starts with '.', which no key may, so it never collides with a key. */
    int n = snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", g_dir, key, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp) {
        return PORT_ERR_NOSPACE;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        port_log(PORT_LOG_ERROR, "kv: cannot write %s: %s", tmp, strerror(errno));
        return PORT_ERR_IO;
    }
    rc = write_all(fd, value, len);
    if (rc == PORT_OK && fsync(fd) != 0) {
        rc = PORT_ERR_IO;
    }
    if (close(fd) != 0) {
        rc = PORT_ERR_IO;
    }
    if (rc == PORT_OK && rename(tmp, path) != 0) {
        rc = PORT_ERR_IO;
    }
    if (rc != PORT_OK) {
        port_log(PORT_LOG_ERROR, "kv: cannot store %s: %s", key, strerror(errno));
        (void)unlink(tmp);
        return rc;
    }
    int dfd = open(g_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) { /* make the rename durable */
        (void)fsync(dfd);
        (void)close(dfd);
    }
    return PORT_OK;
}

int port_kv_delete(const char *key)
{
    if (!port_kv_key_ok(key)) {
        return PORT_ERR_INVAL;
    }
    char path[640];
    int rc = key_path(path, sizeof path, key, "");
    if (rc != PORT_OK) {
        return rc;
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        return PORT_ERR_IO;
    }
    return PORT_OK;
}
