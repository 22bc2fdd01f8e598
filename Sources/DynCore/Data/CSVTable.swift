import Foundation

/// Reads a numeric CSV file into X and class labels y.
///
/// Format: one sample per line, fields separated by commas, surrounding spaces ignored, no
/// quoting; blank lines are skipped; LF, CRLF and CR line ends are accepted. Every feature field must be
/// a finite number. Labels (one column, 1-based `labelColumn`, negative counting from the end,
/// default the last):
/// - all integers: kept as they are when the smallest is >= 1, shifted by +1 when the smallest
///   is 0 (0-based labels as exported from Python become 1..C); negative labels are an error;
/// - any non-numeric label: the labels are names, and the distinct names, sorted, become
///   classes 1..K (`classNames` lists them in class order);
/// - numbers that are not integers are an error.
/// Errors name the file, the line number and what is wrong with it.
public enum CSVTable {
    public enum Header: Sendable { case present, absent, auto }

    public struct Result {
        public let data: LabeledData
        /// The label names in class order when the labels were names, else nil.
        public let classNames: [String]?
    }

    public static func read(path: String, labelColumn: Int? = nil, header: Header = .auto,
                            function: String = "data.csv") throws -> Result {
        let bytes = try FileAccess.contents(of: path, op: function)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TensorError("\(function): cannot read '\(path)' (not UTF-8 text)")
        }
        return try parse(text, source: path, labelColumn: labelColumn, header: header, function: function)
    }

    /// A header field is a name: text that is not a number at all. "nan", "inf" and empty
    /// fields are bad data, reported as such, not a header to skip.
    static func looksLikeName(_ field: Substring) -> Bool {
        !field.isEmpty && Double(field) == nil
    }

    static func number(_ field: Substring) -> Double? {
        guard let v = Double(field), v.isFinite else { return nil }
        return v
    }

    public static func parse(_ text: String, source: String, labelColumn: Int? = nil,
                             header: Header = .auto, function: String = "data.csv") throws -> Result {
        func fail(_ line: Int, _ what: String) -> TensorError {
            TensorError("\(function): '\(source)' line \(line): \(what)")
        }
        var width = -1, label = -1
        var features: [Double] = []
        var labels: [(line: Int, text: Substring)] = []
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
                guard width >= 2 else { throw fail(lineNumber, "expected at least 2 fields (features and a label), got \(width)") }
                let requested = labelColumn ?? width
                label = requested < 0 ? width + requested : requested - 1
                guard label >= 0 && label < width else {
                    throw TensorError("\(function): label_column \(requested) is out of range for \(width) columns in '\(source)'")
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
            for (k, f) in fields.enumerated() {
                if k == label {
                    guard !f.isEmpty else { throw fail(lineNumber, "the label (field \(k + 1)) is empty") }
                    labels.append((lineNumber, f))
                    continue
                }
                guard let v = number(f) else {
                    throw fail(lineNumber, f.isEmpty ? "field \(k + 1) is empty" : "field \(k + 1) ('\(f)') is not a finite number")
                }
                features.append(v)
            }
        }
        guard !labels.isEmpty else { throw TensorError("\(function): '\(source)' has no data rows") }
        let n = labels.count
        let (y, names) = try classLabels(labels, fail: fail)
        return Result(data: LabeledData(x: Tensor(shape: [n, width - 1], values: features),
                                        y: Tensor(shape: [n], values: y)),
                      classNames: names)
    }

    static func classLabels(_ labels: [(line: Int, text: Substring)],
                            fail: (Int, String) -> TensorError) throws -> ([Double], [String]?) {
        let numbers = labels.map { number($0.text) }
        if numbers.allSatisfy({ $0 != nil }) {
            var values = numbers.map { $0! }
            for (k, v) in values.enumerated() {
                guard v == v.rounded() else { throw fail(labels[k].line, "label \(labels[k].text) is not an integer class number") }
                guard v >= 0 else { throw fail(labels[k].line, "label \(labels[k].text) is negative") }
            }
            if values.min() == 0 { values = values.map { $0 + 1 } }
            return (values, nil)
        }
        let names = Array(Set(labels.map { String($0.text) })).sorted()
        var classOf: [String: Double] = [:]
        for (k, name) in names.enumerated() { classOf[name] = Double(k + 1) }
        return (labels.map { classOf[String($0.text)]! }, names)
    }
}
