import CKernels

/// The training step of the paper's network shape, x -> Linear(k -> h) -> ReLU -> Linear(h -> m)
/// with CrossEntropyLoss in float64, k and m at most 8 and h above 8 (Fig. 4: 2 -> 100 -> 3), as
/// one pass of CKernels' `dyn_mlp2_step` over slices of rows: forward, loss, gradient of the logits and
/// backward for a slice run while its hidden activations are still in the L1 cache.
///
/// It does the same arithmetic in the same order as `model.forward`, `loss.evaluate` and
/// `model.accumulateParameterGradients`, so train.fit gives the same bits as a loop written in
/// Lua (FusedMLPStepTests). The modules' saved forward state is cleared (their next backward runs
/// forward first), since this step does not write it.
final class FusedMLPStep {
    private let model: Sequential
    private let first: Linear, relu: ElementwiseActivation, last: Linear
    private let loss: CrossEntropyLoss
    private var work: Tensor?
    /// The logits of the last step (N x m).
    private(set) var logits: Tensor?

    /// nil unless model and loss have the shape above and the labels (checked against
    /// `classes`) are all valid rows of the logits.
    init?(model: Module, loss: Loss, classes: Int) {
        guard let seq = model as? Sequential, seq.modules.count == 3,
              let first = seq.modules[0] as? Linear, let relu = seq.modules[1] as? ElementwiseActivation,
              let last = seq.modules[2] as? Linear, relu.kind == .relu,
              let ce = loss as? CrossEntropyLoss, type(of: loss) == CrossEntropyLoss.self,
              first.inputSize <= SkinnyKernels.small, last.outputSize <= SkinnyKernels.small,
              first.outputSize == last.inputSize, first.outputSize > SkinnyKernels.small,
              classes == last.outputSize
        else { return nil }
        self.model = seq; self.first = first; self.relu = relu; self.last = last; self.loss = ce
    }

    /// Whether the step applies to batch x now (a callback may have changed the model, its
    /// dtype or the loss's weights since the last step); otherwise the caller runs the modules.
    func applies(to x: Tensor) -> Bool {
        model.modules.count == 3 && x.rank == 2 && x.shape[0] >= 1 && x.shape[1] == first.inputSize
            && (x.strides[1] == 1 || x.shape[1] == 1) && x.dtype == .float64
            && first.weight.dtype == .float64 && last.weight.dtype == .float64
            && (loss.weights?.count ?? last.outputSize) == last.outputSize
    }

    /// Runs the step on x (checked by `applies`) and labels (0-based, below `classes`, checked by
    /// the caller: the kernel indexes the logits with them):
    /// adds the parameter gradients into the modules' gradients and returns the loss values.
    func run(_ x: Tensor, labels: [Int]) throws -> LossEvaluation {
        let n = x.shape[0], k = first.inputSize, h = first.outputSize, m = last.outputSize
        let out = try Buffers.reuse(&logits, rows: n, cols: m, dtype: .float64)
        let scratch = try Buffers.reuse(&work, rows: 1, cols: dyn_mlp2_work_size(k, h, m), dtype: .float64)
        let ldx = n <= 1 ? k : x.strides[0]
        let sums = labels.withUnsafeBufferPointer { y in
            withOptionalPointer(loss.weights) { w in
                dyn_mlp2_step_f64(n, k, h, m, x.pointer(Double.self), ldx,
                                  first.weight.pointer(Double.self), first.bias?.pointer(Double.self),
                                  last.weight.pointer(Double.self), last.bias?.pointer(Double.self),
                                  y.baseAddress!, w, out.pointer(Double.self),
                                  first.gradWeight.pointer(Double.self), first.gradBias?.pointer(Double.self),
                                  last.gradWeight.pointer(Double.self), last.gradBias?.pointer(Double.self),
                                  scratch.pointer(Double.self))
            }
        }
        model.lastInput = nil; first.lastInput = nil; relu.lastInput = nil; last.lastInput = nil
        return LossEvaluation(sums, rows: n)
    }
}

/// Calls body with a pointer to the array's elements, or nil for a nil array.
private func withOptionalPointer<R>(_ values: [Double]?, _ body: (UnsafePointer<Double>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress) }
}
