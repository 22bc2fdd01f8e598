import CLua
import CLuaShim
import DynCore

/// The helpers for writing losses and looking at data: masks, positions, statistics
/// (`t:masked`, `t:gather`, `t:std`, `t:unique`, `t:bincount`, `tensor.where`,
/// `tensor.stack`, `tensor.onehot`). Positions and dimensions are 1-based here.
enum TensorSelection {
    static let methods: [(String, LuaBody)] = [
        ("masked", { tracked($0, TrackedTensorMethods.masked) { lua in
            let t = try lua.checkTensor(1)
            lua.push(try t.masked(try lua.checkTensorLike(2))); return 1
        } }),
        ("gather", { tracked($0, TrackedTensorMethods.gather) { lua in
            let t = try lua.checkTensor(1)
            let dim = try lua.checkDim(2, rank: t.rank)
            lua.push(try t.gather(dim, try lua.checkTensorLike(3))); return 1
        } }),
        ("std", { tracked($0, TrackedTensorMethods.std) { lua in
            let t = try lua.checkTensor(1)
            if lua.isNoneOrNil(2) { lua.push(t.std()); return 1 }
            lua.push(try t.std(dim: try lua.checkDim(2, rank: t.rank))); return 1
        } }),
        ("unique", { guarded($0) { lua in lua.push(try lua.checkTensor(1).unique()); return 1 } }),
        ("bincount", { guarded($0) { lua in
            let t = try lua.checkTensor(1)
            lua.push(try t.bincount(minLength: try lua.optInteger(2, default: 0))); return 1
        } }),
    ]

    static func whereArguments(_ lua: Lua) throws -> (Tensor, Tensor, Tensor) {
        let mask = try lua.checkTensorLike(1)
        // A number takes the dtype of the other branch when that is a tensor.
        func branch(_ i: Int32, _ other: DType) throws -> Tensor {
            if let v = lua.number(i) { return try Tensor(shape: [], values: [v], dtype: other) }
            guard lua.isTensor(i) else { throw lua.typeError(i, expected: "tensor or number") }
            return try lua.checkTensor(i)
        }
        return (mask, try branch(2, lua.tensor(3)?.dtype ?? .float64), try branch(3, lua.tensor(2)?.dtype ?? .float64))
    }

    static func stackArguments(_ lua: Lua) throws -> ([Tensor], Int) {
        let parts = try TensorModule.tensorList(lua, 1)
        // The new dimension may go after the last one: dimensions 1..rank+1 (-1 is rank+1).
        return (parts, lua.isNoneOrNil(2) ? 0 : try lua.checkDim(2, rank: parts[0].rank + 1))
    }

    static let functions: [(String, LuaBody)] = [
        ("where", { tracked($0, { lua, tape in
            let (mask, a, b) = try whereArguments(lua)
            lua.push(try tape.where(mask, a, b)); return 1
        }) { lua in
            let (mask, a, b) = try whereArguments(lua)
            lua.push(try Tensor.where(mask, a, b)); return 1
        } }),
        ("stack", { tracked($0, { lua, tape in
            let (parts, dim) = try stackArguments(lua)
            lua.push(try tape.stack(parts, dim: dim)); return 1
        }) { lua in
            let (parts, dim) = try stackArguments(lua)
            lua.push(try Tensor.stack(parts, dim: dim)); return 1
        } }),
        ("onehot", { guarded($0) { lua in
            let labels = lua.isTable(1) ? try lua.tensorFromTable(1, dtype: .float64, argument: 1) : try lua.checkTensor(1)
            let classes = try lua.checkInteger(2)
            guard classes >= 1 else { throw LuaFailure.argument(2, "number of classes must be >= 1, got \(classes)") }
            lua.push(try Tensor.onehot(labels, classes: classes)); return 1
        } }),
    ]
}
