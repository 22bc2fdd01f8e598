/// Which OpenBLAS kernel family to run, from what the processor supports and what OpenBLAS chose
/// on its own. Pure: no environment, no processor; the start-up code supplies both.
///
/// OpenBLAS (built with DYNAMIC_ARCH) picks its family from the processor's model number, and
/// falls back to `Prescott` (SSE3, 2004) for a model it does not know, such as a recent Xeon that
/// a virtual machine reports with a generic name. The families form a ladder of instruction sets;
/// when OpenBLAS's choice sits below the newest rung the processor can run, that rung is used.
public enum BLASCoreChoice {
    /// Instruction-set levels, oldest first.
    enum Level: Int, Comparable {
        case sse2, sse3, ssse3, sse4_2, avx, avx2, avx512, avx512bf16
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    /// The level of each family name `openblas_get_corename` can return (lowercased).
    static let levelOfCore: [String: Level] = [
        "katmai": .sse2, "coppermine": .sse2, "northwood": .sse2, "banias": .sse2,
        "athlon": .sse2, "opteron": .sse2,
        "prescott": .sse3, "opteron(sse3)": .sse3, "opteron_sse3": .sse3, "barcelona": .sse3,
        "bobcat": .sse3, "nano": .sse3,
        "core2": .ssse3, "atom": .ssse3, "penryn": .ssse3, "dunnington": .ssse3,
        "nehalem": .sse4_2,
        "sandybridge": .avx, "bulldozer": .avx, "piledriver": .avx, "steamroller": .avx,
        "excavator": .avx,
        "haswell": .avx2, "zen": .avx2,
        "skylakex": .avx512,
        "cooperlake": .avx512bf16, "sapphirerapids": .avx512bf16,
    ]

    /// The newest family the processor runs among those OPENBLAS_CORETYPE can name in OpenBLAS
    /// 0.3.21 (it does not accept `Cooperlake`, whose float kernels are SkylakeX's anyway), with
    /// its level; nil off x86.
    static func newestFamily(for cpu: CPUFeatures) -> (name: String, level: Level)? {
        if cpu.has(.avx512f, .avx512cd, .avx512bw, .avx512dq, .avx512vl) { return ("SkylakeX", .avx512) }
        if cpu.has(.avx, .avx2, .fma) {
            let amd = cpu.vendor == "AuthenticAMD" || cpu.vendor == "HygonGenuine"
            return (amd ? "Zen" : "Haswell", .avx2)
        }
        if cpu.has(.avx) { return ("Sandybridge", .avx) }
        if cpu.has(.sse4_2) { return ("Nehalem", .sse4_2) }
        if cpu.has(.ssse3) { return ("Core2", .ssse3) }
        if cpu.has(.sse3) { return ("Prescott", .sse3) }
        return nil
    }

    /// Whether any processor could be given a newer family than `chosen`: false for the top of
    /// the ladder, and for names the table does not know. Lets start-up skip cpuid (which traps
    /// to the hypervisor in a virtual machine) where OpenBLAS already chose well.
    public static func mightUpgrade(from chosen: String) -> Bool {
        guard let current = levelOfCore[chosen.lowercased()] else { return false }
        return current < .avx512
    }

    /// The family to run instead of `chosen` (OpenBLAS's own choice), or nil to keep it: kept
    /// when it is as new as what the processor runs, or a name this table does not know (a
    /// newer library's newer family).
    public static func upgrade(from chosen: String, cpu: CPUFeatures) -> String? {
        guard mightUpgrade(from: chosen), let current = levelOfCore[chosen.lowercased()],
              let newest = newestFamily(for: cpu), newest.level > current else { return nil }
        return newest.name
    }
}
