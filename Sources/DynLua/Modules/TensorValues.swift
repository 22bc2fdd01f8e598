import CLua
import CLuaShim
import DynCore

/// Moving tensors, shapes and dimensions between Lua values and DynCore.
public enum TensorBinding {
    public static let metatable = "dynlua.tensor"
}

extension Lua {
    /// Pushes a tensor userdata and tells the collector about any new tensor memory.
    public func push(_ t: Tensor) {
        Userdata.push(self, t, metatable: TensorBinding.metatable)
    }

    public func tensor(_ i: Int32) -> Tensor? {
        if case .object(let t) = Userdata.get(self, i, metatable: TensorBinding.metatable, as: Tensor.self) { return t }
        return nil
    }

    public func isTensor(_ i: Int32) -> Bool { Userdata.has(self, i, metatable: TensorBinding.metatable) }

    public func checkTensor(_ i: Int32) throws -> Tensor {
        switch Userdata.get(self, i, metatable: TensorBinding.metatable, as: Tensor.self) {
        case .object(let t): return t
        case .closed: throw LuaFailure.argument(i, "tensor has been closed")
        case .otherType: throw typeError(i, expected: "tensor")
        }
    }

    /// A tensor, or a (nested) table of numbers converted to one: what functions that take
    /// "a tensor or Lua table" accept.
    public func checkTensorLike(_ i: Int32, dtype: DType = .float64) throws -> Tensor {
        if isTable(i) { return try tensorFromTable(i, dtype: dtype, argument: i) }
        return try checkTensor(i)
    }

    /// Reads a rectangular nested table of numbers. Errors name the offending position.
    public func tensorFromTable(_ i: Int32, dtype: DType, argument: Int32) throws -> Tensor {
        let t = absolute(i)
        // The shape comes from the first element at each depth.
        var shape: [Int] = []
        pushValue(t)
        var depth = 0
        while isTable(-1) {
            guard ensureStack(4) else { throw LuaFailure.message("tensor.new: table nested too deeply") }
            let n = rawLength(-1)
            shape.append(n)
            depth += 1
            if n == 0 { break }
            getIndex(-1, 1)
        }
        pop(Int32(depth + (shape.last == 0 ? 0 : 1)))
        // Allocated before the walk (the checked path): a table of shared subtables can name
        // far more elements than exist, or more than an Int can count.
        let count = try Tensor.checkedCount(shape, dtype, "tensor.new")
        let out = try Tensor(uninitialized: shape, dtype: .float64)
        let values = out.pointer(Double.self)
        var filled = 0
        func walk(_ level: Int, _ path: [Int]) throws {
            let n = rawLength(-1)
            guard n == shape[level] else {
                let where_ = path.isEmpty ? "the table" : "element " + path.map { "[\($0)]" }.joined()
                throw LuaFailure.argument(argument, "ragged table: \(where_) has \(n) entries, expected \(shape[level])")
            }
            for k in 1...max(n, 1) where k <= n {
                getIndex(-1, k)
                defer { pop() }
                if level + 1 < shape.count {
                    guard isTable(-1) else {
                        throw LuaFailure.argument(argument, "element \((path + [k]).map { "[\($0)]" }.joined()) is a \(typeName(-1)), expected a table")
                    }
                    guard ensureStack(4) else { throw LuaFailure.message("tensor.new: table nested too deeply") }
                    try walk(level + 1, path + [k])
                } else {
                    guard let v = number(-1) else {
                        throw LuaFailure.argument(argument, "element \((path + [k]).map { "[\($0)]" }.joined()) is a \(typeName(-1)), expected a number")
                    }
                    values[filled] = v
                    filled += 1
                }
            }
        }
        pushValue(t)
        defer { pop() }
        try walk(0, [])
        assert(filled == count)
        return try out.converted(to: dtype)
    }

    /// Sizes given either as integers from argument `first` on, or as one table; a trailing
    /// dtype string is allowed when `allowDType`. Returns the shape and the dtype, after checking
    /// that such a tensor can be allocated (`function` names the caller in that error).
    public func checkShape(from first: Int32, allowDType: Bool = true, function: String = "tensor") throws -> ([Int], DType) {
        var last = top
        var dtype = DType.float64
        if allowDType && last >= first && isString(last) {
            dtype = try optDType(last)
            last -= 1
        }
        var shape: [Int] = []
        if last == first && isTable(first) {
            shape = try checkShapeTable(first)
        } else if last >= first {
            for i in first...last {
                let d = try checkInteger(i)
                guard d >= 0 else { throw LuaFailure.argument(i, "size must be non-negative, got \(d)") }
                shape.append(d)
            }
        }
        try Tensor.checkedCount(shape, dtype, function)
        return (shape, dtype)
    }

    /// A shape given as a Lua table of non-negative integers.
    public func checkShapeTable(_ i: Int32) throws -> [Int] {
        var shape: [Int] = []
        try forEachArrayItem(i) { k in
            guard let d = integer(-1), d >= 0 else {
                let got = integer(-1).map { String($0) } ?? number(-1).map { String($0) } ?? typeName(-1)
                throw LuaFailure.argument(i, "size \(k) of the shape table must be a non-negative integer, got \(got)")
            }
            shape.append(d)
        }
        return shape
    }

    /// A 1-based (or negative, counting from the end) dimension argument, returned 0-based.
    public func checkDim(_ i: Int32, rank: Int) throws -> Int {
        let d = try checkInteger(i)
        let z = d < 0 ? rank + d : d - 1
        guard z >= 0 && z < rank else {
            throw LuaFailure.argument(i, "dimension \(d) out of range for a \(rank)-D tensor")
        }
        return z
    }

    /// Pushes a tensor as nested Lua tables of numbers (a number for a 0-D tensor).
    public func pushTable(_ t: Tensor) throws {
        if t.rank == 0 { push(t.value(at: [])); return }
        guard ensureStack(Int32(t.rank) + 4) else { throw LuaFailure.message("totable: tensor has too many dimensions") }
        // The table is built inside this Swift body, where Lua's allocator must not fail (see
        // docs/ARCHITECTURE.md): bounded so that it cannot outgrow the emergency reserve's purpose.
        guard t.count <= Lua.maxTableElements else {
            throw LuaFailure.message("totable: a tensor of \(t.count) elements is too large for a Lua table (at most \(Lua.maxTableElements))")
        }
        let values = t.toArray()
        var k = 0
        func build(_ level: Int) {
            let n = t.shape[level]
            newTable(array: n)
            for j in 1...max(n, 1) where j <= n {
                if level == t.rank - 1 { push(values[k]); k += 1 } else { build(level + 1) }
                setIndex(-2, j)
            }
        }
        build(0)
    }

    /// A list of numbers from a table or 1-D tensor (e.g. class weights, labels).
    public func checkNumberList(_ i: Int32, what: String) throws -> [Double] {
        if isTensor(i) {
            let t = try checkTensor(i)
            guard t.rank <= 1 else { throw LuaFailure.argument(i, "\(what) must be 1-D, got shape \(shapeText(t.shape))") }
            return t.toArray()
        }
        guard isTable(i) else { throw typeError(i, expected: "table or tensor") }
        var out: [Double] = []
        try forEachArrayItem(i) { k in
            guard let v = number(-1) else {
                throw LuaFailure.argument(i, "\(what)[\(k)] must be a number, got \(typeName(-1))")
            }
            out.append(v)
        }
        return out
    }
}
