import CCpuid
import XCTest
@testable import DynCore

/// cpuid decoding: synthetic registers for the rules, and this machine's processor against the
/// kernel's view of it in /proc/cpuinfo (which, like us, lists AVX only when the OS saves it).
final class CPUFeaturesTests: XCTestCase {
    /// cpuinfo's name of each feature.
    static let cpuinfoName: [CPUFeatures.Feature: String] = [
        .sse3: "pni", .ssse3: "ssse3", .sse4_1: "sse4_1", .sse4_2: "sse4_2", .avx: "avx", .fma: "fma",
        .avx2: "avx2", .avx512f: "avx512f", .avx512cd: "avx512cd", .avx512bw: "avx512bw",
        .avx512dq: "avx512dq", .avx512vl: "avx512vl", .avx512_bf16: "avx512_bf16",
    ]

    func testThisMachineMatchesProcCpuinfo() throws {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else {
            throw XCTSkip("no /proc/cpuinfo flags line")
        }
        let flags = Set(line.split(separator: ":")[1].split(separator: " ").map(String.init))
        let cpu = CPUFeatures.current()
        for feature in CPUFeatures.Feature.allCases {
            XCTAssertEqual(cpu.usable.contains(feature), flags.contains(Self.cpuinfoName[feature]!), "\(feature)")
        }
        let vendor = text.split(separator: "\n").first { $0.hasPrefix("vendor_id") }?.split(separator: ":")[1]
        XCTAssertEqual(cpu.vendor, vendor?.trimmingCharacters(in: .whitespaces))
    }

    func registers(ecx1: UInt32 = 0, ebx7: UInt32 = 0, eax71: UInt32 = 0, xcr0: UInt64) -> dyn_cpu_info {
        var info = dyn_cpu_info()
        info.leaf1_ecx = ecx1
        info.leaf7_ebx = ebx7
        info.leaf7_1_eax = eax71
        info.xcr0 = xcr0
        return info
    }

    let avxBits: UInt32 = 1 << 28 | 1 << 12 | 1 << 27 | 1 << 0 | 1 << 9 | 1 << 19 | 1 << 20
    let avx512Bits: UInt32 = 1 << 5 | 1 << 16 | 1 << 17 | 1 << 28 | 1 << 30 | 1 << 31

    func testEveryFeatureWhenTheOSSavesEveryState() {
        let cpu = CPUFeatures.decode(registers(ecx1: avxBits, ebx7: avx512Bits, eax71: 1 << 5, xcr0: 0xE7))
        XCTAssertEqual(cpu.usable, Set(CPUFeatures.Feature.allCases))
    }

    func testAVX512UnusableWithoutZMMState() {
        // An OS (or hypervisor) that saves only the YMM state: AVX2 yes, AVX-512 no.
        let cpu = CPUFeatures.decode(registers(ecx1: avxBits, ebx7: avx512Bits, xcr0: 0x7))
        XCTAssertEqual(cpu.usable, [.sse3, .ssse3, .sse4_1, .sse4_2, .avx, .fma, .avx2])
    }

    func testAVXUnusableWithoutYMMState() {
        let cpu = CPUFeatures.decode(registers(ecx1: avxBits, ebx7: avx512Bits, xcr0: 0x3))
        XCTAssertEqual(cpu.usable, [.sse3, .ssse3, .sse4_1, .sse4_2])
    }

    func testKeyHoldsTheRegistersThatDescribeTheProcessor() {
        var info = dyn_cpu_info()
        dyn_cpu_read(&info)
        var buffer = [CChar](repeating: 0, count: 160)
        dyn_cpu_key(&buffer, buffer.count)
        let expected = [UInt64(info.signature), UInt64(info.leaf1_ecx), UInt64(info.leaf1_edx), UInt64(info.leaf7_ebx),
                        UInt64(info.leaf7_ecx), UInt64(info.leaf7_edx), info.xcr0].map { String($0, radix: 16) }
        XCTAssertEqual(String(cString: buffer), expected.joined(separator: " "))
        XCTAssertNotEqual(info.signature, 0)
    }
}
