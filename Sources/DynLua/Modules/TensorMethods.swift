import CLua
import CLuaShim
import DynCore

/// Methods and metamethods of tensor userdata. Positions and dimensions are 1-based here and
/// converted to DynCore's 0-based ones.
enum TensorMethods {
    static func unary(_ op: UnaryOp) -> (Lua) throws -> Int32 {
        { lua in lua.push(try lua.checkTensor(1).map(op)); return 1 }
    }

    /// 1-based indices i, j, ... from argument `first` on, checked against the tensor's shape.
    static func checkIndex(_ lua: Lua, _ t: Tensor, from first: Int32, op: String) throws -> [Int] {
        let given = Int(lua.top - first + 1)
        guard given == t.rank else {
            throw LuaFailure.message("\(op): expected \(t.rank) indices for a tensor of shape \(shapeText(t.shape)), got \(max(given, 0))")
        }
        return try (0..<t.rank).map { d in
            let i = first + Int32(d)
            let k = try lua.checkInteger(i)
            guard k >= 1 && k <= t.shape[d] else {
                throw LuaFailure.argument(i, "index \(k) out of range for dimension \(d + 1) of size \(t.shape[d])")
            }
            return k - 1
        }
    }

    /// The reduction methods: no dimension gives a number, a dimension gives a tensor (and for
    /// max/min also the 1-based positions as a second tensor).
    static func reduction(_ op: ReduceOp) -> (Lua) throws -> Int32 {
        { lua in
            let t = try lua.checkTensor(1)
            if lua.isNoneOrNil(2) { lua.push(try t.reduceAll(op)); return 1 }
            let dim = try lua.checkDim(2, rank: t.rank)
            let (values, positions) = try t.reduce(op, dim: dim)
            lua.push(values)
            if op == .max || op == .min {
                lua.push(try Tensor(shape: values.shape, values: positions.map { Double($0 + 1) }))
                return 2
            }
            return 1
        }
    }

    static func compare(_ op: BinaryOp) -> (Lua) throws -> Int32 {
        { lua in
            let t = try lua.checkTensor(1)
            if let v = lua.number(2) { lua.push(try Tensor.binary(op, t, scalar: v)); return 1 }
            guard lua.isTensor(2) else { throw lua.typeError(2, expected: "tensor or number") }
            lua.push(try Tensor.binary(op, t, try lua.checkTensor(2))); return 1
        }
    }

    /// The arithmetic metamethods: tensor op tensor, tensor op number, number op tensor.
    static func arithmetic(_ op: BinaryOp) -> (Lua) throws -> Int32 {
        { lua in
            switch try ArithmeticOperands.read(lua) {
            case .tensors(let a, let b): lua.push(try Tensor.binary(op, a, b))
            case .scalar(let a, let s, let first): lua.push(try Tensor.binary(op, a, scalar: s, scalarFirst: first))
            }
            return 1
        }
    }

