import CLua
import CLuaShim
import DynCore

/// A tensor binding that records on the autograd tape when one of its tensor arguments is
/// tracked (only while `autograd.grad` runs a function); otherwise the plain body runs alone.
@inline(__always)
func tracked(_ L: OpaquePointer?, _ recorded: (Lua, Tape) throws -> Int32, _ plain: (Lua) throws -> Int32) -> Int32 {
    guarded(L) { lua in
        if let tape = Tape.recording, TrackedTensorMethods.touches(lua, tape) { return try recorded(lua, tape) }
        return try plain(lua)
    }
}

/// The recording versions of the differentiable tensor methods. Argument checks mirror the plain
/// methods (TensorMethods, TensorSelection); a full reduction gives a 0-d tensor instead of a number.
enum TrackedTensorMethods {
    /// Whether an argument is a tracked tensor, or a list (argument 1: cat, stack) holding one.
    static func touches(_ lua: Lua, _ tape: Tape) -> Bool {
        let top = lua.top
        guard top >= 1 else { return false }
        for i in 1...top {
            if let t = lua.tensor(i), tape.isTracked(t) { return true }
        }
        guard lua.isTable(1), lua.ensureStack(2) else { return false }
        var found = false
        let n = lua.rawLength(1)
        var k = 1
        while k <= n && !found {
            _ = lua.getIndex(1, k)
            if let t = lua.tensor(-1), tape.isTracked(t) { found = true }
            lua.pop()
            k += 1
        }
        return found
    }

    static func unary(_ op: UnaryOp) -> (Lua, Tape) throws -> Int32 {
        { lua, tape in lua.push(try tape.map(op, try lua.checkTensor(1))); return 1 }
    }

    static func arithmetic(_ op: BinaryOp) -> (Lua, Tape) throws -> Int32 {
        { lua, tape in
            switch try ArithmeticOperands.read(lua) {
            case .tensors(let a, let b): lua.push(try tape.binary(op, a, b))
            case .scalar(let a, let s, let first): lua.push(try tape.binary(op, a, scalar: s, scalarFirst: first))
            }
            return 1
        }
    }

    static func reduction(_ op: ReduceOp) -> (Lua, Tape) throws -> Int32 {
        { lua, tape in
            let t = try lua.checkTensor(1)
            if lua.isNoneOrNil(2) { lua.push(try tape.reduceAll(op, t)); return 1 }
            let (values, positions) = try tape.reduce(op, t, dim: try lua.checkDim(2, rank: t.rank))
            lua.push(values)
            if op == .max || op == .min {
                lua.push(try Tensor(shape: values.shape, values: positions.map { Double($0 + 1) }))
                return 2
            }
            return 1
        }
    }

    static let clamp: (Lua, Tape) throws -> Int32 = { lua, tape in
        let t = try lua.checkTensor(1)
        let lo = try lua.optNumber(2, default: -.infinity), hi = try lua.optNumber(3, default: .infinity)
        guard lo <= hi else { throw LuaFailure.message("clamp: lower bound \(lo) is above upper bound \(hi)") }
        lua.push(try tape.map(.clamp(lo, hi), t)); return 1
    }

    static let pow: (Lua, Tape) throws -> Int32 = { lua, tape in
        let t = try lua.checkTensor(1)
        if let p = lua.number(2) { lua.push(try tape.map(.pow(p), t)); return 1 }
        lua.push(try tape.binary(.pow, t, try lua.checkTensor(2))); return 1
    }

    static let argmax: (Lua, Tape) throws -> Int32 = { lua, tape in
        let t = try lua.checkTensor(1)
        if lua.isNoneOrNil(2) { lua.push(try t.argmaxAll() + 1); return 1 }
        let (values, positions) = try t.reduce(.max, dim: try lua.checkDim(2, rank: t.rank))
        lua.push(tape.recordWithoutGradient(try Tensor(shape: values.shape, values: positions.map { Double($0 + 1) }), op: "argmax"))
        return 1
    }

