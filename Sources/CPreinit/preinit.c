/* Applies the kernel family an earlier run of dynlua tested and cached for this machine, before
   OpenBLAS's constructor chooses one itself (see docs/ARCHITECTURE.md, "BLAS kernels").

   An executable's .preinit_array runs before every shared library's constructor. Setting
   OPENBLAS_CORETYPE here would not last: the C library sets `environ` from the original array
   after this runs. Instead this runs OpenBLAS's kernel selection early, with an environment that
   holds the variable; OpenBLAS's constructor then finds a family chosen and keeps it, and the
   user's environment is never changed. Only the executable links this file (a test bundle keeps
   OpenBLAS's own choice). */
#include "dyn_blas_start.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OpenBLAS's kernel selection in DYNAMIC_ARCH builds: reads OPENBLAS_CORETYPE (or the
   processor), sets the kernel table, and returns at once when one is already set. Weak: absent
   from a build with one fixed family, where there is nothing to choose. */
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern char **environ;

static void dyn_preinit(int argc, char **argv, char **envp) {
    (void)argc, (void)argv;
    char family[64], coretype[128];
    if (!gotoblas_dynamic_init || !dyn_blas_cached_family(envp, family, sizeof family)) return;
    size_t count = 0;
    while (envp[count]) count++;
    char **env = malloc((count + 2) * sizeof *env);
    if (!env) return;
    memcpy(env, envp, count * sizeof *env);
    snprintf(coretype, sizeof coretype, "%s=%s", DYN_BLAS_CORETYPE, family);
    env[count] = coretype;
    env[count + 1] = NULL;
    char **saved = environ;
    environ = env;
    gotoblas_dynamic_init();
    environ = saved;
    free(env);
}

__attribute__((used, section(".preinit_array")))
static void (*const dyn_preinit_entry)(int, char **, char **) = dyn_preinit;
