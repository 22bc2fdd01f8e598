#include "dyn_cpuid.h"
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/* xgetbv is only defined when cpuid says OSXSAVE (leaf 1 ecx bit 27); the caller checks. */
static uint64_t read_xcr0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

void dyn_cpu_key(char *buf, size_t size) {
    /* Raw cpuid, without the helpers' leaf-0 check (one more trap): every x86-64 processor has
       leaf 1, and one without leaf 7 answers it with fixed values, which key just as well. */
    unsigned a1, b1, c1, d1, a7, b7, c7, d7;
    uint64_t xcr0 = 0;
    __cpuid(1, a1, b1, c1, d1);
    if (c1 & (1u << 27)) xcr0 = read_xcr0();
    __cpuid_count(7, 0, a7, b7, c7, d7);
    (void)b1, (void)a7;
    snprintf(buf, size, "%x %x %x %x %x %x %llx", a1, c1, d1, b7, c7, d7, (unsigned long long)xcr0);
}

void dyn_cpu_read(dyn_cpu_info *info) {
    unsigned a, b, c, d;
    memset(info, 0, sizeof *info);
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    unsigned max_leaf = a;
    memcpy(info->vendor, &b, 4);
    memcpy(info->vendor + 4, &d, 4);
    memcpy(info->vendor + 8, &c, 4);
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        info->signature = a;
        info->leaf1_ecx = c;
        info->leaf1_edx = d;
        if (c & (1u << 27)) info->xcr0 = read_xcr0();
    }
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        info->leaf7_ebx = b;
        info->leaf7_ecx = c;
        info->leaf7_edx = d;
        unsigned subleaves = a;
        if (subleaves >= 1) {
            __cpuid_count(7, 1, a, b, c, d);
            info->leaf7_1_eax = a;
        }
    }
}

#else

void dyn_cpu_read(dyn_cpu_info *info) { memset(info, 0, sizeof *info); }

void dyn_cpu_key(char *buf, size_t size) { snprintf(buf, size, "none"); }

#endif
