/* Runs before every shared library's constructor (an executable's .preinit_array comes first).
   When an earlier run of dynlua tested and cached a newer OpenBLAS kernel family for this
   machine, executes the binary again at once with OPENBLAS_CORETYPE set (and the marker that
   says dynlua set it), so that OpenBLAS's constructor sees it. Setting the variable in place is
   not possible here: the C library sets `environ` from the original array after this runs. Done
   this early, the second exec costs the kernel and the dynamic loader only (about a millisecond),
   not a whole start-up. Only the executable links this file. */
#include "dyn_blas_start.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void dyn_preinit(int argc, char **argv, char **envp) {
    (void)argc;
    char family[64];
    if (!dyn_blas_cached_family(envp, family, sizeof family)) return;
    size_t count = 0;
    while (envp[count]) count++;
    char **env = malloc((count + 3) * sizeof *env);
    char coretype[128];
    if (!env) return;
    snprintf(coretype, sizeof coretype, "%s=%s", DYN_BLAS_CORETYPE, family);
    for (size_t i = 0; i < count; i++) env[i] = envp[i];
    env[count] = coretype;
    env[count + 1] = DYN_BLAS_CHOSEN "=1";
    env[count + 2] = NULL;
    execve("/proc/self/exe", argv, env);
    free(env);  /* the exec failed: start as usual, main decides */
}

__attribute__((used, section(".preinit_array")))
static void (*const dyn_preinit_entry)(int, char **, char **) = dyn_preinit;
