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
    if (__get_cpuid(0x80000000u, &a, &b, &c, &d) && a >= 0x80000004u) {
        unsigned regs[12];
        for (unsigned i = 0; i < 3; i++)
            __get_cpuid(0x80000002u + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
        memcpy(info->brand, regs, 48);
    }
}

#else

void dyn_cpu_read(dyn_cpu_info *info) { memset(info, 0, sizeof *info); }

#endif

void dyn_cpu_signature(const dyn_cpu_info *info, char *buf, size_t size) {
    const char *brand = info->brand;
    size_t length = strlen(brand);
    while (*brand == ' ') brand++, length--;
    while (length > 0 && brand[length - 1] == ' ') length--;
    snprintf(buf, size, "%s %.*s [%x %x %x %x %x %x %x] xcr0=%llx", info->vendor, (int)length, brand,
             info->signature, info->leaf1_ecx, info->leaf1_edx, info->leaf7_ebx, info->leaf7_ecx,
             info->leaf7_edx, info->leaf7_1_eax, (unsigned long long)info->xcr0);
}
