import XCTest
import Foundation
@testable import DynCore

final class DataTests: XCTestCase {
    func testSpiralShapesLabelsAndDeterminism() throws {
        let d = try Spiral.make(classes: 4, perClass: 25, seed: 3)
        XCTAssertEqual(d.x.shape, [100, 2])
        XCTAssertEqual(d.y.shape, [100])
        let y = d.y.toArray()
        for c in 0..<4 { XCTAssertEqual(Array(y[c * 25..<(c + 1) * 25]), [Double](repeating: Double(c + 1), count: 25)) }
        XCTAssertEqual(try Spiral.make(classes: 4, perClass: 25, seed: 3).x.toArray(), d.x.toArray())
        XCTAssertNotEqual(try Spiral.make(classes: 4, perClass: 25, seed: 4).x.toArray(), d.x.toArray())
    }

    /// |x| is the linspace radius and the angle is the linspace angle plus noise * z with the
    /// generator's normal draws in order; r and the noiseless angles equal numpy's linspace
    /// (values printed by python3: np.linspace(0,1,100)[37], np.linspace(2pi/3, 2pi/3+4pi, 100)[50]).
    func testSpiralGeometry() throws {
        let n = 100, noise = 0.2
        let d = try Spiral.make(classes: 3, perClass: n, revolutions: 4, noise: noise, seed: 7)
        let r = Tensor.linspaceValues(0, 1, n)
        XCTAssertEqual(r[37], 0.37373737373737376)
        XCTAssertEqual(Tensor.linspaceValues(2 * Double.pi / 3, 2 * Double.pi / 3 + 4 * Double.pi, n)[50], 8.441046927827122)
        var g = Generator(seed: 7)
        for j in 0..<3 {
            let start = 2 * Double.pi / 3 * Double(j)
            let t = Tensor.linspaceValues(start, start + 4 * Double.pi, n)
            for i in 0..<n {
                let row = j * n + i
                let x1 = d.x.value(at: [row, 0]), x2 = d.x.value(at: [row, 1])
                XCTAssertEqual((x1 * x1 + x2 * x2).squareRoot(), r[i], accuracy: 4e-16, "row \(row)")
                let angle = t[i] + g.normal() * noise
                XCTAssertEqual(x1, r[i] * cos(angle))
                XCTAssertEqual(x2, r[i] * sin(angle))
            }
        }
        // Without noise the angles are exactly the linspace values: the last point of class 3
        // is at radius 1 and angle 4pi/3 + 4pi (numpy: 16.755160819145562).
        let clean = try Spiral.make(classes: 3, perClass: n, noise: 0)
        XCTAssertEqual(clean.x.value(at: [299, 0]), cos(16.755160819145562))
        XCTAssertEqual(clean.x.value(at: [299, 1]), sin(16.755160819145562))
        XCTAssertThrowsError(try Spiral.make(classes: 0))
        XCTAssertThrowsError(try Spiral.make(noise: -1))
    }

    func testSineBands() throws {
        let d = try SineBands.make(classes: 4, perClass: 50, amplitude: 0.2, frequency: 2, seed: 1)
        XCTAssertEqual(d.x.shape, [200, 2])
        let y = d.y.toArray()
        for c in 1...4 { XCTAssertEqual(y.filter { $0 == Double(c) }.count, 50) }
        for row in 0..<200 {
            let x1 = d.x.value(at: [row, 0]), x2 = d.x.value(at: [row, 1])
            XCTAssertTrue(x1 >= -1 && x1 < 1 && x2 >= -1 && x2 < 1)
            // The band by its definition: b_{c-1}(x1) <= x2 < b_c(x1).
            let c = Int(y[row])
            let shift = 0.2 * sin(Double.pi * 2 * (x1 + 1))
            if c > 1 { XCTAssertGreaterThanOrEqual(x2, -1 + 2 * Double(c - 1) / 4 + shift - 1e-12) }
            if c < 4 { XCTAssertLessThan(x2, -1 + 2 * Double(c) / 4 + shift + 1e-12) }
        }
        // Hand-picked points: at x1 = -0.5 the curves are shifted by 0.2*sin(pi) = 0 (up to
        // rounding), so with C = 4 the boundaries are -0.5, 0, 0.5.
        XCTAssertEqual(SineBands.classOf(-0.5, -0.6, classes: 4, amplitude: 0.2, frequency: 1), 1)
        XCTAssertEqual(SineBands.classOf(-0.5, 0.25, classes: 4, amplitude: 0.2, frequency: 1), 3)
        // At x1 = 0 with frequency 0.5 the shift is 0.2*sin(pi/2) = 0.2: boundaries -0.3, 0.2, 0.7.
        XCTAssertEqual(SineBands.classOf(0, 0.1, classes: 4, amplitude: 0.2, frequency: 0.5), 2)
        XCTAssertEqual(SineBands.classOf(0, 0.3, classes: 4, amplitude: 0.2, frequency: 0.5), 3)
        XCTAssertEqual(try SineBands.make(seed: 5).x.toArray(), try SineBands.make(seed: 5).x.toArray())
        let noisy = try SineBands.make(noise: 0.1, seed: 5)
        XCTAssertEqual(noisy.y.toArray(), (0..<300).map { Double($0 / 100 + 1) })
        XCTAssertNotEqual(noisy.x.toArray(), try SineBands.make(seed: 5).x.toArray())
    }

