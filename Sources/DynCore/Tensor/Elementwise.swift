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
        case .relu: return x < 0 ? 0 : x  // NaN and -0 stay, as in the C kernels
        case .clamp(let lo, let hi): return Swift.min(Swift.max(x, T(lo)), T(hi))
        case .pow(let p): return T.pow(x, T(p))
        }
    }
}

extension Tensor {
    // MARK: out-of-place

    public func map(_ op: UnaryOp) throws -> Tensor {
        let out = try Tensor(uninitialized: shape, dtype: dtype)
        if isContiguous, case .neg = op {
            // Negation of a contiguous block: one loop without a closure call per element.
            switch dtype {
            case .float64: let o = out.pointer(Double.self), x = pointer(Double.self); for i in 0..<count { o[i] = -x[i] }
            case .float32: let o = out.pointer(Float.self), x = pointer(Float.self); for i in 0..<count { o[i] = -x[i] }
            }
            return out
        }
        Tensor.opLoop(op, out, self)
        return out
    }

    public static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard let shape = broadcastShape(a.shape, b.shape) else {
            throw TensorError("\(op.name): shapes \(shapeText(a.shape)) and \(shapeText(b.shape)) cannot be broadcast together")
        }
        let dtype = DType.promote(a.dtype, b.dtype)
        try checkedCount(shape, dtype, op.name)
        let out = try Tensor(uninitialized: shape, dtype: dtype)
        let ca = try a.converted(to: dtype), cb = try b.converted(to: dtype)
        if !contiguousLoop(op, out, ca, cb) { opLoop(op, out, ca, cb) }
        return out
    }

    /// out = a op b for + - * / when out, a and b are contiguous and each of a, b has out's shape
    /// or one element: one loop with the operation chosen once, the same IEEE operation per
    /// element as `opLoop` (same bits), without a closure call per element. False otherwise.
    static func contiguousLoop(_ op: BinaryOp, _ out: Tensor, _ a: Tensor, _ b: Tensor) -> Bool {
        let n = out.count
        guard a.isContiguous, b.isContiguous, a.dtype == out.dtype, b.dtype == out.dtype,
              a.count == n || a.count == 1, b.count == n || b.count == 1,
              a.count == 1 || a.shape == out.shape, b.count == 1 || b.shape == out.shape else { return false }
        switch op {
        case .add, .sub, .mul, .div: break
        default: return false
        }
        func run<T: TensorScalar>(_ o: UnsafeMutablePointer<T>, _ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>) {
            let sx = a.count == 1 ? 0 : 1, sy = b.count == 1 ? 0 : 1
            switch op {
            case .add: for i in 0..<n { o[i] = x[i * sx] + y[i * sy] }
            case .sub: for i in 0..<n { o[i] = x[i * sx] - y[i * sy] }
            case .mul: for i in 0..<n { o[i] = x[i * sx] * y[i * sy] }
            case .div: for i in 0..<n { o[i] = x[i * sx] / y[i * sy] }
            default: break
            }
        }
        switch out.dtype {
        case .float64: run(out.pointer(Double.self), a.pointer(Double.self), b.pointer(Double.self))
        case .float32: run(out.pointer(Float.self), a.pointer(Float.self), b.pointer(Float.self))
        }
        return true
    }

    /// `a op s` (or `s op a` when scalarFirst); the tensor's dtype is kept.
    public static func binary(_ op: BinaryOp, _ a: Tensor, scalar s: Double, scalarFirst: Bool = false) throws -> Tensor {
        let out = try Tensor(uninitialized: a.shape, dtype: a.dtype)
        let c = try Tensor(shape: [], values: [s], dtype: a.dtype)
        let (x, y) = scalarFirst ? (c, a) : (a, c)
        if !contiguousLoop(op, out, x, y) { opLoop(op, out, x, y) }
        return out
    }

    // MARK: in place

    public func apply(_ op: UnaryOp) {
        Tensor.opLoop(op, self, self)
    }

    /// self = self op other, with other broadcast to self's shape.
    public func apply(_ op: BinaryOp, _ other: Tensor) throws {
        Tensor.opLoop(op, self, self, try Tensor.readable(other, into: self, op.name))
    }

    public func apply(_ op: BinaryOp, scalar s: Double) throws {
        Tensor.opLoop(op, self, self, try Tensor(shape: [], values: [s], dtype: dtype))
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
        if src.shape == shape, src.storage !== storage, isContiguous, src.isContiguous {
            // Whole contiguous blocks of different storages (clone, contiguous): one memcpy.
            switch dtype {
            case .float64: pointer(Double.self).update(from: src.pointer(Double.self), count: count)
            case .float32: pointer(Float.self).update(from: src.pointer(Float.self), count: count)
            }
            return
        }
        let src = try Tensor.readable(src, into: self, "copy_")
        switch dtype {
        case .float64: Tensor.unaryLoop(self, src, Double.self) { $0 }
        case .float32: Tensor.unaryLoop(self, src, Float.self) { $0 }
        }
    }

    /// other, converted to target's dtype, broadcast to its shape, and copied first if it
    /// overlaps target's memory with another layout (an in-place update must read the old values).
    static func readable(_ other: Tensor, into target: Tensor, _ op: String) throws -> Tensor {
        var o = try other.converted(to: target.dtype)
        if o.storage === target.storage && !(o.offset == target.offset && o.shape == target.shape && o.strides == target.strides) {
            o = try o.clone()
        }
        return try o.broadcast(to: target.shape, op)
    }

    // MARK: loops
    //
    // The loops below are written once per element type rather than generically: an
    // unoptimized (debug) build does not specialize generic code, and a generic call per
    // element costs about ten times a concrete one. In release builds the closures are inlined
    // and the unit-stride branch vectorizes. The common arithmetic gets literal closures;
    // the rest goes through the op's generic `apply`.

    /// out = op(a), a broadcast to out's shape (same dtype).
    static func opLoop(_ op: UnaryOp, _ out: Tensor, _ a: Tensor) {
        switch (out.dtype, op) {
        case (.float64, .neg): unaryLoop(out, a, Double.self) { -$0 }
        case (.float64, _): unaryLoop(out, a, Double.self) { op.apply($0) }
        case (.float32, .neg): unaryLoop(out, a, Float.self) { -$0 }
        case (.float32, _): unaryLoop(out, a, Float.self) { op.apply($0) }
        }
    }

    /// out = a op b, a and b broadcast to out's shape (same dtype).
    static func opLoop(_ op: BinaryOp, _ out: Tensor, _ a: Tensor, _ b: Tensor) {
        switch (out.dtype, op) {
        case (.float64, .add): binaryLoop(out, a, b, Double.self) { $0 + $1 }
        case (.float64, .sub): binaryLoop(out, a, b, Double.self) { $0 - $1 }
        case (.float64, .mul): binaryLoop(out, a, b, Double.self) { $0 * $1 }
        case (.float64, .div): binaryLoop(out, a, b, Double.self) { $0 / $1 }
        case (.float64, _): binaryLoop(out, a, b, Double.self) { op.apply($0, $1) }
        case (.float32, .add): binaryLoop(out, a, b, Float.self) { $0 + $1 }
        case (.float32, .sub): binaryLoop(out, a, b, Float.self) { $0 - $1 }
        case (.float32, .mul): binaryLoop(out, a, b, Float.self) { $0 * $1 }
        case (.float32, .div): binaryLoop(out, a, b, Float.self) { $0 / $1 }
        case (.float32, _): binaryLoop(out, a, b, Float.self) { op.apply($0, $1) }
        }
    }

    @inline(__always)
    static func unaryLoop(_ out: Tensor, _ a: Tensor, _: Double.Type, _ f: (Double) -> Double) {
        let po = out.storage.pointer(Double.self), pa = a.storage.pointer(Double.self)
        StridedLoop.rows(shape: out.shape, out.strides, out.offset, a.broadcastStrides(to: out.shape), a.offset) { o, oa, n, so, sa in
            var i = 0
            if so == 1 && sa == 1 {
                while i < n { po[o + i] = f(pa[oa + i]); i += 1 }
            } else {
                while i < n { po[o + i * so] = f(pa[oa + i * sa]); i += 1 }
            }
        }
    }

    @inline(__always)
    static func unaryLoop(_ out: Tensor, _ a: Tensor, _: Float.Type, _ f: (Float) -> Float) {
        let po = out.storage.pointer(Float.self), pa = a.storage.pointer(Float.self)
        StridedLoop.rows(shape: out.shape, out.strides, out.offset, a.broadcastStrides(to: out.shape), a.offset) { o, oa, n, so, sa in
            var i = 0
            if so == 1 && sa == 1 {
                while i < n { po[o + i] = f(pa[oa + i]); i += 1 }
            } else {
                while i < n { po[o + i * so] = f(pa[oa + i * sa]); i += 1 }
            }
        }
    }

    @inline(__always)
    static func binaryLoop(_ out: Tensor, _ a: Tensor, _ b: Tensor, _: Double.Type, _ f: (Double, Double) -> Double) {
        let po = out.storage.pointer(Double.self), pa = a.storage.pointer(Double.self), pb = b.storage.pointer(Double.self)
        StridedLoop.rows(shape: out.shape, out.strides, out.offset, a.broadcastStrides(to: out.shape), a.offset,
                         b.broadcastStrides(to: out.shape), b.offset) { o, oa, ob, n, so, sa, sb in
            var i = 0
            if so == 1 && sa == 1 && sb == 1 {
                while i < n { po[o + i] = f(pa[oa + i], pb[ob + i]); i += 1 }
            } else if so == 1 && sa == 1 && sb == 0 {
                let y = pb[ob]
                while i < n { po[o + i] = f(pa[oa + i], y); i += 1 }
            } else {
                while i < n { po[o + i * so] = f(pa[oa + i * sa], pb[ob + i * sb]); i += 1 }
            }
        }
    }

    @inline(__always)
    static func binaryLoop(_ out: Tensor, _ a: Tensor, _ b: Tensor, _: Float.Type, _ f: (Float, Float) -> Float) {
        let po = out.storage.pointer(Float.self), pa = a.storage.pointer(Float.self), pb = b.storage.pointer(Float.self)
        StridedLoop.rows(shape: out.shape, out.strides, out.offset, a.broadcastStrides(to: out.shape), a.offset,
                         b.broadcastStrides(to: out.shape), b.offset) { o, oa, ob, n, so, sa, sb in
            var i = 0
            if so == 1 && sa == 1 && sb == 1 {
                while i < n { po[o + i] = f(pa[oa + i], pb[ob + i]); i += 1 }
            } else if so == 1 && sa == 1 && sb == 0 {
                let y = pb[ob]
                while i < n { po[o + i] = f(pa[oa + i], y); i += 1 }
            } else {
                while i < n { po[o + i * so] = f(pa[oa + i * sa], pb[ob + i * sb]); i += 1 }
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