    static let norm: (Lua, Tape) throws -> Int32 = { lua, tape in lua.push(try tape.norm(try lua.checkTensor(1))); return 1 }
    static let dot: (Lua, Tape) throws -> Int32 = { lua, tape in
        lua.push(try tape.dot(try lua.checkTensor(1), try lua.checkTensor(2))); return 1
    }
    static let matmul: (Lua, Tape) throws -> Int32 = { lua, tape in
        lua.push(try tape.matmul(try lua.checkTensor(1), try lua.checkTensor(2))); return 1
    }

    static func softmax(log: Bool) -> (Lua, Tape) throws -> Int32 {
        { lua, tape in
            let t = try lua.checkTensor(1)
            lua.push(try tape.softmax(t, dim: try lua.checkDim(2, rank: t.rank), log: log)); return 1
        }
    }

    static func reshaped(copying: Bool) -> (Lua, Tape) throws -> Int32 {
        { lua, tape in
            let t = try lua.checkTensor(1)
            lua.push(try tape.reshaped(t, try TensorMethods.viewShape(lua), copying: copying)); return 1
        }
    }

    static let t: (Lua, Tape) throws -> Int32 = { lua, tape in lua.push(try tape.t(try lua.checkTensor(1))); return 1 }
    static let transpose: (Lua, Tape) throws -> Int32 = { lua, tape in
        let t = try lua.checkTensor(1)
        lua.push(try tape.transpose(t, try lua.checkDim(2, rank: t.rank), try lua.checkDim(3, rank: t.rank))); return 1
    }
    static let narrow: (Lua, Tape) throws -> Int32 = { lua, tape in
        let t = try lua.checkTensor(1)
        let dim = try lua.checkDim(2, rank: t.rank)
        let start = try lua.checkInteger(3), length = try lua.checkInteger(4)
        lua.push(try tape.narrow(t, dim, start: start &- 1, length: length)); return 1
    }
    static let select: (Lua, Tape) throws -> Int32 = { lua, tape in
        let t = try lua.checkTensor(1)
        let dim = try lua.checkDim(2, rank: t.rank)
        lua.push(try tape.select(t, dim, try lua.checkInteger(3) &- 1)); return 1
    }
    static let index: (Lua, Tape) throws -> Int32 = { lua, tape in
        let t = try lua.checkTensor(1)
        let dim = try lua.checkDim(2, rank: t.rank)
        lua.push(try tape.index(t, dim, try TensorMethods.checkPositions(lua, 3))); return 1
    }
    static let clone: (Lua, Tape) throws -> Int32 = { lua, tape in
        let t = try lua.checkTensor(1)
        lua.push(tape.copied(t, try t.clone())); return 1
    }
    static let contiguous: (Lua, Tape) throws -> Int32 = { lua, tape in
        let t = try lua.checkTensor(1)
        lua.push(tape.copied(t, try t.contiguous())); return 1
    }
    static let to: (Lua, Tape) throws -> Int32 = { lua, tape in
        let t = try lua.checkTensor(1)
        guard !lua.isNoneOrNil(2) else { throw lua.typeError(2, expected: "dtype string") }
        lua.push(tape.copied(t, try t.converted(to: try lua.optDType(2)))); return 1
    }
    static let masked: (Lua, Tape) throws -> Int32 = { lua, tape in
        let t = try lua.checkTensor(1)
        lua.push(try tape.masked(t, try lua.checkTensorLike(2))); return 1
    }
    static let gather: (Lua, Tape) throws -> Int32 = { lua, tape in
        let t = try lua.checkTensor(1)
        let dim = try lua.checkDim(2, rank: t.rank)
        lua.push(try tape.gather(t, dim, try lua.checkTensorLike(3))); return 1
    }
    static let std: (Lua, Tape) throws -> Int32 = { lua, tape in
        let t = try lua.checkTensor(1)
        lua.push(try tape.std(t, dim: lua.isNoneOrNil(2) ? nil : try lua.checkDim(2, rank: t.rank))); return 1
    }
}
