import CLua
import CLuaShim
import DynCore

public enum BatchesBinding {
    public static let metatable = "dynlua.batches"
}

/// The `data` table: synthetic data sets (spiral, sine bands), CSV files, the bundled
/// digits, idx files and Fashion-MNIST, and helpers to split, batch and standardize.
enum DataModule {
    /// A seed option: any integer, negative ones taken as their two's-complement bits.
    static func seed(_ o: Options) throws -> UInt64 {
        try o.seed()
    }

    static func push(_ lua: Lua, _ d: LabeledData) -> Int32 {
        lua.push(d.x)
        lua.push(d.y)
        return 2
    }

    /// X (2-D tensor) and y (1-D tensor or Lua table of labels) at arguments 1 and 2.
    static func checkXY(_ lua: Lua) throws -> (Tensor, Tensor) {
        let x = try lua.checkTensor(1)
        let y = try lua.checkTensorLike(2)
        return (x, y)
    }

    /// A list of numbers from an option holding a table or 1-D tensor.
    static func numberList(_ lua: Lua, _ o: Options, _ key: String, function: String) throws -> [Double]? {
        o.push(key)
        defer { lua.pop() }
        if lua.isNoneOrNil(-1) { return nil }
        if let t = lua.tensor(-1) {
            guard t.rank == 1 else { throw LuaFailure.message("\(function): option '\(key)' must be 1-D, got shape \(shapeText(t.shape))") }
            return t.toArray()
        }
        guard lua.isTable(-1) else { throw LuaFailure.message("\(function): option '\(key)' must be a tensor or table of numbers, got \(lua.typeName(-1))") }
        var out: [Double] = []
        try lua.forEachArrayItem(-1) { k in
            guard let v = lua.number(-1) else { throw LuaFailure.message("\(function): \(key)[\(k)] must be a number, got \(lua.typeName(-1))") }
            out.append(v)
        }
        return out
    }

    /// data.csv's `label_column`: false (no labels), or a 1-based column, negative from the end
    /// (nil: the last).
    static func labelColumn(_ lua: Lua, _ o: Options) throws -> (withLabels: Bool, column: Int?) {
        o.push("label_column")
        defer { lua.pop() }
        switch lua.type(-1) {
        case LUA_TNIL: return (true, nil)
        case LUA_TBOOLEAN:
            guard !lua.boolean(-1) else {
                throw LuaFailure.message("data.csv: option 'label_column' must be a column number or false, got true")
            }
            return (false, nil)
        default:
            guard let column = lua.integer(-1) else {
                throw LuaFailure.message("data.csv: option 'label_column' must be a column number or false, got \(lua.typeName(-1))")
            }
            if column == 0 { throw LuaFailure.message("data.csv: label_column is 1-based (or negative from the end), got 0") }
            return (true, column)
        }
    }

    /// data.csv's `classes`: a list of label texts (strings or numbers), class c being the c-th.
    static func classList(_ lua: Lua, _ o: Options) throws -> [String]? {
        o.push("classes")
        defer { lua.pop() }
        if lua.isNoneOrNil(-1) { return nil }
        guard lua.isTable(-1) else {
            throw LuaFailure.message("data.csv: option 'classes' must be a list of labels (strings or numbers), got \(lua.typeName(-1))")
        }
        var out: [String] = []
        try lua.forEachArrayItem(-1) { k in
            if let s = lua.string(-1) { out.append(s) }
            else if let i = lua.integer(-1) { out.append(String(i)) }
            else if let v = lua.number(-1) { out.append(NumberText.shortest(v)) }
            else { throw LuaFailure.message("data.csv: classes[\(k)] must be a string or a number, got \(lua.typeName(-1))") }
        }
        return out
    }

