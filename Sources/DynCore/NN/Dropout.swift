/// Inverted dropout: in training mode each element is kept with probability 1 - p and scaled
/// by 1/(1 - p) (so the expected output is the input), else zeroed; in evaluation mode it is
/// the identity. The analysis uses the evaluation-mode behaviour (the identity).
///
/// Randomness: the mask of the k-th training-mode forward pass (k = 0, 1, ...) is drawn from a
/// generator seeded with (seed, k) only, never from the global generator, so a run is
/// reproducible from the seed, and a layer whose pass count `passes` is restored (nn.save /
/// nn.load and train.fit's checkpoints keep it) continues with the same masks.
public final class Dropout: Module {
    public let p: Double
    public let seed: UInt64
    /// Training-mode forward passes done so far (the next mask's index), held in a float64
    /// tensor (exact below 2^53) so that it is `runState`, saved like running statistics.
    private let passCount: Tensor
    public var passes: Int {
        get {
            // A damaged checkpoint could hold anything: read it as an integer in [0, 2^53].
            let v = passCount.pointer(Double.self)[0]
            return v >= 0 && v <= 0x1p53 ? Int(v) : 0
        }
        set { passCount.pointer(Double.self)[0] = Double(newValue) }
    }
    public override var runState: [Tensor] { [passCount] }

    /// mask[i] = 0 or 1/(1 - p) for the last training-mode forward; nil after an evaluation-mode one.
    private var mask: Tensor?
    private var output: Tensor?
    private var gradInput: Tensor?

    public init(p: Double, seed: UInt64) throws {
        guard p >= 0, p < 1 else { throw TensorError("Dropout: p must be in [0, 1), got \(NumberText.shortest(p))") }
        self.p = p
        self.seed = seed
        passCount = try Tensor(zeros: [1])
        super.init()
    }

    /// A seed for a layer built without one: the next value of the global generator, so that
    /// a script that seeds the global generator builds the same layers.
    public static func drawSeed() -> UInt64 { Generator.drawingFromGlobal { $0.next() } }

    public override var description: String { "Dropout(\(NumberText.shortest(p)))" }

    public override func convert(to dtype: DType) throws {
        mask = nil; output = nil; gradInput = nil; lastInput = nil
    }

    /// The generator of pass k: a splitmix of seed and k, independent of every other pass.
    static func generator(seed: UInt64, pass: Int) -> Generator {
        Generator(seed: seed ^ (UInt64(truncatingIfNeeded: pass) &* 0xD1B5_4A32_D192_ED03))
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        lastInput = x
        guard isTraining, p > 0 else { mask = nil; return x }
        var g = Dropout.generator(seed: seed, pass: passes)
        passes += 1
        let m = try Buffers.reuse(&mask, shape: x.shape, dtype: x.dtype)
        let keep = 1 / (1 - p)
        m.fillEach { g.uniform() < self.p ? 0 : keep }
        let y = try Buffers.reuse(&output, shape: x.shape, dtype: x.dtype)
        switch x.dtype {
        case .float64: try ElementLoops.zip(x, m, into: y, Double.self) { $0 * $1 }
        case .float32: try ElementLoops.zip(x, m, into: y, Float.self) { $0 * $1 }
        }
        return y
    }

    public override func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        // Running forward again would draw another mask: the gradient would not be the one of
        // the output the caller has.
        if isTraining && p > 0 && x !== lastInput {
            throw TensorError("\(description): backward needs the input of the most recent forward (in training mode another forward draws another mask)")
        }
        try ensureForward(x)
        guard gradOutput.shape == x.shape else {
            throw TensorError("\(description): backward: gradient of shape \(shapeText(gradOutput.shape)) does not match the input shape \(shapeText(x.shape))")
        }
        guard let m = mask, m.shape == x.shape else { return gradOutput }
        let g = try gradOutput.converted(to: m.dtype)
        let gx = try Buffers.reuse(&gradInput, shape: x.shape, dtype: m.dtype)
        switch m.dtype {
        case .float64: try ElementLoops.zip(g, m, into: gx, Double.self) { $0 * $1 }
        case .float32: try ElementLoops.zip(g, m, into: gx, Float.self) { $0 * $1 }
        }
        return gx
    }
}
