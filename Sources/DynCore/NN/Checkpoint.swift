import Foundation

/// Saving and loading models: a versioned, line-based text format (never code, so loading a
/// file cannot run anything). Version 2:
///
///     dynlua-model 2
///     <module>
///     end
///     checksum fnv1a64 <16 hex digits>
///
/// where <module> is one of
///     Sequential <k>                              followed by its k children's <module>s
///     Linear <n_in> <n_out> <bias|nobias> <dtype> followed by n_in lines of n_out numbers (the
///                                                 weight's rows) and, with bias, one line of
///                                                 n_out numbers (the bias)
///     Conv2d <in> <out> <kh> <kw> <stride_h> <stride_w> <padding_h> <padding_w> <bias|nobias> <dtype>
///                                                 followed by out lines of in kh kw numbers (the
///                                                 weight of one output channel, row-major over
///                                                 (in, kh, kw)) and, with bias, one line of out numbers
///     AvgPool2d <k> <stride> | MaxPool2d <k> <stride>
///     Dropout <p> <seed> <passes>                 (passes: training-mode forwards done so far)
///     BatchNorm2d <channels> <eps> <momentum> <dtype>
///                                                 followed by four lines of <channels> numbers:
///                                                 weight, bias, running mean, running var
///     ReLU | Tanh | Sigmoid | Identity | Softmax | LogSoftmax | Flatten | GlobalAvgPool2d
///     Custom <name> <k>                           a layer written in Lua (nn.Lambda, nn.Module), followed
///                                                 by k parameters, each a line
///                                                 <parameter name> <dtype> <rank> <sizes...> and a line
///                                                 of its values (row-major). The code is not saved:
///                                                 loading asks `custom` for a module of that name
///                                                 (the script's constructor) and fills its parameters.
///
/// (The convolution, pooling, dropout and normalization lines came later in version 2; a file
/// without them reads as before.)
/// and the last line is the FNV-1a hash of the lines before it (ChecksummedText), so a damaged
/// file is an error. Version 1 is the same without the checksum line; it is still read. Lines
/// may end in "\n" or "\r\n". Numbers are separated by single spaces and written as the
/// shortest decimal text that reads back to the same float64 ("0.1", "-3.5e-05", "inf",
/// "nan"); float32 values are widened to float64 exactly first, so every parameter
/// round-trips bit for bit. Files are written with AtomicFile (temporary file + rename).
public enum Checkpoint {
    public static let magic = "dynlua-model"
    public static let version = 2
    static let maxDepth = 200

    // MARK: writing

    public static func save(_ m: Module, path: String) throws {
        try AtomicFile.write(try text(of: m), to: path, op: "save", durable: true)
    }

