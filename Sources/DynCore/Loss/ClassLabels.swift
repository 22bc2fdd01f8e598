import Foundation

/// Checking class labels: the one place that decides what a valid label is, so that every
/// function taking labels (losses, training, data) reports a bad one the same way, naming the
/// row and the value in the script's 1-based terms.
public enum ClassLabels {
    /// Converts class numbers 1..classes (as scripts give them) into 0-based Ints.
    /// `op` prefixes the messages ("CrossEntropyLoss: row 7: label 4 outside 1..3").
    public static func fromOneBased(_ values: [Double], rows: Int, classes: Int, op: String) throws -> [Int] {
        try checkCount(values.count, rows: rows, op: op)
        var out = [Int](repeating: 0, count: values.count)
        for (r, v) in values.enumerated() {
            guard v.isFinite, v == v.rounded() else {
                throw TensorError("\(op): row \(r + 1): label \(format(v)) is not an integer")
            }
            guard v >= 1, v <= Double(classes) else {
                throw TensorError("\(op): row \(r + 1): label \(format(v)) outside 1..\(classes)")
            }
            out[r] = Int(v) - 1
        }
        return out
    }

    /// Checks 0-based labels (from Swift callers); messages still speak of 1-based labels.
    /// `op` names the caller in messages; it is only built when there is an error.
    public static func check(_ labels: [Int], rows: Int, classes: Int, op: @autoclosure () -> String) throws {
        try checkCount(labels.count, rows: rows, op: op())
        for (r, y) in labels.enumerated() where y < 0 || y >= classes {
            throw TensorError("\(op()): row \(r + 1): label \(y + 1) outside 1..\(classes)")
        }
    }

    static func checkCount(_ n: Int, rows: Int, op: @autoclosure () -> String) throws {
        guard n == rows else {
            throw TensorError("\(op()): \(n) label\(n == 1 ? "" : "s") for \(rows) row\(rows == 1 ? "" : "s")")
        }
    }

    /// A number as Lua would print it: "4", "1.5", "nan", "inf".
    static func format(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        return String(format: "%.14g", v)
    }
}