    static let methods: [(String, LuaBody)] = [
        ("shape", { guarded($0) { lua in ShapeTable.push(lua, try lua.checkTensor(1).shape); return 1 } }),
        ("size", { guarded($0) { lua in
            let t = try lua.checkTensor(1)
            if lua.isNoneOrNil(2) { ShapeTable.push(lua, t.shape); return 1 }
            lua.push(t.shape[try lua.checkDim(2, rank: t.rank)]); return 1
        } }),
        ("dim", { guarded($0) { lua in lua.push(try lua.checkTensor(1).rank); return 1 } }),
        ("numel", { guarded($0) { lua in lua.push(try lua.checkTensor(1).count); return 1 } }),
        ("dtype", { guarded($0) { lua in lua.push(try lua.checkTensor(1).dtype.rawValue); return 1 } }),
        ("is_contiguous", { guarded($0) { lua in lua.push(try lua.checkTensor(1).isContiguous); return 1 } }),
        ("get", { guarded($0) { lua in
            let t = try lua.checkTensor(1)
            lua.push(t.value(at: try checkIndex(lua, t, from: 2, op: "get"))); return 1
        } }),
        ("set", { guarded($0) { lua in
            let t = try lua.checkTensor(1)
            try Tape.checkInPlace(t, "set")
            let v = try lua.checkNumber(2)
            t.setValue(v, at: try checkIndex(lua, t, from: 3, op: "set"))
            lua.pushValue(1); return 1
        } }),
        ("view", { tracked($0, TrackedTensorMethods.reshaped(copying: false)) { lua in
            let t = try lua.checkTensor(1)
            lua.push(try t.view(try viewShape(lua))); return 1
        } }),
        ("reshape", { tracked($0, TrackedTensorMethods.reshaped(copying: true)) { lua in
            let t = try lua.checkTensor(1)
            lua.push(try t.reshape(try viewShape(lua))); return 1
        } }),
        ("t", { tracked($0, TrackedTensorMethods.t) { lua in lua.push(try lua.checkTensor(1).t()); return 1 } }),
        ("transpose", { tracked($0, TrackedTensorMethods.transpose) { lua in
            let t = try lua.checkTensor(1)
            lua.push(try t.transpose(try lua.checkDim(2, rank: t.rank), try lua.checkDim(3, rank: t.rank))); return 1
        } }),
        ("narrow", { tracked($0, TrackedTensorMethods.narrow) { lua in
            let t = try lua.checkTensor(1)
            let dim = try lua.checkDim(2, rank: t.rank)
            let start = try lua.checkInteger(3), length = try lua.checkInteger(4)
            lua.push(try t.narrow(dim, start: start &- 1, length: length)); return 1  // the core checks the range
        } }),
        ("select", { tracked($0, TrackedTensorMethods.select) { lua in
            let t = try lua.checkTensor(1)
            let dim = try lua.checkDim(2, rank: t.rank)
            lua.push(try t.select(dim, try lua.checkInteger(3) &- 1)); return 1
        } }),
        ("index", { tracked($0, TrackedTensorMethods.index) { lua in
            let t = try lua.checkTensor(1)
            let dim = try lua.checkDim(2, rank: t.rank)
            lua.push(try t.index(dim, try checkPositions(lua, 3))); return 1
        } }),
        ("clone", { tracked($0, TrackedTensorMethods.clone) { lua in lua.push(try lua.checkTensor(1).clone()); return 1 } }),
        ("contiguous", { tracked($0, TrackedTensorMethods.contiguous) { lua in lua.push(try lua.checkTensor(1).contiguous()); return 1 } }),
        ("to", { tracked($0, TrackedTensorMethods.to) { lua in
            let t = try lua.checkTensor(1)
            guard !lua.isNoneOrNil(2) else { throw lua.typeError(2, expected: "dtype string") }
            lua.push(try t.converted(to: try lua.optDType(2))); return 1
        } }),
        ("copy_", { guarded($0) { lua in
            let t = try lua.checkTensor(1)
            try Tape.checkInPlace(t, "copy_")
            try t.copy(from: try lua.checkTensor(2)); lua.pushValue(1); return 1
        } }),
        ("fill_", { guarded($0) { lua in
            let t = try lua.checkTensor(1)
            try Tape.checkInPlace(t, "fill_")
            t.fill(try lua.checkNumber(2)); lua.pushValue(1); return 1
        } }),
        ("zero_", { guarded($0) { lua in
            let t = try lua.checkTensor(1)
            try Tape.checkInPlace(t, "zero_")
            t.fill(0); lua.pushValue(1); return 1
        } }),
        ("add_", { guarded($0) { lua in
            let t = try lua.checkTensor(1)
            try Tape.checkInPlace(t, "add_")
            if let s = lua.number(2) {
                guard lua.isNoneOrNil(3) else { throw LuaFailure.argument(3, "alpha is only allowed with a tensor") }
                try t.apply(.add, scalar: s)
            } else {
                try t.addScaled(try lua.checkTensor(2), alpha: try lua.optNumber(3, default: 1))
            }
            lua.pushValue(1); return 1
        } }),
        ("mul_", { guarded($0) { lua in
            let t = try lua.checkTensor(1)
            try Tape.checkInPlace(t, "mul_")
            if let s = lua.number(2) { try t.apply(.mul, scalar: s) } else { try t.apply(.mul, try lua.checkTensor(2)) }
            lua.pushValue(1); return 1
        } }),
        ("exp", { tracked($0, TrackedTensorMethods.unary(.exp), unary(.exp)) }),
        ("log", { tracked($0, TrackedTensorMethods.unary(.log), unary(.log)) }),
        ("abs", { tracked($0, TrackedTensorMethods.unary(.abs), unary(.abs)) }),
        ("sqrt", { tracked($0, TrackedTensorMethods.unary(.sqrt), unary(.sqrt)) }),
        ("tanh", { tracked($0, TrackedTensorMethods.unary(.tanh), unary(.tanh)) }),
        ("sigmoid", { tracked($0, TrackedTensorMethods.unary(.sigmoid), unary(.sigmoid)) }),
        ("relu", { tracked($0, TrackedTensorMethods.unary(.relu), unary(.relu)) }),
        ("clamp", { tracked($0, TrackedTensorMethods.clamp) { lua in
            let t = try lua.checkTensor(1)
            let lo = try lua.optNumber(2, default: -.infinity), hi = try lua.optNumber(3, default: .infinity)
            guard lo <= hi else { throw LuaFailure.message("clamp: lower bound \(lo) is above upper bound \(hi)") }
            lua.push(try t.map(.clamp(lo, hi))); return 1
        } }),
        ("pow", { tracked($0, TrackedTensorMethods.pow) { lua in
            let t = try lua.checkTensor(1)
            if let p = lua.number(2) { lua.push(try t.map(.pow(p))); return 1 }
            lua.push(try Tensor.binary(.pow, t, try lua.checkTensor(2))); return 1
        } }),
        ("sum", { tracked($0, TrackedTensorMethods.reduction(.sum), reduction(.sum)) }),
        ("mean", { tracked($0, TrackedTensorMethods.reduction(.mean), reduction(.mean)) }),
        ("max", { tracked($0, TrackedTensorMethods.reduction(.max), reduction(.max)) }),
        ("min", { tracked($0, TrackedTensorMethods.reduction(.min), reduction(.min)) }),
        ("argmax", { tracked($0, TrackedTensorMethods.argmax) { lua in
            let t = try lua.checkTensor(1)
            if lua.isNoneOrNil(2) { lua.push(try t.argmaxAll() + 1); return 1 }
            let (values, positions) = try t.reduce(.max, dim: try lua.checkDim(2, rank: t.rank))
            lua.push(try Tensor(shape: values.shape, values: positions.map { Double($0 + 1) })); return 1
        } }),
        ("norm", { tracked($0, TrackedTensorMethods.norm) { lua in lua.push(try lua.checkTensor(1).norm()); return 1 } }),
        ("dot", { tracked($0, TrackedTensorMethods.dot) { lua in lua.push(try lua.checkTensor(1).dot(try lua.checkTensor(2))); return 1 } }),
        ("softmax", { tracked($0, TrackedTensorMethods.softmax(log: false)) { lua in
            let t = try lua.checkTensor(1)
            lua.push(try t.softmax(dim: try lua.checkDim(2, rank: t.rank))); return 1
        } }),
        ("log_softmax", { tracked($0, TrackedTensorMethods.softmax(log: true)) { lua in
            let t = try lua.checkTensor(1)
            lua.push(try t.logSoftmax(dim: try lua.checkDim(2, rank: t.rank))); return 1
        } }),
        ("eq", { tracked($0, TrackedTensorMethods.arithmetic(.eq), compare(.eq)) }),
        ("lt", { tracked($0, TrackedTensorMethods.arithmetic(.lt), compare(.lt)) }),
        ("gt", { tracked($0, TrackedTensorMethods.arithmetic(.gt), compare(.gt)) }),
        ("le", { tracked($0, TrackedTensorMethods.arithmetic(.le), compare(.le)) }),
        ("ge", { tracked($0, TrackedTensorMethods.arithmetic(.ge), compare(.ge)) }),
        ("item", { guarded($0) { lua in lua.push(try lua.checkTensor(1).item()); return 1 } }),
        ("totable", { guarded($0) { lua in try lua.pushTable(try lua.checkTensor(1)); return 1 } }),
        ("save", { guarded($0) { lua in
            try Npy.save(try lua.checkTensor(1), path: try lua.checkString(2)); return 0
        } }),
        ("matmul", { tracked($0, TrackedTensorMethods.matmul) { lua in
            lua.push(try Tensor.matmul(try lua.checkTensor(1), try lua.checkTensor(2))); return 1
        } }),
    ]