    public static func text(of m: Module) throws -> String {
        var out = "\(magic) \(version)\n"
        try write(m, into: &out)
        return ChecksummedText.seal(out + "end\n")
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
        case let c as Conv2d:
            let win = c.window
            out += "Conv2d \(c.inChannels) \(c.outChannels) \(win.kh) \(win.kw) \(win.sh) \(win.sw) \(win.ph) \(win.pw) "
                + "\(c.bias == nil ? "nobias" : "bias") \(c.weight.dtype.rawValue)\n"
            let w = c.weight.toArray(), per = c.inChannels * win.kh * win.kw
            for o in 0..<c.outChannels {
                out += w[(o * per)..<((o + 1) * per)].map { "\($0)" }.joined(separator: " ") + "\n"
            }
            if let b = c.bias { out += b.toArray().map { "\($0)" }.joined(separator: " ") + "\n" }
        case let p as Pool2d:
            out += "\(p.kind.rawValue) \(p.window.kh) \(p.window.sh)\n"
        case let d as Dropout:
            out += "Dropout \(NumberText.shortest(d.p)) \(d.seed) \(d.passes)\n"
        case let b as BatchNorm2d:
            out += "BatchNorm2d \(b.channels) \(NumberText.shortest(b.eps)) \(NumberText.shortest(b.momentum)) \(b.weight.dtype.rawValue)\n"
            for t in [b.weight, b.bias, b.runningMean, b.runningVar] {
                out += t.toArray().map { "\($0)" }.joined(separator: " ") + "\n"
            }
        case let c as CustomModule:
            out += "Custom \(c.name) \(c.parameterNames.count)\n"
            for (name, v) in zip(c.parameterNames, c.parameters) {
                out += ([name, v.dtype.rawValue, "\(v.rank)"] + v.shape.map { "\($0)" }).joined(separator: " ") + "\n"
                out += v.toArray().map { "\($0)" }.joined(separator: " ") + "\n"
            }
        case is ElementwiseActivation, is RowSoftmax, is Identity, is Flatten, is GlobalAvgPool2d:
            out += m.description + "\n"
        default:
            throw TensorError("save: cannot save a module of type \(type(of: m))")
        }
    }

    // MARK: reading

    /// Makes a fresh custom layer of the given name (its parameters are then read from the file);
    /// nil when the name is unknown.
    public typealias CustomLayers = (String) throws -> CustomModule?

    public static func load(path: String, custom: CustomLayers? = nil) throws -> Module {
        let data = try FileAccess.contents(of: path, op: "nn.load")
        guard let text = String(validating: data, as: UTF8.self) else {
            throw TensorError("nn.load: '\(path)' is not a dynlua model file (not text; expected first line '\(magic) \(version)')")
        }
        return try parse(text, name: path, custom: custom)
    }

    /// Reads a model from the text of a checkpoint; `name` labels error messages.
    public static func parse(_ text: String, name: String, custom: CustomLayers? = nil) throws -> Module {
        let lines = ChecksummedText.lines(text)
        let v = try formatVersion(lines.first, magic: magic, readable: 1...version, name: name, op: "nn.load", what: "model")
        var reader = Reader(lines: v >= 2 ? try ChecksummedText.verify(lines) { Reader(lines: [], name: name).damaged($0) } : lines,
                            name: name)
        reader.custom = custom
        _ = reader.next()
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
        case "Conv2d":
            let sizes = w.count == 11 ? w[1...8].compactMap { Int($0) } : []
            guard sizes.count == 8, w[9] == "bias" || w[9] == "nobias", let dtype = DType(rawValue: w[10]) else {
                throw r.corrupt("expected 'Conv2d <in> <out> <kh> <kw> <stride_h> <stride_w> <padding_h> <padding_w> <bias|nobias> <float64|float32>'")
            }
            let (nIn, nOut) = (sizes[0], sizes[1])
            guard nIn >= 1, nOut >= 1, nIn <= Window2d.maxSize, nOut <= Window2d.maxSize else {
                throw r.corrupt("Conv2d channel counts must be between 1 and \(Window2d.maxSize), got \(nIn) -> \(nOut)")
            }
            let window: Window2d
            do {
                window = try Window2d(kernel: (sizes[2], sizes[3]), stride: (sizes[4], sizes[5]), padding: (sizes[6], sizes[7]), layer: "Conv2d")
            } catch let e as TensorError { throw r.corrupt(e.message) }
            let per = nIn * window.kh * window.kw
            var values: [Double] = []
            for _ in 0..<nOut { values += try r.numbers(per, "a Conv2d weight row") }
            let weight = try Tensor(shape: [nOut, nIn, window.kh, window.kw], values: values, dtype: dtype)
            let bias = w[9] == "bias" ? try Tensor(shape: [nOut], values: try r.numbers(nOut, "the bias"), dtype: dtype) : nil
            return try Conv2d(weight: weight, bias: bias, stride: (window.sh, window.sw), padding: (window.ph, window.pw))
        case let name where name == Pool2d.Kind.average.rawValue || name == Pool2d.Kind.max.rawValue:
            guard w.count == 3, let k = Int(w[1]), let stride = Int(w[2]) else {
                throw r.corrupt("expected '\(name) <k> <stride>'")
            }
            do { return try Pool2d(Pool2d.Kind(rawValue: name)!, kernel: k, stride: stride) } catch let e as TensorError {
                throw r.corrupt(e.message)
            }
        case "Dropout":
            guard w.count == 4, let p = Double(w[1]), let seed = UInt64(w[2]), let passes = Int(w[3]), passes >= 0,
                  passes <= 1 << 53 else {
                throw r.corrupt("expected 'Dropout <p> <seed> <passes>' (passes an integer in 0...2^53)")
            }
            let d: Dropout
            do { d = try Dropout(p: p, seed: seed) } catch let e as TensorError { throw r.corrupt(e.message) }
            d.passes = passes
            return d
        case "BatchNorm2d":
            guard w.count == 5, let c = Int(w[1]), let eps = Double(w[2]), let momentum = Double(w[3]),
                  let dtype = DType(rawValue: w[4]) else {
                throw r.corrupt("expected 'BatchNorm2d <channels> <eps> <momentum> <float64|float32>'")
            }
            // Checked before the four lines of c numbers are read.
            guard c >= 1, c <= Window2d.maxSize else {
                throw r.corrupt("BatchNorm2d: channel count must be between 1 and \(Window2d.maxSize), got \(c)")
            }
            do { _ = try BatchNorm2d(1, eps: eps, momentum: momentum) } catch let e as TensorError { throw r.corrupt(e.message) }
            var t: [Tensor] = []
            for what in ["the BatchNorm2d weight", "the BatchNorm2d bias", "the running mean", "the running var"] {
                t.append(try Tensor(shape: [c], values: try r.numbers(c, what), dtype: dtype))
            }
            return try BatchNorm2d(weight: t[0], bias: t[1], runningMean: t[2], runningVar: t[3], eps: eps, momentum: momentum)
        case "GlobalAvgPool2d" where w.count == 1: return GlobalAvgPool2d()
        case "Custom":
            return try readCustom(&r, w)
        case "Flatten" where w.count == 1: return Flatten()
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

    /// A `Custom` layer: the module comes from the script's constructor, the values from the file.
    static func readCustom(_ r: inout Reader, _ w: [String]) throws -> Module {
        guard w.count == 3, let k = Int(w[2]), k >= 0 else { throw r.corrupt("expected 'Custom <name> <parameter count>'") }
        let name = w[1]
        guard let custom = r.custom else {
            throw TensorError("nn.load: '\(r.name)' holds a custom layer '\(name.prefix(64))' (line \(r.position)), whose code is not saved; pass its constructor: nn.load(path, {custom = {\(name.prefix(64)) = function() return nn.Module{...} end}})")
        }
        guard let m = try custom(name) else {
            throw TensorError("nn.load: '\(r.name)' holds a custom layer '\(name.prefix(64))' (line \(r.position)), and option 'custom' has no constructor of that name")
        }
        guard m.parameterNames.count == k else {
            throw TensorError("nn.load: custom layer '\(name)' from the constructor has \(m.parameterNames.count) parameters, the file \(k) (line \(r.position))")
        }
        for (index, expected) in m.parameterNames.enumerated() {
            guard let line = r.next() else { throw r.truncated("a parameter line of '\(name)'") }
            let p = line.split(separator: " ").map(String.init)
            guard p.count >= 3, let dtype = DType(rawValue: p[1]), let rank = Int(p[2]), rank >= 0, p.count == 3 + rank else {
                throw r.corrupt("expected '<parameter name> <float64|float32> <rank> <sizes...>'")
            }
            let shape = p[3...].compactMap { Int($0) }
            let current = m.parameters[index].shape
            guard p[0] == expected, shape == current else {
                throw TensorError("nn.load: custom layer '\(name)' (line \(r.position)): the file has parameter '\(p[0].prefix(64))' of shape \(p[3...].joined(separator: "x")), the constructor's parameter \(index + 1) is '\(expected)' of shape \(shapeText(current))")
            }
            let count = current.reduce(1, *)
            let values = try r.numbers(count, "the values of '\(expected)'")
            try m.setParameter(index, try Tensor(shape: current, values: values, dtype: dtype))
        }
        return m
    }

    /// The version on a first line "<magic> <version>", checked against what this dynlua reads.
    static func formatVersion(_ header: Substring?, magic: String, readable: ClosedRange<Int>,
                              name: String, op: String, what: String) throws -> Int {
        let words = header?.split(separator: " ") ?? []
        guard words.count == 2, words[0] == magic else {
            let shown = String((header ?? "").prefix(40).map { $0.isASCII && !$0.isNewline ? $0 : "?" })
            throw TensorError("\(op): '\(name)' is not a dynlua \(what) file (first line '\(shown)', expected '\(magic) \(readable.upperBound)')")
        }
        guard let v = Int(words[1]), readable.contains(v) else {
            let range = readable.count == 1 ? "\(readable.lowerBound)" : "\(readable.lowerBound) to \(readable.upperBound)"
            throw TensorError("\(op): '\(name)' has format version \(words[1].prefix(20)); this dynlua reads version \(range)")
        }
        return v
    }

    /// Lines of the file with a position for error messages.
    struct Reader {
        let lines: [Substring]
        let name: String
        var op = "nn.load"
        var position = 0
        var custom: CustomLayers?

        init(lines: [Substring], name: String, op: String = "nn.load") {
            self.lines = lines
            self.name = name
            self.op = op
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
            TensorError("\(op): '\(name)' is truncated (the file ends where \(what) was expected)")
        }

        func corrupt(_ what: String) -> TensorError {
            TensorError("\(op): '\(name)' is corrupt at line \(position): \(what)")
        }

        func damaged(_ what: String) -> TensorError {
            TensorError("\(op): '\(name)' is damaged: \(what)")
        }
    }
}
