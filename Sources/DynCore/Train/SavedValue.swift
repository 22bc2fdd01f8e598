/// A plain value a script hands to a training checkpoint (`on_checkpoint`'s result): numbers,
/// strings, booleans and tables of them. Functions, tensors and other userdata cannot be
/// saved. In the checkpoint file each value is one line (tables: a count line, then keys and
/// values), so no byte of a string can break the line structure.
public indirect enum SavedValue: Equatable {
    case integer(Int)
    case number(Double)
    case string([UInt8])
    case boolean(Bool)
    /// Key-value pairs in the order they were read.
    case table(keys: [SavedValue], values: [SavedValue])

    public static let maxDepth = 100

    func write(into out: inout String) {
        switch self {
        case .integer(let i): out += "i \(i)\n"
        case .number(let d): out += "n \(d)\n"
        case .boolean(let b): out += "b \(b ? 1 : 0)\n"
        case .string(let bytes):
            out += "s "
            for b in bytes { out += ChecksummedText.hexByte(b) }
            out += "\n"
        case .table(let keys, let values):
            out += "t \(keys.count)\n"
            for (k, v) in zip(keys, values) { k.write(into: &out); v.write(into: &out) }
        }
    }

    static func read(_ r: inout Checkpoint.Reader, depth: Int = 0) throws -> SavedValue {
        guard depth <= maxDepth else { throw r.corrupt("saved tables nested more than \(maxDepth) deep") }
        guard let line = r.next() else { throw r.truncated("a saved value") }
        let tag = line.prefix(2), rest = line.dropFirst(2)
        switch tag {
        case "i ": if let i = Int(rest) { return .integer(i) }
        case "n ": if let d = Double(rest) { return .number(d) }
        case "b ": if rest == "0" || rest == "1" { return .boolean(rest == "1") }
        case "s ":
            if let bytes = ChecksummedText.bytes(fromHex: rest) { return .string(bytes) }
        case "t ":
            guard let n = Int(rest), n >= 0 else { break }
            var keys: [SavedValue] = [], values: [SavedValue] = []
            for _ in 0..<n {
                keys.append(try read(&r, depth: depth + 1))
                values.append(try read(&r, depth: depth + 1))
            }
            return .table(keys: keys, values: values)
        default: break
        }
        throw r.corrupt("'\(line.prefix(40))' is not a saved value")
    }
}