    /// 0-based positions from a list of 1-based integers (t:index).
    static func checkPositions(_ lua: Lua, _ i: Int32) throws -> [Int] {
        if let t = lua.tensor(i), t.rank == 1, t.dtype == .float64, t.isContiguous {
            // Labels as a tensor (a loss written in Lua: w:index(1, labels)), read in place.
            let p = t.pointer(Double.self)
            var out = [Int](repeating: 0, count: t.count)
            for k in 0..<t.count {
                let v = p[k]
                guard Swift.abs(v) < 0x1p62, Double(Int(v)) == v else {
                    throw LuaFailure.argument(i, "index[\(k + 1)] must be an integer, got \(v)")
                }
                out[k] = Int(v) - 1
            }
            return out
        }
        return try lua.checkNumberList(i, what: "index").enumerated().map { k, v -> Int in
            guard v == v.rounded(), Swift.abs(v) < 0x1p62 else {
                throw LuaFailure.argument(i, "index[\(k + 1)] must be an integer, got \(v)")
            }
            return Int(v) - 1
        }
    }

    /// Sizes for view/reshape: integers or one table, after the tensor itself.
    static func viewShape(_ lua: Lua) throws -> [Int] {
        if lua.top == 2 && lua.isTable(2) {
            var shape: [Int] = []
            try lua.forEachArrayItem(2) { k in
                guard let d = lua.integer(-1) else { throw LuaFailure.argument(2, "size \(k) must be an integer, got \(lua.typeName(-1))") }
                shape.append(d)
            }
            return shape
        }
        guard lua.top >= 2 else { throw LuaFailure.argument(2, "sizes expected, got no value") }
        return try (2...lua.top).map { try lua.checkInteger($0) }
    }

