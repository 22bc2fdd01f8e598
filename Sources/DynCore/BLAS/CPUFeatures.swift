import CCpuid

/// What the processor can run: the instruction sets that cpuid reports and whose registers the
/// operating system saves (AVX needs the YMM state in XCR0, AVX-512 the opmask and ZMM states too;
/// a kernel using registers the OS does not save would be corrupted at the first context switch).
public struct CPUFeatures: Equatable, Sendable {
    public enum Feature: String, CaseIterable, Sendable {
        case sse3, ssse3, sse4_1, sse4_2, avx, fma, avx2
        case avx512f, avx512cd, avx512bw, avx512dq, avx512vl, avx512_bf16
    }

    /// "GenuineIntel", "AuthenticAMD", ...; empty off x86.
    public var vendor: String
    /// The usable instruction sets.
    public var usable: Set<Feature>
    public init(vendor: String, usable: Set<Feature>) {
        self.vendor = vendor
        self.usable = usable
    }

    public func has(_ features: Feature...) -> Bool { features.allSatisfy(usable.contains) }

    /// This machine's processor, through cpuid and xgetbv.
    public static func current() -> CPUFeatures {
        var info = dyn_cpu_info()
        dyn_cpu_read(&info)
        return decode(info)
    }

    /// The raw registers decoded (bit positions from the Intel and AMD manuals).
    static func decode(_ info: dyn_cpu_info) -> CPUFeatures {
        let vendor = cString(info.vendor)
        func bit(_ word: UInt32, _ n: UInt32) -> Bool { word & (1 << n) != 0 }
        let osSavesYMM = info.xcr0 & 0x6 == 0x6      // SSE and AVX state
        let osSavesZMM = info.xcr0 & 0xE6 == 0xE6    // and opmask, upper ZMM, ZMM16-31
        var usable = Set<Feature>()
        let ecx1 = info.leaf1_ecx, ebx7 = info.leaf7_ebx
        let plain: [(Feature, Bool)] = [(.sse3, bit(ecx1, 0)), (.ssse3, bit(ecx1, 9)),
                                        (.sse4_1, bit(ecx1, 19)), (.sse4_2, bit(ecx1, 20))]
        let ymm: [(Feature, Bool)] = [(.avx, bit(ecx1, 28)), (.fma, bit(ecx1, 12)), (.avx2, bit(ebx7, 5))]
        let zmm: [(Feature, Bool)] = [(.avx512f, bit(ebx7, 16)), (.avx512dq, bit(ebx7, 17)),
                                      (.avx512cd, bit(ebx7, 28)), (.avx512bw, bit(ebx7, 30)),
                                      (.avx512vl, bit(ebx7, 31)), (.avx512_bf16, bit(info.leaf7_1_eax, 5))]
        for (feature, present) in plain where present { usable.insert(feature) }
        for (feature, present) in ymm where present && osSavesYMM { usable.insert(feature) }
        for (feature, present) in zmm where present && osSavesZMM { usable.insert(feature) }
        return CPUFeatures(vendor: vendor, usable: usable)
    }

    private static func cString<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
