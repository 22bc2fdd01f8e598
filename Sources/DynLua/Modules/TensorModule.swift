import CLua
import CLuaShim
import DynCore

/// The `tensor` table: constructors, the global generator, file I/O and free functions.
enum TensorModule {
    static let functions: [(String, LuaBody)] = [
        ("new", { guarded($0) { lua in
            if let t = lua.tensor(1) {
                let copy = try t.converted(to: lua.isNoneOrNil(2) ? t.dtype : try lua.optDType(2))
                lua.push(copy === t ? try t.clone() : copy); return 1
            }
            let dtype = try lua.optDType(2)
            if let v = lua.number(1) { lua.push(try Tensor(shape: [], values: [v], dtype: dtype)); return 1 }
            guard lua.isTable(1) else { throw lua.typeError(1, expected: "number, table or tensor") }
            lua.push(try lua.tensorFromTable(1, dtype: dtype, argument: 1))
            return 1
        } }),
        ("zeros", { guarded($0) { lua in
            let (shape, dtype) = try lua.checkShape(from: 1, function: "tensor.zeros")
            lua.push(try Tensor(zeros: shape, dtype: dtype)); return 1
        } }),
        ("ones", { guarded($0) { lua in
            let (shape, dtype) = try lua.checkShape(from: 1, function: "tensor.ones")
            lua.push(try Tensor(filled: 1, shape: shape, dtype: dtype)); return 1
        } }),
        ("full", { guarded($0) { lua in
            try lua.checkTable(1)
            let dims = try lua.checkShapeTable(1)
            let v = try lua.checkNumber(2)
            let dtype = try lua.optDType(3)
            try Tensor.checkedCount(dims, dtype, "tensor.full")
            lua.push(try Tensor(filled: v, shape: dims, dtype: dtype)); return 1
        } }),
        ("eye", { guarded($0) { lua in
            let n = try lua.checkInteger(1)
            guard n >= 0 else { throw LuaFailure.argument(1, "size must be non-negative, got \(n)") }
            let dtype = try lua.optDType(2)
            try Tensor.checkedCount([n, n], dtype, "tensor.eye")
            lua.push(try Tensor.eye(n, dtype: dtype)); return 1
        } }),
        ("arange", { guarded($0) { lua in
            var a = try lua.checkNumber(1)
            var b: Double
            if lua.isNoneOrNil(2) { b = a; a = 0 } else { b = try lua.checkNumber(2) }
            let step = try lua.optNumber(3, default: 1)
            lua.push(try Tensor.arange(a, b, step: step, dtype: try lua.optDType(4))); return 1
        } }),
        ("linspace", { guarded($0) { lua in
            let a = try lua.checkNumber(1), b = try lua.checkNumber(2)
            let n = try lua.checkInteger(3)
            lua.push(try Tensor.linspace(a, b, n, dtype: try lua.optDType(4))); return 1
        } }),
        ("rand", { guarded($0) { lua in
            let (shape, dtype) = try lua.checkShape(from: 1, function: "tensor.rand")
            lua.push(try Generator.drawingFromGlobal { try Tensor.rand(shape, dtype: dtype, generator: &$0) }); return 1
        } }),
        ("randn", { guarded($0) { lua in
            let (shape, dtype) = try lua.checkShape(from: 1, function: "tensor.randn")
            lua.push(try Generator.drawingFromGlobal { try Tensor.randn(shape, dtype: dtype, generator: &$0) }); return 1
        } }),
        ("seed", { guarded($0) { lua in
            let s = try lua.checkInteger(1)
            Generator.global = Generator(seed: UInt64(bitPattern: Int64(s)))
            return 0
        } }),
        ("load", { guarded($0) { lua in
            lua.push(try Npy.load(path: try lua.checkString(1))); return 1
        } }),
        ("save", { guarded($0) { lua in
            try Npy.save(try lua.checkTensor(1), path: try lua.checkString(2)); return 0
        } }),
        ("matmul", { tracked($0, TrackedTensorMethods.matmul) { lua in
            lua.push(try Tensor.matmul(try lua.checkTensor(1), try lua.checkTensor(2))); return 1
        } }),
        ("cat", { tracked($0, { lua, tape in
            let parts = try tensorList(lua, 1)
            lua.push(try tape.cat(parts, dim: lua.isNoneOrNil(2) ? 0 : try lua.checkDim(2, rank: parts[0].rank))); return 1
        }) { lua in
            let parts = try tensorList(lua, 1)
            lua.push(try Tensor.cat(parts, dim: lua.isNoneOrNil(2) ? 0 : try lua.checkDim(2, rank: parts[0].rank))); return 1
        } }),
        ("is_tensor", { guarded($0) { lua in lua.push(lua.isTensor(1)); return 1 } }),
    ]

    /// A non-empty list of tensors (cat, stack).
    static func tensorList(_ lua: Lua, _ i: Int32) throws -> [Tensor] {
        try lua.checkTable(i)
        var parts: [Tensor] = []
        try lua.forEachArrayItem(i) { k in
            guard let t = lua.tensor(-1) else {
                throw LuaFailure.argument(i, "element \(k) of the list is a \(lua.typeName(-1)), expected a tensor")
            }
            parts.append(t)
        }
        guard !parts.isEmpty else { throw LuaFailure.argument(i, "empty list of tensors") }
        return parts
    }

    static func register(_ lua: Lua) {
        TensorMethods.registerMetatable(lua)
        lua.newTable()
        lua.setFunctions(-1, functions + TensorSelection.functions)
    }
}
