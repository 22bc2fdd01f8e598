/* Counts calls to malloc in a process (LD_PRELOAD) and prints the count at exit, so that
   scripts/bench can report heap allocations per training step. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static long calls;
static void *(*next_malloc)(size_t);

void *malloc(size_t size) {
    if (!next_malloc) next_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    calls++;
    return next_malloc(size);
}

__attribute__((destructor)) static void report(void) { fprintf(stderr, "mallocs=%ld\n", calls); }