    static let metamethods: [(String, LuaBody)] = [
        ("__add", { tracked($0, TrackedTensorMethods.arithmetic(.add), arithmetic(.add)) }),
        ("__sub", { tracked($0, TrackedTensorMethods.arithmetic(.sub), arithmetic(.sub)) }),
        ("__mul", { tracked($0, TrackedTensorMethods.arithmetic(.mul), arithmetic(.mul)) }),
        ("__div", { tracked($0, TrackedTensorMethods.arithmetic(.div), arithmetic(.div)) }),
        ("__pow", { tracked($0, TrackedTensorMethods.arithmetic(.pow), arithmetic(.pow)) }),
        ("__unm", { tracked($0, TrackedTensorMethods.unary(.neg), unary(.neg)) }),
        ("__len", { guarded($0) { lua in
            let t = try lua.checkTensor(1)
            lua.push(t.rank == 0 ? 0 : t.shape[0]); return 1
        } }),
        ("__tostring", { guarded($0) { lua in
            switch Userdata.get(lua, 1, metatable: TensorBinding.metatable, as: Tensor.self) {
            case .object(let t): lua.push(t.description)
            default: lua.push("tensor (closed)")
            }
            return 1
        } }),
        ("__gc", { guarded($0) { lua in Userdata.release(lua, 1, metatable: TensorBinding.metatable, as: Tensor.self); return 0 } }),
        ("__close", { guarded($0) { lua in Userdata.release(lua, 1, metatable: TensorBinding.metatable, as: Tensor.self); return 0 } }),
        ("__newindex", { guarded($0) { lua in
            let t = try lua.checkTensor(1)
            guard let i = lua.integer(2) else {
                if lua.isNumber(2) {
                    throw LuaFailure.message("tensor: index \(lua.number(2)!) is not an integer (t[i] = value takes an integer i)")
                }
                if lua.isString(2), let name = lua.string(2) {
                    throw LuaFailure.message("tensor: cannot assign to field '\(name)' (only t[i] = value)")
                }
                throw LuaFailure.message("tensor: cannot assign with a \(lua.typeName(2)) key (only t[i] = value, i an integer)")
            }
            guard t.rank >= 1, i >= 1, i <= t.shape[0] else {
                throw LuaFailure.message("tensor: index \(i) out of range for dimension 1 of size \(t.rank == 0 ? 0 : t.shape[0])")
            }
            try Tape.checkInPlace(t, "t[i] = value")
            let row = try t.select(0, i - 1)
            if let v = lua.number(3) { row.fill(v) } else { try row.copy(from: try lua.checkTensor(3)) }
            return 0
        } }),
    ]

    /// t[i] is a number for a 1-D tensor and a view of row i otherwise; t[mask] is
    /// t:masked(mask); t.name looks up a method. Any other key is an error, never a silent nil.
    static let index: LuaBody = { guarded($0) { lua in
        if lua.isString(2) {
            lua.pushValue(2)
            if lua_rawget(lua.L, dyn_upvalueindex(2)) == LUA_TNIL {
                throw LuaFailure.message("tensor: no method or field '\(lua.string(2) ?? "")' (t[i] takes an integer i, t[mask] a 0/1 tensor)")
            }
            return 1
        }
        let t = try lua.checkTensor(1)
        // Under autograd.grad, a tracked tensor's rows and elements stay on the tape (an element as a 0-d tensor).
        let tape = Tape.recording.flatMap { $0.isTracked(t) ? $0 : nil }
        if let mask = lua.tensor(2) { lua.push(try tape?.masked(t, mask) ?? t.masked(mask)); return 1 }
        guard lua.isNumber(2) else {
            let hint = lua.isTable(2) ? "; rows by position: t:index(1, {...})" : ""
            throw LuaFailure.message("tensor: cannot index with a \(lua.typeName(2)) (t[i] takes an integer i, t[mask] a 0/1 tensor\(hint))")
        }
        guard let i = lua.integer(2) else {
            throw LuaFailure.message("tensor: index \(lua.number(2)!) is not an integer")
        }
        guard t.rank >= 1, i >= 1, i <= t.shape[0] else {
            throw LuaFailure.message("tensor: index \(i) out of range for dimension 1 of size \(t.rank == 0 ? 0 : t.shape[0])")
        }
        if let tape { lua.push(try tape.select(t, 0, i - 1)); return 1 }
        if t.rank == 1 { lua.push(t.value(at: [i - 1])) } else { lua.push(try t.select(0, i - 1)) }
        return 1
    } }

    static func registerMetatable(_ lua: Lua) {
        lua.registerMetatable(TensorBinding.metatable, metamethods: metamethods,
                              methods: methods + TensorSelection.methods, index: index)
        ShapeTable.register(lua)
    }
}
