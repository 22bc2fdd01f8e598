import XCTest
@testable import DynCore

/// The training log's number text: shortest, and read back to the same bits.
final class NumberTextTests: XCTestCase {
    func testShortestForms() {
        XCTAssertEqual(NumberText.shortest(0.34), "0.34")
        XCTAssertEqual(NumberText.shortest(0.1 + 0.2), "0.30000000000000004")
        XCTAssertEqual(NumberText.shortest(1), "1")
        XCTAssertEqual(NumberText.shortest(-70), "-70")
        XCTAssertEqual(NumberText.shortest(2.5), "2.5")
        XCTAssertEqual(NumberText.shortest(1e-5), "1e-05")
        XCTAssertEqual(NumberText.shortest(.infinity), "inf")
        XCTAssertEqual(NumberText.shortest(-.infinity), "-inf")
        XCTAssertEqual(NumberText.shortest(.nan), "nan")
    }

    /// Significant digits of a decimal text ("0.0340" -> 3, "1.5e-05" -> 2, "120" -> 2).
    func digits(_ text: String) -> Int {
        let mantissa = text.split(separator: "e")[0].filter { $0.isNumber }
        let trimmed = mantissa.drop { $0 == "0" }.reversed().drop { $0 == "0" }
        return max(trimmed.count, 1)
    }

    /// Every value reads back bit for bit (strtod, as C, Python and Lua read numbers), with as
    /// few significant digits as any "%.Pg" text that does.
    func testReadsBackExactly() {
        var g = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 5e-324, 2.2250738585072014e-308, .greatestFiniteMagnitude,
                                -.greatestFiniteMagnitude, 1e16, 9007199254740993, 123456789012345680,
                                1.0 / 3, 2.0 / 3, 0.1, 1e23, 1e22]
        for _ in 0..<20000 {
            values.append(Double(bitPattern: g.next()))
            values.append(Double.random(in: 0..<1, using: &g))
        }
        for v in values where !v.isNaN {
            let text = NumberText.shortest(v)
            let back = text.withCString { strtod($0, nil) }
            XCTAssertEqual(back.bitPattern, v.bitPattern, "\(text) for \(v.bitPattern)")
            let fewest = (1...17).first { String(format: "%.\($0)g", v).withCString { strtod($0, nil) } == v }!
            XCTAssertLessThanOrEqual(digits(text), fewest, text)
        }
    }
}
