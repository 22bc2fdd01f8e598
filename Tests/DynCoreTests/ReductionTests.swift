import XCTest
@testable import DynCore

/// Reductions over everything (a Double) and along one dimension (a tensor without it).
final class ReductionTests: XCTestCase {
    /// x[i][j][k] = 100 i + 10 j + k - 50 on a (2, 3, 4) grid.
    var grid: [Double] {
        var g: [Double] = []
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { g.append(Double(100 * i + 10 * j + k - 50)) } } }
        return g
    }

    /// Values f(a, b) on an n x m grid, row-major.
    func table(_ n: Int, _ m: Int, _ f: (Int, Int) -> Int) -> [Double] {
        var out: [Double] = []
        for a in 0..<n { for b in 0..<m { out.append(Double(f(a, b))) } }
        return out
    }

    func testReduceAll() throws {
        for dtype in allDTypes {
            let t = try T([3, -1, 4, 1.5, -5, 9], [2, 3], dtype)
            for v in [t, try t.t()] {  // order does not matter, the strided walk must visit all
                XCTAssertEqual(try v.reduceAll(.sum), 11.5)
                XCTAssertEqual(try v.reduceAll(.mean), 11.5 / 6)
                XCTAssertEqual(try v.reduceAll(.max), 9)
                XCTAssertEqual(try v.reduceAll(.min), -5)
                XCTAssertEqual(v.norm(), (9 + 1 + 16 + 2.25 + 25 + 81).squareRoot(), accuracy: 1e-12)
            }
            XCTAssertEqual(try t.argmaxAll(), 5)
            XCTAssertEqual(try t.t().argmaxAll(), 5, "row-major position in the transposed view")
            XCTAssertEqual(try t.narrow(1, start: 0, length: 2).argmaxAll(), 0)
        }
        XCTAssertEqual(try T([2, 7, 7, 1], [4]).argmaxAll(), 1, "first of ties")
        XCTAssertEqual(try T([5], []).reduceAll(.sum), 5)
    }

    func testEmptyAndNaN() throws {
        let e = try T([], [0])
        XCTAssertEqual(try e.reduceAll(.sum), 0)
        XCTAssertTrue(try e.reduceAll(.mean).isNaN)
        assertTensorError("max: empty tensor has no maximum") { try e.reduceAll(.max) }
        assertTensorError("min: empty tensor has no minimum") { try e.reduceAll(.min) }
        assertTensorError("argmax: empty tensor") { try e.argmaxAll() }
        let n = try T([1, .nan, 3], [3])
        XCTAssertTrue(try n.reduceAll(.max).isNaN)
        XCTAssertTrue(try n.reduceAll(.min).isNaN)
        XCTAssertTrue(try n.reduceAll(.sum).isNaN)
        XCTAssertEqual(try n.argmaxAll(), 1, "NaN wins, as in numpy")
        XCTAssertEqual(try T([.nan, 5, .nan], [3]).argmaxAll(), 0)
    }

    func testSumAndMeanAlongEachDimension() throws {
        for dtype in allDTypes {
            let t = try T(grid, [2, 3, 4], dtype)
            // Closed forms: sum over i of (100 i + 10 j + k - 50) = 100 + 20 j + 2 k - 100, etc.
            let s0 = table(3, 4) { j, k in 20 * j + 2 * k }
            let s1 = table(2, 4) { i, k in 300 * i + 30 + 3 * k - 150 }
            let s2 = table(2, 3) { i, j in 400 * i + 40 * j + 6 - 200 }
            for (name, v) in [("contiguous", t), ("copy of a transpose viewed back", try t.transpose(0, 2).contiguous().transpose(0, 2))] {
                XCTAssertEqual(v.isContiguous, name == "contiguous")
                assertTensor(try v.reduce(.sum, dim: 0).values, s0, shape: [3, 4], dtype: dtype, "\(name)")
                assertTensor(try v.reduce(.sum, dim: 1).values, s1, shape: [2, 4], dtype: dtype, "\(name)")
                assertTensor(try v.reduce(.sum, dim: 2).values, s2, shape: [2, 3], dtype: dtype, "\(name)")
                assertTensor(try v.reduce(.mean, dim: 0).values, s0.map { $0 / 2 }, shape: [3, 4], "\(name)")
                assertTensor(try v.reduce(.mean, dim: 1).values, s1.map { $0 / 3 }, shape: [2, 4], "\(name)")
                assertTensor(try v.reduce(.mean, dim: 2).values, s2.map { $0 / 4 }, shape: [2, 3], "\(name)")
            }
        }
    }

    func testMaxMinWithIndices() throws {
        for dtype in allDTypes {
            let m = try T([3, 9, 1, 9, -2, 0.5, 7, -8, 4, 4, 4, 4], [3, 4], dtype)
            let (mx1, ix1) = try m.reduce(.max, dim: 1)
            assertTensor(mx1, [9, 7, 4], shape: [3], dtype: dtype)
            XCTAssertEqual(ix1, [1, 2, 0], "first of ties")
            let (mn1, in1) = try m.reduce(.min, dim: 1)
            assertTensor(mn1, [1, -8, 4], shape: [3])
            XCTAssertEqual(in1, [2, 3, 0])
            let (mx0, ix0) = try m.reduce(.max, dim: 0)
            assertTensor(mx0, [4, 9, 7, 9], shape: [4])
            XCTAssertEqual(ix0, [2, 0, 1, 0])
            // On the transposed view the roles of the dimensions swap.
            let (tx, ti) = try m.t().reduce(.max, dim: 0)
            assertTensor(tx, [9, 7, 4], shape: [3])
            XCTAssertEqual(ti, [1, 2, 0])
        }
        let (v, i) = try T([1, .nan, 3, 2, 1, 0], [2, 3]).reduce(.max, dim: 1)
        assertTensor(v, [.nan, 2], shape: [2])
        XCTAssertEqual(i, [1, 0])
        let (v1, i1) = try T([4], [1]).reduce(.min, dim: 0)
        assertTensor(v1, [4], shape: [])
        XCTAssertEqual(i1, [0])
    }

    func testReduceErrorsAndEmptyDimensions() throws {
        let t = try T([], [2, 0])
        assertTensor(try t.reduce(.sum, dim: 1).values, [0, 0], shape: [2])
        assertTensor(try t.reduce(.mean, dim: 1).values, [.nan, .nan], shape: [2])
        XCTAssertEqual(try t.reduce(.max, dim: 0).values.shape, [0], "reducing a non-empty dimension of an empty tensor")
        assertTensorError("max: dimension 2 is empty") { try t.reduce(.max, dim: 1) }
        assertTensorError("sum: dimension 3 out of range for a 2-D tensor") { try t.reduce(.sum, dim: 2) }
    }

    func testDot() throws {
        XCTAssertEqual(try T([1, 2, 3], [3]).dot(T([4, -5, 6], [3])), 12)
        let m = try T([1, 2, 3, 4], [2, 2])
        XCTAssertEqual(try m.dot(try m.t().contiguous()), 1 + 6 + 6 + 16)
        XCTAssertEqual(try T([1, 2], [2], .float32).dot(T([3, 4], [2])), 11)
        assertTensorError("dot: shapes (3) and (2) differ") { try T([1, 2, 3], [3]).dot(T([1, 2], [2])) }
        assertTensorError("dot: shapes (2x2) and (4) differ") { try m.dot(T([1, 2, 3, 4], [4])) }
    }
}