    static let functions: [(String, LuaBody)] = [
        ("augment", { guarded($0) { lua in
            let op = "data.augment"
            let x = try lua.checkTensor(1)
            let o = try Options(lua, 2, function: op, allowed: ["crop", "flip", "seed"])
            let a = try ImageAugmentation(crop: try o.integer("crop", default: 0), flip: try o.boolean("flip", default: false), op: op)
            try a.check(x, op: op)
            var g = ImageAugmentation.generator(seed: try o.seed())
            let out = try Tensor(uninitialized: x.shape, dtype: x.dtype)
            try a.apply(x, into: out, generator: &g)
            lua.push(out); return 1
        } }),
        ("spiral", { guarded($0) { lua in
            let o = try Options(lua, 1, function: "data.spiral",
                                allowed: ["classes", "per_class", "revolutions", "noise", "seed"])
            return push(lua, try Spiral.make(classes: try o.integer("classes", default: 3),
                                             perClass: try o.integer("per_class", default: 100),
                                             revolutions: try o.number("revolutions", default: 4),
                                             noise: try o.number("noise", default: 0.2),
                                             seed: try seed(o)))
        } }),
        ("sine", { guarded($0) { lua in
            let o = try Options(lua, 1, function: "data.sine",
                                allowed: ["classes", "per_class", "amplitude", "frequency", "noise", "seed"])
            return push(lua, try SineBands.make(classes: try o.integer("classes", default: 3),
                                                perClass: try o.integer("per_class", default: 100),
                                                amplitude: try o.number("amplitude", default: 0.25),
                                                frequency: try o.number("frequency", default: 1),
                                                noise: try o.number("noise", default: 0),
                                                seed: try seed(o)))
        } }),
        ("csv", { guarded($0) { lua in
            let path = try lua.checkString(1)
            let f = "data.csv"
            let o = try Options(lua, 2, function: f, allowed: ["label_column", "header", "classes"])
            let (withLabels, column) = try labelColumn(lua, o)
            var header = CSVTable.Header.auto
            o.push("header")
            switch lua.type(-1) {
            case LUA_TNIL: break
            case LUA_TBOOLEAN: header = lua.boolean(-1) ? .present : .absent
            default:
                guard lua.string(-1) == "auto" else {
                    throw LuaFailure.message("\(f): option 'header' must be true, false or \"auto\", got \(lua.string(-1).map { "\"\($0)\"" } ?? lua.typeName(-1))")
                }
            }
            lua.pop()
            let classes = try classList(lua, o)
            if classes != nil && !withLabels {
                throw LuaFailure.message("\(f): option 'classes' needs labels (label_column is false)")
            }
            let result = try CSVTable.read(path: path, labelColumn: column, withLabels: withLabels, header: header,
                                           classes: classes, function: f)
            lua.push(result.x)
            guard let y = result.y else { return 1 }
            lua.push(y)
            lua.newTable(array: result.classes.count)
            for (k, n) in result.classes.enumerated() { lua.push(n); lua.setIndex(-2, k + 1) }
            return 3
        } }),
        ("digits", { guarded($0) { lua in
            let path = lua.isNoneOrNil(1) ? nil : try lua.checkString(1)
            return push(lua, try Digits.load(path: path))
        } }),
        ("idx", { guarded($0) { lua in
            let path = try lua.checkString(1)
            let o = try Options(lua, 2, function: "data.idx", allowed: ["dtype"])
            var dtype: DType? = nil
            if let name = try o.string("dtype") {
                guard let d = DType(rawValue: name) else {
                    throw LuaFailure.message("data.idx: option 'dtype' must be \"float32\" or \"float64\", got \"\(name)\"")
                }
                dtype = d
            }
            lua.push(try IdxFile.read(path: path, dtype: dtype)); return 1
        } }),
        ("fashion_mnist", { guarded($0) { lua in
            let f = "data.fashion_mnist"
            let o = try Options(lua, 1, function: f, allowed: ["split", "n", "seed", "dir"])
            let name = try o.string("split") ?? "train"
            guard let split = FashionMNIST.Split(rawValue: name) else {
                throw LuaFailure.message("\(f): option 'split' must be \"train\" or \"test\", got \"\(name)\"")
            }
            return push(lua, try FashionMNIST.load(split: split, n: try o.integer("n"), seed: o.has("seed") ? try seed(o) : nil,
                                                   directory: try o.string("dir") ?? FashionMNIST.defaultDirectory))
        } }),
        ("split", { guarded($0) { lua in
            let (x, y) = try checkXY(lua)
            let o = try Options(lua, 3, function: "data.split", allowed: ["fraction", "seed"])
            let parts = try Split.split(x, y, fraction: try o.number("fraction", default: 0.2), seed: try seed(o))
            _ = push(lua, parts.train)
            _ = push(lua, parts.validation)
            return 4
        } }),
        ("batches", { guarded($0) { lua in
            let (x, y) = try checkXY(lua)
            let f = "data.batches"
            let o = try Options(lua, 3, function: f, allowed: ["batch_size", "shuffle", "seed"])
            guard let size = try o.integer("batch_size") else { throw LuaFailure.message("\(f): option 'batch_size' is required") }
            let b = try Batches(x, y, batchSize: size, shuffle: try o.boolean("shuffle", default: true), seed: try seed(o))
            Userdata.push(lua, b, metatable: BatchesBinding.metatable)
            lua.push(nextBatch, upvalues: 1)
            return 1
        } }),
        ("standardize", { guarded($0) { lua in
            let x = try lua.checkTensor(1)
            let f = "data.standardize"
            let o = try Options(lua, 2, function: f, allowed: ["mean", "std"])
            let r = try Standardize.apply(x, mean: try numberList(lua, o, "mean", function: f),
                                          std: try numberList(lua, o, "std", function: f))
            lua.push(r.x); lua.push(r.mean); lua.push(r.std)
            return 3
        } }),
    ]

    /// The iterator `batches` returns: each call gives the next (X_batch, y_batch), then nil.
    static let nextBatch: LuaBody = { guarded($0) { lua in
        guard case .object(let b) = Userdata.get(lua, dyn_upvalueindex(2), metatable: BatchesBinding.metatable, as: Batches.self) else {
            lua.pushNil(); return 1
        }
        guard let batch = try b.next() else { lua.pushNil(); return 1 }
        return push(lua, batch)
    } }

    static func register(_ lua: Lua) {
        luaL_newmetatable(lua.L, BatchesBinding.metatable)
        lua.push({ guarded($0) { lua in Userdata.release(lua, 1, metatable: BatchesBinding.metatable, as: Batches.self); return 0 } })
        lua.setField(-2, "__gc")
        lua.pop()
        lua.newTable()
        lua.setFunctions(-1, functions)
    }
}