    func testCSVParsing() throws {
        let text = "a, b ,label\n1,2,0\n\n3.5,-4e-1,2\r\n5,6,1\n"
        let r = try CSVTable.parse(text, source: "t.csv")
        XCTAssertEqual(r.data.x.shape, [3, 2])
        XCTAssertEqual(r.data.x.toArray(), [1, 2, 3.5, -0.4, 5, 6])
        XCTAssertEqual(r.data.y.toArray(), [1, 3, 2])  // 0-based labels shifted by one
        XCTAssertEqual(r.classes, ["0", "1", "2"])
        let first = try CSVTable.parse("7,1,2\n8,3,4\n", source: "t.csv", labelColumn: 1)
        XCTAssertEqual(first.data.x.toArray(), [1, 2, 3, 4])
        XCTAssertEqual(first.data.y.toArray(), [7, 8])  // labels >= 1 kept as given
        XCTAssertEqual(first.classes, (1...8).map(String.init))
        let named = try CSVTable.parse("1,2,setosa\n3,4,virginica\n5,6,setosa\n", source: "t.csv")
        XCTAssertEqual(named.data.y.toArray(), [1, 2, 1])
        XCTAssertEqual(named.classes, ["setosa", "virginica"])
        let forced = try CSVTable.parse("1,2,3\n4,5,6\n", source: "t.csv", header: .present)
        XCTAssertEqual(forced.data.x.toArray(), [4, 5])
    }

    /// A training file with labels 0, 1, 2 and a test file holding only 1 and 2: read alone they
    /// disagree (the test file looks 1-based); with the training file's classes they agree.
    func testCSVClassesCarryOverToAnotherFile() throws {
        let train = try CSVTable.parse("1,0\n2,1\n3,2\n", source: "train.csv")
        XCTAssertEqual(train.y!.toArray(), [1, 2, 3])
        XCTAssertEqual(train.classes, ["0", "1", "2"])
        XCTAssertEqual(try CSVTable.parse("4,1\n5,2\n", source: "test.csv").y!.toArray(), [1, 2])
        let test = try CSVTable.parse("4,1\n5,2.0\n6,01\n", source: "test.csv", classes: train.classes)
        XCTAssertEqual(test.y!.toArray(), [2, 3, 2])
        XCTAssertEqual(test.classes, ["0", "1", "2"])
        // Names: sorted by text whatever the row order; a subset maps through the full list.
        let names = try CSVTable.parse("1,fox\n2,cat\n3,dog\n", source: "a.csv")
        XCTAssertEqual(names.classes, ["cat", "dog", "fox"])
        XCTAssertEqual(names.y!.toArray(), [3, 1, 2])
        XCTAssertEqual(try CSVTable.parse("1,dog\n2,fox\n", source: "b.csv").y!.toArray(), [1, 2])
        XCTAssertEqual(try CSVTable.parse("1,dog\n2,fox\n", source: "b.csv", classes: names.classes).y!.toArray(), [2, 3])
        // An imposed order is kept as given.
        XCTAssertEqual(try CSVTable.parse("1,dog\n2,fox\n", source: "b.csv", classes: ["fox", "dog"]).y!.toArray(), [2, 1])
    }

    func testCSVClassErrorsAndFilesWithoutLabels() throws {
        func message(_ text: String, classes: [String]? = nil) -> String? {
            do { _ = try CSVTable.parse(text, source: "t.csv", classes: classes); return nil }
            catch { return (error as? TensorError)?.message }
        }
        XCTAssertEqual(message("x,y\n1,cat\n2,emu\n", classes: ["cat", "dog"]),
                       "data.csv: 't.csv' line 3: row 2: label 'emu' is not one of the classes (cat, dog)")
        XCTAssertEqual(message("1,3\n", classes: ["0", "1", "2"]),
                       "data.csv: 't.csv' line 1: row 1: label '3' is not one of the classes (0, 1, 2)")
        XCTAssertEqual(message("1,1\n", classes: ["1", "1.0"]),
                       "data.csv: option 'classes': classes[2] ('1.0') is the same label as classes[1]")
        XCTAssertEqual(message("1,1\n", classes: []), "data.csv: option 'classes' must not be empty")
        XCTAssertEqual(message("1,1\n2,1e300\n"),
                       "data.csv: 't.csv' line 2: label 1e300 is too large for a class number (at most 65536 classes; pass classes = {...} to list the labels)")
        XCTAssertEqual(try CSVTable.parse("1,1e300\n", source: "t.csv", classes: ["1e300"]).y!.toArray(), [1])
        let bare = try CSVTable.parse("a,b\n1,2\n3,4\n", source: "t.csv", withLabels: false)
        XCTAssertEqual(bare.x.shape, [2, 2])
        XCTAssertEqual(bare.x.toArray(), [1, 2, 3, 4])
        XCTAssertNil(bare.y)
        XCTAssertEqual(try CSVTable.parse("7\n8\n", source: "t.csv", withLabels: false).x.shape, [2, 1])
    }

