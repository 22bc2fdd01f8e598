/// How Linear draws its initial weight matrix (n_in x n_out).
///
/// Draw order (so that `tensor.seed(s)` reproduces a model anywhere): a Linear layer draws its
/// weight first, element by element in row-major order (row i = input unit, column j = output
/// unit), then its bias, element by element. A normal value consumes two uniforms of the
/// generator (see `Generator`), a uniform value one. A Sequential's layers are created (and so
/// draw) in the order the script creates them. Bias: N(0, 0.01^2) per element.
public enum WeightInit {
    /// N(0, 2 / (n_in + n_out)) (Glorot/Xavier, not truncated).
    case glorotNormal
    /// N(0, 1 / n_in).
    case lecunNormal
    /// N(0, 2 / n_in) (He/Kaiming).
    case heNormal
    /// U(-1/sqrt(n_in), 1/sqrt(n_in)): (2u - 1) / sqrt(n_in) for a generator uniform u in [0, 1).
    case uniform
    /// Given values (shape n_in x n_out), copied; no draws for the weight.
    case values(Tensor)

    /// The names scripts use, in the order documentation lists them.
    public static let names = ["glorot_normal", "lecun_normal", "he_normal", "uniform"]

    public init?(name: String) {
        switch name {
        case "glorot_normal": self = .glorotNormal
        case "lecun_normal": self = .lecunNormal
        case "he_normal": self = .heNormal
        case "uniform": self = .uniform
        default: return nil
        }
    }

    /// The bias standard deviation for every scheme.
    public static let biasStd = 0.01

    /// A new float64 weight matrix drawn from g.
    func draw(_ nIn: Int, _ nOut: Int, _ g: inout Generator) throws -> Tensor {
        if case .values(let v) = self, v.shape != [nIn, nOut] {
            throw TensorError("Linear: initial weight must have shape \(shapeText([nIn, nOut])), got \(shapeText(v.shape))")
        }
        return try draw(shape: [nIn, nOut], fanIn: nIn, fanOut: nOut, &g)
    }

    /// A new float64 weight of any shape (a convolution's (out, in, kh, kw)) drawn element by
    /// element in row-major order, with the fans the scheme's variance uses.
    func draw(shape: [Int], fanIn nIn: Int, fanOut nOut: Int, _ g: inout Generator) throws -> Tensor {
        let w = try Tensor(uninitialized: shape)
        let fanIn = Double(nIn), fanOut = Double(nOut)
        switch self {
        case .glorotNormal:
            let s = (2 / (fanIn + fanOut)).squareRoot()
            w.fillEach { s * g.normal() }
        case .lecunNormal:
            let s = (1 / fanIn).squareRoot()
            w.fillEach { s * g.normal() }
        case .heNormal:
            let s = (2 / fanIn).squareRoot()
            w.fillEach { s * g.normal() }
        case .uniform:
            let a = 1 / fanIn.squareRoot()
            w.fillEach { (2 * g.uniform() - 1) * a }
        case .values(let v):
            guard v.shape == shape else {
                throw TensorError("initial weight must have shape \(shapeText(shape)), got \(shapeText(v.shape))")
            }
            try w.copy(from: v)
        }
        return w
    }
}
