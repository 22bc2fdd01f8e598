import XCTest
@testable import DynCore

/// Both element types, for tests that run every case on each.
let allDTypes: [DType] = [.float64, .float32]

/// Relative tolerance that suits a dtype: exact-ish for float64, float32 rounding otherwise.
func tolerance(_ dtype: DType) -> Double { dtype == .float64 ? 1e-12 : 2e-6 }

/// A tensor of the given shape and dtype from row-major values.
func T(_ values: [Double], _ shape: [Int], _ dtype: DType = .float64) throws -> Tensor {
    try Tensor(shape: shape, values: values, dtype: dtype)
}

/// Checks shape, dtype and every value (|got - want| <= tol * max(1, |want|); NaN equals NaN).
func assertTensor(_ t: Tensor, _ want: [Double], shape: [Int], dtype: DType? = nil, tol: Double = 0,
                  _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(t.shape, shape, "shape \(message)", file: file, line: line)
    if let dtype { XCTAssertEqual(t.dtype, dtype, "dtype \(message)", file: file, line: line) }
    let got = t.toArray()
    XCTAssertEqual(got.count, want.count, "count \(message)", file: file, line: line)
    for (i, (g, w)) in zip(got, want).enumerated() {
        if w.isNaN { XCTAssertTrue(g.isNaN, "[\(i)] got \(g), want nan \(message)", file: file, line: line); continue }
        if w.isInfinite { XCTAssertEqual(g, w, "[\(i)] \(message)", file: file, line: line); continue }
        XCTAssertLessThanOrEqual(abs(g - w), tol * max(1, abs(w)), "[\(i)] got \(g), want \(w) \(message)",
                                 file: file, line: line)
    }
}

/// Asserts that body throws a TensorError whose message is exactly `message`.
func assertTensorError<R>(_ message: String, file: StaticString = #filePath, line: UInt = #line,
                          _ body: () throws -> R) {
    do {
        _ = try body()
        XCTFail("expected the error '\(message)', got none", file: file, line: line)
    } catch let e as TensorError {
        XCTAssertEqual(e.message, message, file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

/// A 2-D tensor as a non-contiguous view: the transpose of a contiguous (cols x rows) tensor
/// holding the same logical values.
func transposedView(_ values: [Double], rows: Int, cols: Int, _ dtype: DType = .float64) -> Tensor {
    var stored = [Double](repeating: 0, count: rows * cols)
    for i in 0..<rows { for j in 0..<cols { stored[j * rows + i] = values[i * cols + j] } }
    let t = try! Tensor(shape: [cols, rows], values: stored, dtype: dtype).t()
    precondition(!t.isContiguous || rows == 1 || cols == 1)
    return t
}
