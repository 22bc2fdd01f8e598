import XCTest
@testable import DynCore

final class TensorBasicsTests: XCTestCase {
    func testContiguousStrides() {
        XCTAssertEqual(Tensor.contiguousStrides([2, 3, 4]), [12, 4, 1])
    }
}
