/// y = f(x) element-wise. R{y} = f'(x) R{x}; g_in = f'(x) g, R{g_in} = f''(x) R{x} g + f'(x) R{g}.
extension ElementwiseActivation: CurvatureLayer {
    func rForward(_ x: Tensor, _ rx: Tensor?, _ d: CurvatureDirection) throws -> (y: Tensor, ry: Tensor) {
        let y = try x.map(kind.unaryOp)
        let ry = try rx.map { try Tensor.binary(.mul, $0, kind.derivative(x: x, y: y)) } ?? Tensor(zeros: x.shape)
        return (y, ry)
    }

    func rBackward(_ s: CurvatureSaved, _ g: Tensor, _ rg: Tensor, _ d: CurvatureDirection) throws -> (g: Tensor, rg: Tensor) {
        let d1 = try kind.derivative(x: s.x, y: s.y)
        let gin = try Tensor.binary(.mul, d1, g)
        var rgin = try Tensor.binary(.mul, d1, rg)
        if let rx = s.rx, let d2 = try kind.secondDerivative(y: s.y) {
            rgin = try Tensor.binary(.add, rgin, try Tensor.binary(.mul, try Tensor.binary(.mul, d2, rx), g))
        }
        return (gin, rgin)
    }
}

extension ElementwiseActivation.Kind {
    var unaryOp: UnaryOp {
        switch self {
        case .relu: return .relu
        case .tanh: return .tanh
        case .sigmoid: return .sigmoid
        }
    }

    /// f'(x) from x and y = f(x). ReLU's derivative at 0 is 0, as in backward.
    func derivative(x: Tensor, y: Tensor) throws -> Tensor {
        switch self {
        case .relu: return try Tensor.binary(.gt, x, scalar: 0)
        case .tanh: return try Tensor.binary(.sub, try y.map(.pow(2)), scalar: 1, scalarFirst: true)
        case .sigmoid: return try Tensor.binary(.mul, y, Tensor.binary(.sub, y, scalar: 1, scalarFirst: true))
        }
    }

    /// f''(x) from y; nil where it is zero everywhere (ReLU).
    func secondDerivative(y: Tensor) throws -> Tensor? {
        switch self {
        case .relu: return nil
        case .tanh:
            // -2 y (1 - y^2)
            let d1 = try Tensor.binary(.sub, try y.map(.pow(2)), scalar: 1, scalarFirst: true)
            return try Tensor.binary(.mul, Tensor.binary(.mul, y, scalar: -2), d1)
        case .sigmoid:
            // y (1 - y)(1 - 2y)
            let d1 = try Tensor.binary(.mul, y, Tensor.binary(.sub, y, scalar: 1, scalarFirst: true))
            return try Tensor.binary(.mul, d1, Tensor.binary(.sub, Tensor.binary(.mul, y, scalar: 2), scalar: 1, scalarFirst: true))
        }
    }
}
