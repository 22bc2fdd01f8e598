/// How a CSV file's label texts become class numbers 1..C, and the mapping that went with them
/// (`classes[c - 1]` is the label text of class c), so that a second file can be read with the
/// first one's mapping.
///
/// Chosen from the file alone:
/// - all labels integers >= 0: they are class numbers, in numeric order. The smallest class is 0
///   when some label is 0 (labels exported from Python) and 1 otherwise; the classes run from it
///   to the largest label, including values absent from the file, so class c is label c
///   (1-based) or c - 1 (0-based);
/// - any label that is not a number: labels are names; the distinct names, sorted by their
///   text (byte order), are classes 1..K, so the mapping does not depend on the order of rows.
///
/// Imposed (`classes` given): label text classes[c - 1] is class c; a label not in the list is
/// an error. Labels that read as numbers compare by value ("1", "1.0" and "01" are one label),
/// others by their exact text.
enum CSVLabels {
    typealias Label = (line: Int, row: Int, text: Substring)
    typealias Failure = (Int, String) -> TensorError

    /// Larger class numbers are almost surely ids, not classes (and would make a model and a
    /// classes table of that width).
    static let maxClasses = 1 << 16

    /// A label's identity: its value when it reads as a finite number, else its text.
    enum Key: Hashable {
        case number(Double)
        case text(String)

        init(_ text: Substring) {
            if let v = CSVTable.number(text) { self = .number(v == 0 ? 0 : v) } else { self = .text(String(text)) }
        }
    }

    /// The class numbers (1-based, as float64 values) and the label text of each class.
    static func infer(_ labels: [Label], fail: Failure) throws -> (y: [Double], classes: [String]) {
        let numbers = labels.map { CSVTable.number($0.text) }
        guard numbers.allSatisfy({ $0 != nil }) else {
            let names = Array(Set(labels.map { String($0.text) })).sorted()
            var classOf: [String: Double] = [:]
            for (k, name) in names.enumerated() { classOf[name] = Double(k + 1) }
            return (labels.map { classOf[String($0.text)]! }, names)
        }
        var largest = 0.0, largestAt = 0
        for (k, v) in numbers.map({ $0! }).enumerated() {
            guard v == v.rounded() else { throw fail(labels[k].line, "label \(labels[k].text) is not an integer class number") }
            guard v >= 0 else { throw fail(labels[k].line, "label \(labels[k].text) is negative") }
            if v > largest { largest = v; largestAt = k }
        }
        let base = numbers.contains(0) ? 0.0 : 1.0
        guard largest - base < Double(maxClasses) else {
            throw fail(labels[largestAt].line, "label \(labels[largestAt].text) is too large for a class number (at most \(maxClasses) classes; pass classes = {...} to list the labels)")
        }
        let count = max(Int(largest - base) + 1, 1)
        return (numbers.map { $0! - base + 1 }, (0..<count).map { String(Int(base) + $0) })
    }

    /// The class numbers of the labels under the given mapping.
    static func impose(_ classes: [String], on labels: [Label], function: String, fail: Failure) throws -> [Double] {
        guard !classes.isEmpty else { throw TensorError("\(function): option 'classes' must not be empty") }
        var classOf: [Key: Double] = [:]
        for (k, text) in classes.enumerated() {
            let key = Key(text[...])
            if let earlier = classOf[key] {
                throw TensorError("\(function): option 'classes': classes[\(k + 1)] ('\(text)') is the same label as classes[\(Int(earlier))]")
            }
            classOf[key] = Double(k + 1)
        }
        return try labels.map { label in
            guard let c = classOf[Key(label.text)] else {
                let shown = classes.prefix(10).joined(separator: ", ") + (classes.count > 10 ? ", ..." : "")
                throw fail(label.line, "row \(label.row): label '\(label.text)' is not one of the classes (\(shown))")
            }
            return c
        }
    }
}