    func testCSVErrorsNameTheLine() throws {
        func message(_ text: String, _ header: CSVTable.Header = .auto, label: Int? = nil) -> String? {
            do { _ = try CSVTable.parse(text, source: "t.csv", labelColumn: label, header: header); return nil }
            catch { return (error as? TensorError)?.message }
        }
        XCTAssertEqual(message("1,2,1\n3,4\n"), "data.csv: 't.csv' line 2: expected 3 fields, got 2")
        XCTAssertEqual(message("1,2,1\n\n3,x,2\n"), "data.csv: 't.csv' line 3: field 2 ('x') is not a finite number")
        XCTAssertEqual(message("h1,h2,y\n1,,1\n"), "data.csv: 't.csv' line 2: field 2 is empty")
        XCTAssertEqual(message("1,2,1\n3,4,1.5\n"), "data.csv: 't.csv' line 2: label 1.5 is not an integer class number")
        XCTAssertEqual(message("1,2,1\n3,4,-2\n"), "data.csv: 't.csv' line 2: label -2 is negative")
        XCTAssertEqual(message("1,2,1\n", label: 4), "data.csv: label_column 4 is out of range for 3 columns in 't.csv'")
        XCTAssertEqual(message("a,b,c\n"), "data.csv: 't.csv' has no data rows")
        XCTAssertEqual(message("1,nan,1\n", .absent), "data.csv: 't.csv' line 1: field 2 ('nan') is not a finite number")
        XCTAssertThrowsError(try CSVTable.read(path: "/nonexistent/x.csv")) {
            XCTAssertEqual(($0 as? TensorError)?.message, "data.csv: cannot read '/nonexistent/x.csv' (no such file or directory)")
        }
    }

    /// A first row with nan, inf or an empty field is bad data (the header guess used to skip it).
    func testCSVAutoHeaderOnlyTakesNames() throws {
        func message(_ text: String) -> String? {
            do { _ = try CSVTable.parse(text, source: "t.csv"); return nil }
            catch { return (error as? TensorError)?.message }
        }
        XCTAssertEqual(message("nan,2,1\n3,4,2\n"), "data.csv: 't.csv' line 1: field 1 ('nan') is not a finite number")
        XCTAssertEqual(message("1,-inf,1\n3,4,2\n"), "data.csv: 't.csv' line 1: field 2 ('-inf') is not a finite number")
        XCTAssertEqual(message(",2,1\n3,4,2\n"), "data.csv: 't.csv' line 1: field 1 is empty")
        XCTAssertEqual(try CSVTable.parse("x1,x2,y\n3,4,2\n", source: "t.csv").data.x.toArray(), [3, 4])
    }

