import XCTest
@testable import DynCore

/// The pure choice: processor features and OpenBLAS's own family in, the family to run out.
final class BLASCoreChoiceTests: XCTestCase {
    typealias F = CPUFeatures.Feature
    static let sse: Set<F> = [.sse3, .ssse3, .sse4_1, .sse4_2]
    static let avx2: Set<F> = sse.union([.avx, .fma, .avx2])
    static let avx512: Set<F> = avx2.union([.avx512f, .avx512cd, .avx512bw, .avx512dq, .avx512vl])

    func intel(_ f: Set<F>) -> CPUFeatures { CPUFeatures(vendor: "GenuineIntel", usable: f) }
    func amd(_ f: Set<F>) -> CPUFeatures { CPUFeatures(vendor: "AuthenticAMD", usable: f) }

    func testXeonWithAVX512LeftOnPrescottGetsSkylakeX() {
        // The machine: Sapphire Rapids features, generic model name, Prescott kernels.
        let xeon = intel(Self.avx512.union([.avx512_bf16]))
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "Prescott", cpu: xeon), "SkylakeX")
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "Haswell", cpu: xeon), "SkylakeX")
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "Sandybridge", cpu: xeon), "SkylakeX")
    }

    func testNewestFamilyIsKept() {
        let zen4 = amd(Self.avx512.union([.avx512_bf16]))
        // OpenBLAS's choice on this project's EPYC: as new as anything it can be told to use.
        XCTAssertNil(BLASCoreChoice.upgrade(from: "Cooperlake", cpu: zen4))
        XCTAssertNil(BLASCoreChoice.upgrade(from: "SkylakeX", cpu: zen4))
        XCTAssertNil(BLASCoreChoice.upgrade(from: "Haswell", cpu: intel(Self.avx2)))
        XCTAssertNil(BLASCoreChoice.upgrade(from: "Zen", cpu: amd(Self.avx2)))
    }

    func testNameCaseDoesNotMatter() {
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "PRESCOTT", cpu: intel(Self.avx2)), "Haswell")
        XCTAssertNil(BLASCoreChoice.upgrade(from: "skylakex", cpu: intel(Self.avx512)))
    }

    func testUnknownFamilyIsKept() {
        // A newer library's newer family: never "upgrade" away from it.
        XCTAssertNil(BLASCoreChoice.upgrade(from: "Zen5", cpu: intel(Self.avx512)))
        XCTAssertNil(BLASCoreChoice.upgrade(from: "", cpu: intel(Self.avx512)))
    }

    func testAVX2FamilyFollowsTheVendor() {
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "Prescott", cpu: amd(Self.avx2)), "Zen")
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "Prescott", cpu: CPUFeatures(vendor: "HygonGenuine", usable: Self.avx2)), "Zen")
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "Prescott", cpu: intel(Self.avx2)), "Haswell")
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "Bulldozer", cpu: amd(Self.avx2)), "Zen")
    }

    func testEveryRungOfTheLadder() {
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "Katmai", cpu: intel([.sse3])), "Prescott")
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "Prescott", cpu: intel([.sse3, .ssse3])), "Core2")
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "Prescott", cpu: intel(Self.sse)), "Nehalem")
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "Nehalem", cpu: intel(Self.sse.union([.avx]))), "Sandybridge")
        XCTAssertNil(BLASCoreChoice.upgrade(from: "Prescott", cpu: intel([.sse3])))
        XCTAssertNil(BLASCoreChoice.upgrade(from: "Prescott", cpu: CPUFeatures(vendor: "", usable: [])))
    }

    func testPartialFeatureSetsStayOnTheLowerRung() {
        // AVX-512 F without BW/DQ/VL (Knights Landing) is no SkylakeX; AVX2 without FMA no Haswell.
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "Prescott", cpu: intel(Self.avx2.union([.avx512f, .avx512cd]))), "Haswell")
        XCTAssertEqual(BLASCoreChoice.upgrade(from: "Prescott", cpu: intel(Self.sse.union([.avx, .avx2]))), "Sandybridge")
    }

    func testCpuidIsSkippedOnlyWhereNoProcessorCouldDoBetter() throws {
        XCTAssertFalse(BLASCoreChoice.mightUpgrade(from: "Cooperlake"))
        XCTAssertFalse(BLASCoreChoice.mightUpgrade(from: "SkylakeX"))
        XCTAssertFalse(BLASCoreChoice.mightUpgrade(from: "Zen5"))
        XCTAssertTrue(BLASCoreChoice.mightUpgrade(from: "Prescott"))
        XCTAssertTrue(BLASCoreChoice.mightUpgrade(from: "Zen"))
        // The shortcut never hides an upgrade: where it says no, the family is at least as new as
        // the newest one any processor gets.
        let best = try XCTUnwrap(BLASCoreChoice.newestFamily(for: intel(Self.avx512.union([.avx512_bf16]))))
        for (name, level) in BLASCoreChoice.levelOfCore {
            XCTAssertEqual(BLASCoreChoice.mightUpgrade(from: name), level < best.level, name)
        }
    }
}
