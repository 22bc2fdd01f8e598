/* The part of the start-up choice of OpenBLAS's kernel family that must also work before any
   library is initialized (see Sources/CPreinit and docs/ARCHITECTURE.md): the names of the
   environment variables, and the cache of verdicts, one small file per processor and library:
       line 1: the key (dyn_blas_cache_key)
       line 2: "use FAMILY" (FAMILY passed the self-test) or "keep: why" (it did not)
   Plain C and libc only: no Swift, no OpenBLAS call. */
#ifndef DYN_BLAS_START_H
#define DYN_BLAS_START_H

#include <stddef.h>

#define DYN_BLAS_CORETYPE "OPENBLAS_CORETYPE"
/* Set with OPENBLAS_CORETYPE by dynlua itself (never by the user): main removes both. */
#define DYN_BLAS_CHOSEN "DYNLUA_BLAS_CORE_CHOSEN"
/* On the self-test child: the family under test. */
#define DYN_BLAS_SELF_TEST "DYNLUA_BLAS_SELF_TEST"
/* Tests only: pretend OpenBLAS chose this family; part of the key, so tests and real runs never
   share a verdict. */
#define DYN_BLAS_TEST_PRETEND_DEFAULT "DYNLUA_TEST_BLAS_DEFAULT"

/* $XDG_CACHE_HOME/dynlua, else $HOME/.cache/dynlua (relative values are ignored, as the XDG
   specification asks; either may be NULL). 0 on success, -1 when neither applies or too long. */
int dyn_blas_cache_dir(const char *xdg_cache_home, const char *home, char *buf, size_t size);

/* What a verdict is about: this processor (dyn_cpu_key), the OpenBLAS library file loaded in
   this process (its path, device, inode, size and modification time) and `pretend`, the value of the
   test variable above (NULL when unset). 0 on success, -1 when the library file cannot be found. */
int dyn_blas_cache_key(const char *pretend, char *buf, size_t size);

/* The verdict file for `key` in `dir`: dir/openblas-core-<64-bit FNV-1a of key, hex>. */
void dyn_blas_cache_file(const char *dir, const char *key, char *buf, size_t size);

/* Reads the verdict file at `path`: 1 "use" (the family copied to `family`), 0 "keep",
   -1 no file, another key's file (a hash collision) or an unreadable one. */
int dyn_blas_cache_lookup(const char *path, const char *key, char *family, size_t size);

/* For the pre-initializer, which runs before the C library has set up `environ` (getenv does not
   work yet): with the environment `envp`, 1 when neither the user nor dynlua set
   OPENBLAS_CORETYPE (nor is this the self-test child) and the cache says "use FAMILY" for this
   processor and library (FAMILY copied to `family`), else 0. */
int dyn_blas_cached_family(char *const *envp, char *family, size_t size);

/* The value of `name` in `envp`, or NULL. */
const char *dyn_env_value(char *const *envp, const char *name);

#endif
