import Foundation

/// Reads a numeric CSV file into X and class labels y.
///
/// Format: one sample per line, fields separated by commas, surrounding spaces ignored, no
/// quoting; blank lines are skipped; LF, CRLF and CR line ends are accepted. Every feature field must be
/// a finite number. Labels are one column (1-based `labelColumn`, negative counting from the end,
/// default the last), or none (`withLabels` false: every column is a feature); how their texts
/// become classes 1..C, or follow an imposed `classes` list, is CSVLabels' job.
/// Errors name the file, the line number and what is wrong with it.
public enum CSVTable {
    public enum Header: Sendable { case present, absent, auto }

    public struct Result {
        public let x: Tensor
        /// The class numbers 1..C (float64), nil for a file read without labels.
        public let y: Tensor?
        /// The label text of class 1, 2, ...; empty without labels.
        public let classes: [String]

        /// X and y of a file read with labels.
        public var data: LabeledData { LabeledData(x: x, y: y!) }
    }

    public static func read(path: String, labelColumn: Int? = nil, withLabels: Bool = true, header: Header = .auto,
                            classes: [String]? = nil, function: String = "data.csv") throws -> Result {
        let bytes = try FileAccess.contents(of: path, op: function)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TensorError("\(function): cannot read '\(path)' (not UTF-8 text)")
        }
        return try parse(text, source: path, labelColumn: labelColumn, withLabels: withLabels, header: header,
                         classes: classes, function: function)
    }

    /// A header field is a name: text that is not a number at all. "nan", "inf" and empty
    /// fields are bad data, reported as such, not a header to skip.
    static func looksLikeName(_ field: Substring) -> Bool {
        !field.isEmpty && Double(field) == nil
    }

    public static func parse(_ text: String, source: String, labelColumn: Int? = nil, withLabels: Bool = true,
                             header: Header = .auto, classes: [String]? = nil, function: String = "data.csv") throws -> Result {
        func fail(_ line: Int, _ what: String) -> TensorError {
            TensorError("\(function): '\(source)' line \(line): \(what)")
        }
        var width = -1, label = -1
        var features: [Double] = []
        var labels: [CSVLabels.Label] = []
        var rows = 0
        var lineNumber = 0
        var sawFirst = false
        // "\r\n" is one Character in Swift, so every separator is named (a lone "\r" ends lines
        // in files from old Macs).
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces)[...] }
            if !sawFirst {
                sawFirst = true
                width = fields.count
                if withLabels {
                    guard width >= 2 else { throw fail(lineNumber, "expected at least 2 fields (features and a label), got \(width)") }
                    let requested = labelColumn ?? width
                    label = requested < 0 ? width + requested : requested - 1
                    guard label >= 0 && label < width else {
                        throw TensorError("\(function): label_column \(requested) is out of range for \(width) columns in '\(source)'")
                    }
                }
                let isHeader: Bool
                switch header {
                case .present: isHeader = true
                case .absent: isHeader = false
                case .auto: isHeader = fields.indices.contains { $0 != label && looksLikeName(fields[$0]) }
                }
                if isHeader { continue }
            }
            guard fields.count == width else { throw fail(lineNumber, "expected \(width) fields, got \(fields.count)") }
            rows += 1
            for (k, f) in fields.enumerated() {
                if k == label {
                    guard !f.isEmpty else { throw fail(lineNumber, "the label (field \(k + 1)) is empty") }
                    labels.append((lineNumber, rows, f))
                    continue
                }
                guard let v = number(f) else {
                    throw fail(lineNumber, f.isEmpty ? "field \(k + 1) is empty" : "field \(k + 1) ('\(f)') is not a finite number")
                }
                features.append(v)
            }
        }
        guard rows > 0 else { throw TensorError("\(function): '\(source)' has no data rows") }
        let x = try Tensor(shape: [rows, features.count / rows], values: features)
        guard withLabels else { return Result(x: x, y: nil, classes: []) }
        let (y, names): ([Double], [String])
        if let classes {
            (y, names) = (try CSVLabels.impose(classes, on: labels, function: function, fail: fail), classes)
        } else {
            (y, names) = try CSVLabels.infer(labels, fail: fail)
        }
        return Result(x: x, y: try Tensor(shape: [rows], values: y), classes: names)
    }

    /// A field that is a finite number.
    static func number(_ field: Substring) -> Double? {
        guard let v = Double(field), v.isFinite else { return nil }
        return v
    }
}
