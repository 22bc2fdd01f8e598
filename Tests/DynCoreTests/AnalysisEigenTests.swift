import XCTest
import Foundation
@testable import DynCore

/// Eigen-solvers against closed forms: the n x n second-difference matrix tridiag(-1, 2, -1)
/// has eigenvalues 2 - 2 cos(k pi / (n + 1)), k = 1..n.
final class AnalysisEigenTests: XCTestCase {
    func secondDifference(_ n: Int) throws -> Tensor {
        let a = try Tensor(zeros: [n, n])
        for i in 0..<n {
            a.setValue(2, at: [i, i])
            if i > 0 { a.setValue(-1, at: [i, i - 1]); a.setValue(-1, at: [i - 1, i]) }
        }
        return a
    }

    func closedForm(_ n: Int) -> [Double] {
        (1...n).map { 2 - 2 * cos(Double($0) * Double.pi / Double(n + 1)) }.sorted(by: >)
    }

    func testSyevdMatchesClosedForm() throws {
        let n = 12
        let got = try SymmetricEigen.eigenvalues(secondDifference(n))
        let want = closedForm(n)
        for i in 0..<n { XCTAssertEqual(got[i], want[i], accuracy: 1e-13) }
    }

    func testSyevdRejectsNonSquare() {
        XCTAssertThrowsError(try SymmetricEigen.eigenvalues(Tensor(zeros: [2, 3])))
    }

    func testTridiagonalFirstComponentsSumToOne() throws {
        let (values, first) = try SymmetricEigen.tridiagonal(diagonal: [2, 2, 2, 2], offDiagonal: [-1, -1, -1])
        XCTAssertEqual(values.sorted(by: >)[0], closedForm(4)[0], accuracy: 1e-14)
        XCTAssertEqual(first.map { $0 * $0 }.reduce(0, +), 1, accuracy: 1e-14)
    }

    /// A diagonal operator with well separated top eigenvalues: Lanczos (far fewer steps than
    /// the dimension) finds the top three to 1e-10.
    func testLanczosTopEigenvalues() throws {
        let n = 400
        var diag = (0..<n).map { Double($0) / Double(n) }  // bulk in [0, 1)
        diag[7] = 10; diag[100] = 7; diag[300] = 5
        let lanczos = Lanczos(dimension: n, iterations: 60, seed: 3)
        let t = try lanczos.run { v, out in for i in 0..<n { out[i] = diag[i] * v[i] } }
        let ritz = try Lanczos.ritzValues(t)
        XCTAssertEqual(ritz[0], 10, accuracy: 1e-10)
        XCTAssertEqual(ritz[1], 7, accuracy: 1e-10)
        XCTAssertEqual(ritz[2], 5, accuracy: 1e-10)
    }

    /// With as many steps as the dimension, Lanczos with full reorthogonalization recovers the
    /// whole spectrum.
    func testLanczosFullRunIsExact() throws {
        let n = 30
        let a = try secondDifference(n).toArray()
        let lanczos = Lanczos(dimension: n, iterations: n, seed: 1)
        let t = try lanczos.run { v, out in
            for i in 0..<n { var s = 0.0; for j in 0..<n { s += a[i * n + j] * v[j] }; out[i] = s }
        }
        let ritz = try Lanczos.ritzValues(t)
        let want = closedForm(n)
        XCTAssertEqual(ritz.count, n)
        for i in 0..<n { XCTAssertEqual(ritz[i], want[i], accuracy: 1e-10) }
    }

    /// The density of a diagonal operator with two clusters: integrates to 1 and puts the mass
    /// of each cluster where it belongs.
    func testSpectralDensityMass() throws {
        let n = 200
        let diag = (0..<n).map { $0 < 150 ? 1.0 : 5.0 }
        let sd = SpectralDensity(iterations: 40, starts: 8, sigma: 0.1, gridPoints: 801, seed: 0)
        let (grid, density) = try sd.estimate(dimension: n) { v, out in for i in 0..<n { out[i] = diag[i] * v[i] } }
        let h = grid[1] - grid[0]
        let total = density.reduce(0, +) * h
        XCTAssertEqual(total, 1, accuracy: 1e-6)
        let low = zip(grid, density).filter { $0.0 < 3 }.map(\.1).reduce(0, +) * h
        // Each random start weighs the clusters by its squared components: the mean over 8
        // starts is close to 150/200, not exact.
        XCTAssertEqual(low, 0.75, accuracy: 0.1)
    }

    /// The self-stopping solver: its residual bound holds, and a start vector close to the wanted
    /// eigenvectors converges in far fewer steps than a random one.
    func testExtremeEigenpairsStopEarlyWhenWarmStarted() throws {
        let n = 300
        var diag = (0..<n).map { Double($0) / Double(n) }
        diag[10] = 9; diag[20] = 6; diag[30] = 4
        let apply: ([Double], inout [Double]) throws -> Void = { v, out in for i in 0..<n { out[i] = diag[i] * v[i] } }
        var g = Generator(seed: 5)
        let random = (0..<n).map { _ in g.normal() }
        let solver = ExtremeEigenpairs(k: 3, maxIterations: 120, tolerance: 1e-9)
        let cold = try solver.run(dimension: n, start: random, apply)
        for (got, want) in zip(cold.values, [9.0, 6, 4]) { XCTAssertEqual(got, want, accuracy: 1e-8) }
        XCTAssertLessThanOrEqual(cold.residual, 1e-9 * 9)
        // Start near the answer: the previous run's Ritz vectors plus a little noise.
        var warm = random.map { 1e-3 * $0 }
        for v in cold.vectors { for i in 0..<n { warm[i] += v[i] } }
        let hot = try solver.run(dimension: n, start: warm, apply)
        for (got, want) in zip(hot.values, [9.0, 6, 4]) { XCTAssertEqual(got, want, accuracy: 1e-8) }
        XCTAssertLessThan(hot.iterations, cold.iterations)
        // Ritz vectors are unit eigenvectors: A y = θ y.
        var ay = [Double](repeating: 0, count: n)
        try apply(hot.vectors[0], &ay)
        for i in 0..<n { XCTAssertEqual(ay[i], 9 * hot.vectors[0][i], accuracy: 1e-7) }
    }

    func testSmallestEigenpairs() throws {
        let n = 50
        let apply: ([Double], inout [Double]) throws -> Void = { v, out in for i in 0..<n { out[i] = (Double(i) - 3) * v[i] } }
        var g = Generator(seed: 6)
        let r = try ExtremeEigenpairs(k: 2, maxIterations: n, tolerance: 1e-10, smallest: true)
            .run(dimension: n, start: (0..<n).map { _ in g.normal() }, apply)
        XCTAssertEqual(r.values[0], -3, accuracy: 1e-9)
        XCTAssertEqual(r.values[1], -2, accuracy: 1e-9)
    }
}
