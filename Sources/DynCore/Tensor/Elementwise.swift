/// Element-wise arithmetic with numpy broadcasting, for both dtypes.
public enum BinaryOp: Sendable {
    case add, sub, mul, div, pow, eq, lt, gt, le, ge, maximum, minimum

    var name: String {
        switch self {
        case .add: return "add"; case .sub: return "sub"; case .mul: return "mul"; case .div: return "div"
        case .pow: return "pow"; case .eq: return "eq"; case .lt: return "lt"; case .gt: return "gt"
        case .le: return "le"; case .ge: return "ge"; case .maximum: return "maximum"; case .minimum: return "minimum"
        }
    }

    @inline(__always)
    func apply<T: TensorScalar>(_ x: T, _ y: T) -> T {
        switch self {
        case .add: return x + y
        case .sub: return x - y
        case .mul: return x * y
        case .div: return x / y
        case .pow: return T.pow(x, y)
        case .eq: return x == y ? 1 : 0
        case .lt: return x < y ? 1 : 0
        case .gt: return x > y ? 1 : 0
        case .le: return x <= y ? 1 : 0
        case .ge: return x >= y ? 1 : 0
        case .maximum: return x >= y || x.isNaN ? x : y
        case .minimum: return x <= y || x.isNaN ? x : y
        }
    }
}

public enum UnaryOp: Sendable {
    case neg, exp, log, abs, sqrt, tanh, sigmoid, relu
    case clamp(Double, Double)
    case pow(Double)

    @inline(__always)
    func apply<T: TensorScalar>(_ x: T) -> T {
        switch self {
        case .neg: return -x
        case .exp: return T.exp(x)
        case .log: return T.log(x)
        case .abs: return Swift.abs(x)
        case .sqrt: return x.squareRoot()
        case .tanh: return T.tanh(x)
        case .sigmoid:
            // Two branches keep exp from overflowing for large |x|.
            if x >= 0 { return 1 / (1 + T.exp(-x)) }
            let e = T.exp(x)
            return e / (1 + e)
        case .relu: return x > 0 ? x : 0
        case .clamp(let lo, let hi): return Swift.min(Swift.max(x, T(lo)), T(hi))
        case .pow(let p): return T.pow(x, T(p))
        }
    }
}

extension Tensor {
    // MARK: out-of-place

    public func map(_ op: UnaryOp) -> Tensor {
        let out = Tensor(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float64: Tensor.unaryLoop(out, self, Double.self) { op.apply($0) }
        case .float32: Tensor.unaryLoop(out, self, Float.self) { op.apply($0) }
        }
        return out
    }

