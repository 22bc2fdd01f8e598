import Foundation

/// Saving and loading models: a versioned, line-based text format (never code, so loading a
/// file cannot run anything). Version 1:
///
///     dynlua-model 1
///     <module>
///     end
///
/// where <module> is one of
///     Sequential <k>                              followed by its k children's <module>s
///     Linear <n_in> <n_out> <bias|nobias> <dtype> followed by n_in lines of n_out numbers (the
///                                                 weight's rows) and, with bias, one line of
///                                                 n_out numbers (the bias)
///     ReLU | Tanh | Sigmoid | Identity | Softmax | LogSoftmax
///
/// Numbers are separated by single spaces and written as the shortest decimal text that reads
/// back to the same float64 ("0.1", "-3.5e-05", "inf", "nan"); float32 values are widened to
/// float64 exactly first, so every parameter round-trips bit for bit. Files are written with
/// AtomicFile (temporary file + rename).
public enum Checkpoint {
    public static let magic = "dynlua-model"
    public static let version = 1
    static let maxDepth = 200

    // MARK: writing

    public static func save(_ m: Module, path: String) throws {
        var out = "\(magic) \(version)\n"
        try write(m, into: &out)
        out += "end\n"
        try AtomicFile.write(out, to: path, op: "save")
    }

    public static func text(of m: Module) throws -> String {
        var out = "\(magic) \(version)\n"
        try write(m, into: &out)
        return out + "end\n"
    }

    static func write(_ m: Module, into out: inout String) throws {
        switch m {
        case let s as Sequential:
            out += "Sequential \(s.modules.count)\n"
            for c in s.modules { try write(c, into: &out) }
        case let l as Linear:
            out += "Linear \(l.inputSize) \(l.outputSize) \(l.bias == nil ? "nobias" : "bias") \(l.weight.dtype.rawValue)\n"
            let w = l.weight.toArray()
            for r in 0..<l.inputSize {
                out += w[(r * l.outputSize)..<((r + 1) * l.outputSize)].map { "\($0)" }.joined(separator: " ") + "\n"
            }
            if let b = l.bias { out += b.toArray().map { "\($0)" }.joined(separator: " ") + "\n" }
        case is ElementwiseActivation, is RowSoftmax, is Identity:
            out += m.description + "\n"
        default:
            throw TensorError("save: cannot save a module of type \(type(of: m))")
        }
    }

    // MARK: reading

    public static func load(path: String) throws -> Module {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = access(path, R_OK) == 0 ? "cannot read it" : String(cString: strerror(errno))
            throw TensorError("nn.load: cannot open '\(path)' (\(why))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TensorError("nn.load: '\(path)' is not a dynlua model file (not text; expected first line '\(magic) \(version)')")
        }
        return try parse(text, name: path)
    }

    /// Reads a model from the text of a checkpoint; `name` labels error messages.
    public static func parse(_ text: String, name: String) throws -> Module {
        var reader = Reader(text: text, name: name)
        let header = reader.next()
        let words = header?.split(separator: " ") ?? []
        guard words.count == 2, words[0] == magic else {
            let shown = String((header ?? "").prefix(40).map { $0.isASCII && !$0.isNewline ? $0 : "?" })
            throw TensorError("nn.load: '\(name)' is not a dynlua model file (first line '\(shown)', expected '\(magic) \(version)')")
        }
        guard let v = Int(words[1]), v == version else {
            throw TensorError("nn.load: '\(name)' has format version \(words[1]); this dynlua reads version \(version)")
        }
        let m = try readModule(&reader, depth: 0)
        guard let last = reader.next() else { throw reader.truncated("the final 'end' line") }
        guard last == "end" else { throw reader.corrupt("expected 'end', found '\(last.prefix(40))'") }
        while let extra = reader.next() {
            if !extra.isEmpty { throw reader.corrupt("unexpected text after 'end'") }
        }
        return m
    }

    static func readModule(_ r: inout Reader, depth: Int) throws -> Module {
        guard depth < maxDepth else { throw r.corrupt("modules nested more than \(maxDepth) deep") }
        guard let line = r.next() else { throw r.truncated("a module line") }
        let w = line.split(separator: " ").map(String.init)
        switch w.first ?? "" {
        case "Sequential":
            guard w.count == 2, let k = Int(w[1]), k >= 0 else { throw r.corrupt("expected 'Sequential <count>'") }
            let s = try Sequential()
            for _ in 0..<k { try s.add(try readModule(&r, depth: depth + 1)) }
            return s
        case "Linear":
            guard w.count == 5, let nIn = Int(w[1]), let nOut = Int(w[2]), nIn >= 1, nOut >= 1,
                  w[3] == "bias" || w[3] == "nobias", let dtype = DType(rawValue: w[4]) else {
                throw r.corrupt("expected 'Linear <n_in> <n_out> <bias|nobias> <float64|float32>'")
            }
            var values: [Double] = []
            for _ in 0..<nIn { values += try r.numbers(nOut, "a weight row") }
            let weight = try Tensor(shape: [nIn, nOut], values: values, dtype: dtype)
            let bias = w[3] == "bias" ? try Tensor(shape: [nOut], values: try r.numbers(nOut, "the bias"), dtype: dtype) : nil
            return try Linear(weight: weight, bias: bias)
        case "ReLU" where w.count == 1: return ReLU()
        case "Tanh" where w.count == 1: return Tanh()
        case "Sigmoid" where w.count == 1: return Sigmoid()
        case "Identity" where w.count == 1: return Identity()
        case "Softmax" where w.count == 1: return Softmax()
        case "LogSoftmax" where w.count == 1: return LogSoftmax()
        case "end": throw r.corrupt("found 'end' where a module was expected")
        default: throw r.corrupt("unknown module '\(line.prefix(40))'")
        }
    }

    /// Lines of the file with a position for error messages.
    struct Reader {
        let lines: [Substring]
        let name: String
        var position = 0

        init(text: String, name: String) {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.last == "" { lines.removeLast() }
            self.lines = lines.map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
            self.name = name
        }

        mutating func next() -> Substring? {
            guard position < lines.count else { return nil }
            position += 1
            return lines[position - 1]
        }

        mutating func numbers(_ n: Int, _ what: String) throws -> [Double] {
            guard let line = next() else { throw truncated(what) }
            let words = line.split(separator: " ")
            guard words.count == n else { throw corrupt("expected \(n) numbers (\(what)), found \(words.count)") }
            return try words.map {
                guard let v = Double($0) else { throw corrupt("'\($0.prefix(40))' is not a number") }
                return v
            }
        }

        func truncated(_ what: String) -> TensorError {
            TensorError("nn.load: '\(name)' is truncated (the file ends where \(what) was expected)")
        }

        func corrupt(_ what: String) -> TensorError {
            TensorError("nn.load: '\(name)' is corrupt at line \(position): \(what)")
        }
    }
}
