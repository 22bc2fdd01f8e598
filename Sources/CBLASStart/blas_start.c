#define _GNU_SOURCE
#include "dyn_blas_start.h"
#include "dyn_cpuid.h"

#include <cblas.h>
#include <link.h>
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

/* Finds the loaded object whose segments hold `address` (dl_iterate_phdr: a walk over a few
   dozen objects, where dladdr would also search the symbol table, 55 us for OpenBLAS's). */
struct dyn_object_search { uintptr_t address; const char *name; };

static int dyn_find_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct dyn_object_search *search = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + segment->p_vaddr;
        if (segment->p_type == PT_LOAD && search->address - start < segment->p_memsz) {
            search->name = info->dlpi_name;
            return 1;
        }
    }
    return 0;
}

int dyn_blas_cache_key(const char *pretend, char *buf, size_t size) {
    /* The library file that holds OpenBLAS's code in this process (stat follows the symbolic
       links of Debian's alternatives); a package update changes its size or time. */
    struct dyn_object_search search = {(uintptr_t)&openblas_get_config, NULL};
    struct stat st;
    if (!dl_iterate_phdr(dyn_find_object, &search) || !search.name || !search.name[0] || stat(search.name, &st) != 0)
        return -1;
    char cpu[160];
    dyn_cpu_key(cpu, sizeof cpu);
    int n = snprintf(buf, size, "openblas-core-v3 | %s | %s %llx %llx %lld %lld | %s", cpu, search.name,
                     (unsigned long long)st.st_dev, (unsigned long long)st.st_ino, (long long)st.st_size,
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
