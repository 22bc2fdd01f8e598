/* The processor's identity and instruction-set features as cpuid reports them, plus the register
   states the operating system saves (xgetbv): an instruction set is usable only when both say
   so. Read once at start-up to pick OpenBLAS's kernel family (see docs/ARCHITECTURE.md). */
#ifndef DYN_CPUID_H
#define DYN_CPUID_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char vendor[13];       /* "GenuineIntel", "AuthenticAMD", ...; empty off x86 */
    uint32_t signature;    /* leaf 1 eax: family, model, stepping */
    uint32_t leaf1_ecx, leaf1_edx;
    uint32_t leaf7_ebx, leaf7_ecx, leaf7_edx;
    uint32_t leaf7_1_eax;
    uint64_t xcr0;         /* register states the OS saves; 0 without OSXSAVE */
} dyn_cpu_info;

/* Fills *info (all zeros where the processor has no such leaf, or off x86). */
void dyn_cpu_read(dyn_cpu_info *info);

/* One line that identifies the processor and what it offers, for keying cached verdicts (a
   virtual machine with a generic model name can still differ in features): the registers of
   leaves 1 (family, model, stepping, features) and 7, and XCR0, in hex. Two cpuid calls only:
   in a virtual machine each one traps to the hypervisor (7-19 us measured here). */
void dyn_cpu_key(char *buf, size_t size);

#endif