    func testCSVLineEndsCROnly() throws {
        let r = try CSVTable.parse("a,b,y\r1,2,1\r3,4,2\r\r5,6,1\r", source: "t.csv")
        XCTAssertEqual(r.data.x.toArray(), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(r.data.y.toArray(), [1, 2, 1])
        // Mixed line ends: numbering counts every line end of any kind.
        XCTAssertThrowsError(try CSVTable.parse("1,2,1\r\n3,4\r5,6,1\n", source: "t.csv")) {
            XCTAssertEqual(($0 as? TensorError)?.message, "data.csv: 't.csv' line 2: expected 3 fields, got 2")
        }
    }

    func testCSVOfADirectoryOrNonUTF8File() throws {
        let dir = NSTemporaryDirectory() + "dynlua-csv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertThrowsError(try CSVTable.read(path: dir)) {
            XCTAssertEqual(($0 as? TensorError)?.message, "data.csv: cannot read '\(dir)' (is a directory)")
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/b.csv", contents: Data([0x31, 0x2c, 0xff, 0x0a])))
        XCTAssertThrowsError(try CSVTable.read(path: dir + "/b.csv")) {
            XCTAssertEqual(($0 as? TensorError)?.message, "data.csv: cannot read '\(dir)/b.csv' (not UTF-8 text)")
        }
    }

    /// Row and label counts computed by python3/numpy from examples/data/digits.csv
    /// (np.bincount of the last column; sum of all pixels 561718).
    func testDigits() throws {
        let d = try Digits.load()
        XCTAssertEqual(d.x.shape, [1797, 64])
        let y = d.y.toArray()
        let counts = (1...10).map { c in y.filter { $0 == Double(c) }.count }
        XCTAssertEqual(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        XCTAssertEqual(try d.x.reduceAll(.sum), 561718)
        XCTAssertEqual(Array(d.x.toArray()[0..<5]), [0, 0, 5, 13, 9])
        XCTAssertEqual(try d.x.reduceAll(.max), 16)
    }

    func testSplitCoversEveryRowOnce() throws {
        let x = try Tensor(shape: [10, 2], values: (0..<20).map(Double.init))
        let y = try Tensor(shape: [10], values: (0..<10).map { Double($0 % 3 + 1) })
        let parts = try Split.split(x, y, fraction: 0.3, seed: 9)
        XCTAssertEqual(parts.validation.x.shape, [3, 2])
        XCTAssertEqual(parts.train.x.shape, [7, 2])
        let rows = (parts.train.x.toArray() + parts.validation.x.toArray()).enumerated()
            .filter { $0.offset % 2 == 0 }.map { Int($0.element) / 2 }
        XCTAssertEqual(rows.sorted(), Array(0..<10))
        XCTAssertNotEqual(rows, Array(0..<10))  // shuffled
        // Labels travel with their rows.
        let all = parts.train.x.toArray() + parts.validation.x.toArray()
        let labels = parts.train.y.toArray() + parts.validation.y.toArray()
        for (k, label) in labels.enumerated() { XCTAssertEqual(label, Double((Int(all[2 * k]) / 2) % 3 + 1)) }
        XCTAssertEqual(try Split.split(x, y, fraction: 0.3, seed: 9).train.x.toArray(), parts.train.x.toArray())
        XCTAssertThrowsError(try Split.split(x, y, fraction: 0.01))
        XCTAssertThrowsError(try Split.split(x, y, fraction: 1))
        XCTAssertThrowsError(try Split.split(x, Tensor(zeros: [9])))
    }

    func testBatchesCoverEveryRowOnce() throws {
        let x = try Tensor(shape: [10, 1], values: (0..<10).map(Double.init))
        let y = try Tensor(shape: [10], values: (0..<10).map { Double($0 + 1) })
        for shuffle in [false, true] {
            let b = try Batches(x, y, batchSize: 4, shuffle: shuffle, seed: 2)
            var sizes: [Int] = [], seen: [Double] = []
            while let batch = try b.next() {
                sizes.append(batch.x.shape[0])
                seen += batch.x.toArray()
                XCTAssertEqual(batch.y.toArray(), batch.x.toArray().map { $0 + 1 })
            }
            XCTAssertEqual(sizes, [4, 4, 2])
            XCTAssertEqual(seen.sorted(), (0..<10).map(Double.init))
            XCTAssertEqual(seen == (0..<10).map(Double.init), !shuffle)
        }
        XCTAssertThrowsError(try Batches(x, y, batchSize: 0))
    }

    /// Reference: numpy X.mean(0), X.std(0) (ddof 0), constant column left unscaled.
    func testStandardize() throws {
        let x = try Tensor(shape: [4, 3], values: [1, 2, 5, 3, 2, 7, 5, 2, 0, 7, 2, 4])
        let r = try Standardize.apply(x)
        XCTAssertEqual(r.mean.toArray(), [4, 2, 4])
        XCTAssertEqual(r.std.toArray()[0], 2.23606797749979, accuracy: 1e-15)
        XCTAssertEqual(r.std.toArray()[1], 1)  // constant column: std reported as 1
        XCTAssertEqual(r.std.toArray()[2], 2.5495097567963922, accuracy: 1e-15)
        let want = [-1.3416407864998738, 0.0, 0.3922322702763681, -0.4472135954999579, 0.0, 1.1766968108291043,
                    0.4472135954999579, 0.0, -1.5689290811054724, 1.3416407864998738, 0.0, 0.0]
        for (g, w) in zip(r.x.toArray(), want) { XCTAssertEqual(g, w, accuracy: 1e-15) }
        let again = try Standardize.apply(x, mean: r.mean.toArray(), std: r.std.toArray())
        XCTAssertEqual(again.x.toArray(), r.x.toArray())
        XCTAssertThrowsError(try Standardize.apply(x, mean: [0, 0, 0], std: [1, 0, 1]))
        XCTAssertThrowsError(try Standardize.apply(x, mean: [0, 0], std: [1, 1]))
        XCTAssertThrowsError(try Standardize.apply(x, mean: [0, 0, 0]))
    }
}
