import XCTest
@testable import DynCore

/// The generator's output is part of the documented behaviour (same seed, same numbers on every
/// machine), so the first values are pinned against an independent implementation:
///
///     import math
///     M = (1 << 64) - 1
///     def splitmix(z):
///         z = (z + 0x9E3779B97F4A7C15) & M
///         x = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
///         x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M
///         return z, x ^ (x >> 31)
///     def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
///     class X:
///         def __init__(self, seed):
///             z = seed & M; self.s = []
///             for _ in range(4):
///                 z, v = splitmix(z); self.s.append(v)
///         def next(self):
///             s = self.s
///             r = (rotl((s[1] * 5) & M, 7) * 9) & M
///             t = (s[1] << 17) & M
///             s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
///             return r
///         def uniform(self): return (self.next() >> 11) * 2.0**-53
///         def normal(self):
///             u1 = self.uniform(); u2 = self.uniform()
///             return math.sqrt(-2 * math.log(1 - u1)) * math.cos(2 * math.pi * u2)
///
/// run with python3 (X(0).next() etc.). Its first SplitMix64 output for seed 0, 0xe220a8397b1dcdaf,
/// is the published reference value of SplitMix64.
final class GeneratorTests: XCTestCase {
    func testRawOutputs() {
        var g0 = Generator(seed: 0)
        XCTAssertEqual((0..<3).map { _ in g0.next() }, [0x99ec_5f36_cb75_f2b4, 0xbf6e_1f78_4956_452a, 0x1a5f_849d_4933_e6e0])
        var g42 = Generator(seed: 42)
        XCTAssertEqual((0..<3).map { _ in g42.next() }, [0x1578_0b2e_0c2e_c716, 0x6104_d986_6d11_3a7e, 0xae17_5332_39e4_99a1])
    }

    func testUniform() {
        var g0 = Generator(seed: 0)
        XCTAssertEqual((0..<4).map { _ in g0.uniform() },
                       [0.6012629994179048, 0.7477740925472398, 0.10301998939503632, 0.4165890778296456])
        var g42 = Generator(seed: 42)
        XCTAssertEqual((0..<4).map { _ in g42.uniform() },
                       [0.08386297105988216, 0.3789802506626686, 0.6800434110281394, 0.9246929453253876])
    }

    func testNormal() {
        let want0 = [-0.01896499060631051, -0.40372109705088766, 1.6251100012755157, -1.0212488312794932]
        let want42 = [-0.303263064678738, 1.3438117634372806, 0.3834617912676943, 0.9369624250258953]
        var g0 = Generator(seed: 0), g42 = Generator(seed: 42)
        for w in want0 { XCTAssertEqual(g0.normal(), w, accuracy: 1e-15) }
        for w in want42 { XCTAssertEqual(g42.normal(), w, accuracy: 1e-15) }
    }

    func testTensorsFollowTheStream() throws {
        var g = Generator(seed: 42)
        let u = try Tensor.rand([2, 2], generator: &g)
        assertTensor(u, [0.08386297105988216, 0.3789802506626686, 0.6800434110281394, 0.9246929453253876], shape: [2, 2])
        var h = Generator(seed: 0)
        let n = try Tensor.randn([4], dtype: .float32, generator: &h)
        assertTensor(n, [-0.01896499060631051, -0.40372109705088766, 1.6251100012755157, -1.0212488312794932].map { Double(Float($0)) },
                     shape: [4], dtype: .float32)
        var a = Generator(seed: 7), b = Generator(seed: 7)
        XCTAssertEqual(try Tensor.randn([50], generator: &a).toArray(), try Tensor.randn([50], generator: &b).toArray())
        var c = Generator(seed: 8)
        XCTAssertNotEqual(try Tensor.randn([50], generator: &a).toArray(), try Tensor.randn([50], generator: &c).toArray())
    }

    func testUniformRangeAndMoments() throws {
        var g = Generator(seed: 1)
        let n = 200_000
        let u = try Tensor.rand([n], generator: &g).toArray()
        XCTAssertTrue(u.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = u.reduce(0, +) / Double(n)
        XCTAssertEqual(mean, 0.5, accuracy: 4 * (1.0 / 12 / Double(n)).squareRoot())   // 4 standard errors
        let z = try Tensor.randn([n], generator: &g).toArray()
        let zm = z.reduce(0, +) / Double(n)
        let zv = z.map { ($0 - zm) * ($0 - zm) }.reduce(0, +) / Double(n - 1)
        XCTAssertEqual(zm, 0, accuracy: 4 / Double(n).squareRoot())
        XCTAssertEqual(zv, 1, accuracy: 4 * (2.0 / Double(n)).squareRoot())
    }

    /// A float32 uniform that would round up to 1.0 stays below 1.
    func testFloat32UniformStaysBelowOne() throws {
        XCTAssertEqual(Float(1.0.nextDown), 1.0, "the rounding this guards against")
        XCTAssertEqual(Float(Tensor.keepBelowOne(1.0.nextDown, .float32)), Float(1).nextDown)
        XCTAssertEqual(Tensor.keepBelowOne(1.0.nextDown, .float64), 1.0.nextDown)
        XCTAssertEqual(Tensor.keepBelowOne(0.25, .float32), 0.25)
        var g = Generator(seed: 5)
        let t = try Tensor.rand([100_000], dtype: .float32, generator: &g).toArray()
        XCTAssertTrue(t.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    func testBelowAndPermutation() {
        var g = Generator(seed: 9)
        var counts = [Int](repeating: 0, count: 3)
        for _ in 0..<300_000 { counts[g.below(3)] += 1 }
        // Chi-square with 2 degrees of freedom; 13.8 is its 0.999 quantile. (The Python reference
        // above, counting X(9).next() % 3, gives the same counts.)
        XCTAssertEqual(counts, [99964, 100350, 99686])
        let chi2 = counts.map { Double(($0 - 100_000) * ($0 - 100_000)) / 100_000 }.reduce(0, +)
        XCTAssertLessThan(chi2, 13.8)
        let p = g.permutation(10)
        XCTAssertEqual(p.sorted(), Array(0..<10))
        XCTAssertEqual(g.permutation(1), [0])
        XCTAssertEqual(g.permutation(0), [])
        var a = Generator(seed: 4), b = Generator(seed: 4)
        XCTAssertEqual(a.permutation(20), b.permutation(20))
    }
}
