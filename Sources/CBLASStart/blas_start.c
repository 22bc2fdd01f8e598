#define _GNU_SOURCE
#include "dyn_blas_start.h"
#include "dyn_cpuid.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int dyn_blas_cache_dir(const char *xdg_cache_home, const char *home, char *buf, size_t size) {
    int n;
    if (xdg_cache_home && xdg_cache_home[0] == '/') n = snprintf(buf, size, "%s/dynlua", xdg_cache_home);
    else if (home && home[0] == '/') n = snprintf(buf, size, "%s/.cache/dynlua", home);
    else return -1;
    return n > 0 && (size_t)n < size ? 0 : -1;
}

int dyn_blas_cache_key(const char *pretend, char *buf, size_t size) {
    /* The library that defines OpenBLAS's symbols in this process; a package update changes its
       size or time, and with it the key. */
    void *symbol = dlsym(RTLD_DEFAULT, "openblas_get_config");
    Dl_info where;
    char path[PATH_MAX];
    struct stat st;
    if (!symbol || !dladdr(symbol, &where) || !where.dli_fname || !realpath(where.dli_fname, path) ||
        stat(path, &st) != 0)
        return -1;
    dyn_cpu_info info;
    char cpu[256];
    dyn_cpu_read(&info);
    dyn_cpu_signature(&info, cpu, sizeof cpu);
    int n = snprintf(buf, size, "openblas-core-v2 | %s | %s %lld %lld | %s", cpu, path, (long long)st.st_size,
                     (long long)st.st_mtime, pretend ? pretend : "");
    return n > 0 && (size_t)n < size ? 0 : -1;
}

void dyn_blas_cache_file(const char *dir, const char *key, char *buf, size_t size) {
    uint64_t hash = 0xCBF29CE484222325ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) hash = (hash ^ *p) * 0x100000001B3ull;
    snprintf(buf, size, "%s/openblas-core-%016llx", dir, (unsigned long long)hash);
}

int dyn_blas_cache_lookup(const char *path, const char *key, char *family, size_t size) {
    char text[2048];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return -1;
    text[n] = 0;
    size_t key_length = strlen(key);
    if (strncmp(text, key, key_length) != 0 || text[key_length] != '\n') return -1;
    const char *verdict = text + key_length + 1;
    if (strncmp(verdict, "keep", 4) == 0) return 0;
    if (strncmp(verdict, "use ", 4) != 0) return -1;
    size_t length = strcspn(verdict + 4, "\n");
    if (length == 0 || length >= size || verdict[4 + length] != '\n') return -1;
    memcpy(family, verdict + 4, length);
    family[length] = 0;
    return 1;
}

const char *dyn_env_value(char *const *envp, const char *name) {
    size_t length = strlen(name);
    for (; envp && *envp; envp++)
        if (strncmp(*envp, name, length) == 0 && (*envp)[length] == '=') return *envp + length + 1;
    return NULL;
}

int dyn_blas_cached_family(char *const *envp, char *family, size_t size) {
    if (dyn_env_value(envp, DYN_BLAS_CORETYPE) || dyn_env_value(envp, DYN_BLAS_CHOSEN) ||
        dyn_env_value(envp, DYN_BLAS_SELF_TEST))
        return 0;
    char dir[PATH_MAX], key[1024], path[PATH_MAX + 64];
    if (dyn_blas_cache_dir(dyn_env_value(envp, "XDG_CACHE_HOME"), dyn_env_value(envp, "HOME"), dir, sizeof dir) != 0 ||
        dyn_blas_cache_key(dyn_env_value(envp, DYN_BLAS_TEST_PRETEND_DEFAULT), key, sizeof key) != 0)
        return 0;
    dyn_blas_cache_file(dir, key, path, sizeof path);
    return dyn_blas_cache_lookup(path, key, family, size) == 1;
}
