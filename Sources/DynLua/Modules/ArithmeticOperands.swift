import DynCore

/// The operands of a binary tensor operator or comparison, read once for the plain and the
/// autograd-recording paths: two tensors, or a tensor and a number on either side.
enum ArithmeticOperands {
    case tensors(Tensor, Tensor)
    case scalar(Tensor, Double, scalarFirst: Bool)

    static func read(_ lua: Lua) throws -> ArithmeticOperands {
        if lua.isTensor(1) {
            let a = try lua.checkTensor(1)
            if let s = lua.number(2) { return .scalar(a, s, scalarFirst: false) }
            guard lua.isTensor(2) else { throw lua.typeError(2, expected: "tensor or number") }
            return .tensors(a, try lua.checkTensor(2))
        }
        guard let s = lua.number(1) else { throw lua.typeError(1, expected: "tensor or number") }
        return .scalar(try lua.checkTensor(2), s, scalarFirst: true)
    }
}