    public static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard let shape = broadcastShape(a.shape, b.shape) else {
            throw TensorError("\(op.name): shapes \(shapeText(a.shape)) and \(shapeText(b.shape)) cannot be broadcast together")
        }
        let dtype = DType.promote(a.dtype, b.dtype)
        let out = Tensor(uninitialized: shape, dtype: dtype)
        let a = a.converted(to: dtype), b = b.converted(to: dtype)
        switch dtype {
        case .float64: binaryLoop(out, a, b, Double.self) { op.apply($0, $1) }
        case .float32: binaryLoop(out, a, b, Float.self) { op.apply($0, $1) }
        }
        return out
    }

    /// `a op s` (or `s op a` when scalarFirst); the tensor's dtype is kept.
    public static func binary(_ op: BinaryOp, _ a: Tensor, scalar s: Double, scalarFirst: Bool = false) -> Tensor {
        let out = Tensor(uninitialized: a.shape, dtype: a.dtype)
        switch a.dtype {
        case .float64:
            if scalarFirst { unaryLoop(out, a, Double.self) { op.apply(s, $0) } }
            else { unaryLoop(out, a, Double.self) { op.apply($0, s) } }
        case .float32:
            let c = Float(s)
            if scalarFirst { unaryLoop(out, a, Float.self) { op.apply(c, $0) } }
            else { unaryLoop(out, a, Float.self) { op.apply($0, c) } }
        }
        return out
    }

    // MARK: in place

    public func apply(_ op: UnaryOp) {
        switch dtype {
        case .float64: Tensor.unaryLoop(self, self, Double.self) { op.apply($0) }
        case .float32: Tensor.unaryLoop(self, self, Float.self) { op.apply($0) }
        }
    }

    /// self = self op other, with other broadcast to self's shape.
    public func apply(_ op: BinaryOp, _ other: Tensor) throws {
        let other = try Tensor.readable(other, into: self, op.name)
        switch dtype {
        case .float64: Tensor.binaryLoop(self, self, other, Double.self) { op.apply($0, $1) }
        case .float32: Tensor.binaryLoop(self, self, other, Float.self) { op.apply($0, $1) }
        }
    }

    public func apply(_ op: BinaryOp, scalar s: Double) {
        switch dtype {
        case .float64: Tensor.unaryLoop(self, self, Double.self) { op.apply($0, s) }
        case .float32: let c = Float(s); Tensor.unaryLoop(self, self, Float.self) { op.apply($0, c) }
        }
    }

    /// self += alpha * other (other broadcast to self's shape).
    public func addScaled(_ other: Tensor, alpha: Double) throws {
        let other = try Tensor.readable(other, into: self, "add_")
        switch dtype {
        case .float64: Tensor.binaryLoop(self, self, other, Double.self) { $0 + alpha * $1 }
        case .float32: let a = Float(alpha); Tensor.binaryLoop(self, self, other, Float.self) { $0 + a * $1 }
        }
    }

    public func fill(_ v: Double) {
        switch dtype {
        case .float64: Tensor.unaryLoop(self, self, Double.self) { _ in v }
        case .float32: let c = Float(v); Tensor.unaryLoop(self, self, Float.self) { _ in c }
        }
    }

    /// Copies src into self, broadcasting src and converting its dtype.
    public func copy(from src: Tensor) throws {
        guard let s = Tensor.broadcastShape(src.shape, shape), s == shape else {
            throw TensorError("copy_: source of shape \(shapeText(src.shape)) cannot be broadcast to \(shapeText(shape))")
        }
        if src.dtype != dtype {
            let strides = src.broadcastStrides(to: shape)
            switch (dtype, src.dtype) {
            case (.float64, .float32):
                Tensor.convertLoop(self, src, strides, from: Float.self, to: Double.self)
            case (.float32, .float64):
                Tensor.convertLoop(self, src, strides, from: Double.self, to: Float.self)
            default: break
            }
            return
        }
        let src = try Tensor.readable(src, into: self, "copy_")
        switch dtype {
        case .float64: Tensor.binaryLoop(self, self, src, Double.self) { $1 }
        case .float32: Tensor.binaryLoop(self, self, src, Float.self) { $1 }
        }
    }

    /// other, converted to target's dtype, broadcast to its shape, and copied first if it
    /// overlaps target's memory with another layout (an in-place update must read the old values).
    static func readable(_ other: Tensor, into target: Tensor, _ op: String) throws -> Tensor {
        var o = other.converted(to: target.dtype)
        if o.storage === target.storage && !(o.offset == target.offset && o.shape == target.shape && o.strides == target.strides) {
            o = o.clone()
        }
        return try o.broadcast(to: target.shape, op)
    }

    // MARK: loops

    @inline(__always)
    static func unaryLoop<T: TensorScalar>(_ out: Tensor, _ a: Tensor, _: T.Type, _ f: (T) -> T) {
        let po = out.storage.pointer(T.self), pa = a.storage.pointer(T.self)
        StridedLoop.rows(shape: out.shape, strides: [out.strides, a.broadcastStrides(to: out.shape)],
                         offsets: [out.offset, a.offset]) { o, n, s in
            let qo = po + o[0], qa = pa + o[1]
            if s[0] == 1 && s[1] == 1 {
                for i in 0..<n { qo[i] = f(qa[i]) }
            } else {
                let so = s[0], sa = s[1]
                for i in 0..<n { qo[i * so] = f(qa[i * sa]) }
            }
        }
    }

    @inline(__always)
    static func binaryLoop<T: TensorScalar>(_ out: Tensor, _ a: Tensor, _ b: Tensor, _: T.Type, _ f: (T, T) -> T) {
        let po = out.storage.pointer(T.self), pa = a.storage.pointer(T.self), pb = b.storage.pointer(T.self)
        StridedLoop.rows(shape: out.shape,
                         strides: [out.strides, a.broadcastStrides(to: out.shape), b.broadcastStrides(to: out.shape)],
                         offsets: [out.offset, a.offset, b.offset]) { o, n, s in
            let qo = po + o[0], qa = pa + o[1], qb = pb + o[2]
            if s[0] == 1 && s[1] == 1 && s[2] == 1 {
                for i in 0..<n { qo[i] = f(qa[i], qb[i]) }
            } else if s[0] == 1 && s[1] == 1 && s[2] == 0 {
                let y = qb[0]
                for i in 0..<n { qo[i] = f(qa[i], y) }
            } else {
                let so = s[0], sa = s[1], sb = s[2]
                for i in 0..<n { qo[i * so] = f(qa[i * sa], qb[i * sb]) }
            }
        }
    }

    static func convertLoop<S: TensorScalar, D: TensorScalar>(_ out: Tensor, _ src: Tensor, _ srcStrides: [Int],
                                                              from: S.Type, to: D.Type) {
        let po = out.storage.pointer(D.self), ps = src.storage.pointer(S.self)
        StridedLoop.rows(shape: out.shape, strides: [out.strides, srcStrides], offsets: [out.offset, src.offset]) { o, n, s in
            for i in 0..<n { po[o[0] + i * s[0]] = D(Double(ps[o[1] + i * s[1]])) }
        }
    }
}
