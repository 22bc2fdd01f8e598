import Foundation

/// The little JSON dynlua's sweeps write: one object per line, keys in a fixed order, numbers
/// exactly (integers as integers, floats in the shortest text that reads back to the same
/// bits). Reading goes through Foundation's JSONSerialization.
enum JSONValue: Equatable {
    case integer(Int)
    case number(Double)
    case string(String)
    case bool(Bool)
    case null
    case object([(String, JSONValue)])

    static func == (a: JSONValue, b: JSONValue) -> Bool { a.text == b.text }

    var text: String {
        switch self {
        case .integer(let n): return String(n)
        case .number(let x):
            // JSON has no NaN or infinities: they travel as strings.
            guard x.isFinite else { return JSONValue.string(x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf")).text }
            // Swift's shortest text that reads back to the same bits ("0.1", "1e-05", "2.0").
            return x.description
        case .string(let s): return JSONValue.quote(s)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .object(let fields):
            return "{" + fields.map { JSONValue.quote($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }

    /// A number as a Double when it is one (integers included, and the strings that carry
    /// NaN and the infinities); nil otherwise.
    var double: Double? {
        switch self {
        case .integer(let n): return Double(n)
        case .number(let x): return x
        case .string("nan"): return .nan
        case .string("inf"): return .infinity
        case .string("-inf"): return -.infinity
        default: return nil
        }
    }

    /// The value as text for tables and file names: strings bare, numbers as written.
    var plain: String {
        switch self {
        case .string(let s): return s
        case .number(let x) where x.isFinite: return String(format: "%g", x)
        default: return text
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// Parses one JSON object (a line of a results file); nil when it is not one.
    static func parseObject(_ line: Substring) -> [String: JSONValue]? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)),
              case .object(let fields) = value else { return nil }
        return Dictionary(fields, uniquingKeysWith: { a, _ in a })
    }

    /// A field of an object value.
    subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }
}

extension JSONValue: Decodable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: Key.self) {
            self = .object(try keyed.allKeys.map { ($0.stringValue, try keyed.decode(JSONValue.self, forKey: $0)) }
                .sorted { $0.0 < $1.0 })
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Int.self) { self = .integer(n) }
        else if let x = try? c.decode(Double.self) { self = .number(x) }
        else { self = .string(try c.decode(String.self)) }
    }
}
