/// Children applied one after another. Forward remembers the input each child saw; backward
/// runs the children in reverse with those inputs, so each child's saved state matches.
public final class Sequential: Module {
    public private(set) var modules: [Module]
    /// inputs[k] is what modules[k] received in the last forward.
    private var inputs: [Tensor] = []

    public init(_ modules: [Module] = []) throws {
        self.modules = []
        super.init()
        for m in modules { try add(m) }
    }

    /// Appends m. A module may appear only once in a tree (its buffers hold one forward's state)
    /// and never inside itself.
    public func add(_ m: Module) throws {
        if m.contains(self) {
            throw TensorError("Sequential.add: a container cannot be added to itself or to one of its own children")
        }
        for node in m.allModules() where contains(node) {
            throw TensorError("Sequential.add: \(node.description) is already part of this Sequential (a module may appear only once)")
        }
        modules.append(m)
        inputs.removeAll(keepingCapacity: true)
        lastInput = nil
    }

    public override var children: [Module] { modules }

    public override var description: String {
        if modules.isEmpty { return "Sequential()" }
        var s = "Sequential(\n"
        for (k, m) in modules.enumerated() {
            let lines = m.description.split(separator: "\n", omittingEmptySubsequences: false)
            s += "  (\(k + 1)): " + lines.joined(separator: "\n  ") + "\n"
        }
        return s + ")"
    }

    public override var parameters: [Tensor] { modules.flatMap { $0.parameters } }
    public override var gradients: [Tensor] { modules.flatMap { $0.gradients } }
    public override var runState: [Tensor] { modules.flatMap { $0.runState } }
    public override func forEachParameter(_ body: (Tensor) -> Void) { for m in modules { m.forEachParameter(body) } }
    public override func forEachGradient(_ body: (Tensor) -> Void) { for m in modules { m.forEachGradient(body) } }

    public override func setTraining(_ on: Bool) {
        isTraining = on
        for m in modules { m.setTraining(on) }
    }

    public override func convert(to dtype: DType) throws {
        for m in modules { try m.convert(to: dtype) }
        inputs.removeAll(keepingCapacity: true)
        lastInput = nil
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        inputs.removeAll(keepingCapacity: true)
        lastInput = nil
        var h = x, k = 0
        while k < modules.count {
            inputs.append(h)
            // A Linear -> ReLU pair runs as one fused pass (same bits); the ReLU's recorded
            // input is its own output (see Linear.forwardThroughReLU).
            if k + 1 < modules.count, let linear = modules[k] as? Linear,
               let relu = modules[k + 1] as? ElementwiseActivation,
               let y = try linear.forwardThroughReLU(h, relu: relu) {
                inputs.append(y)
                h = y
                k += 2
                continue
            }
            h = try modules[k].forward(h)
            k += 1
        }
        lastInput = x
        return h
    }

    public override func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        try ensureForward(x)
        var g = gradOutput, k = modules.count - 1
        while k >= 0 { (g, k) = try backwardStep(k, g) }
        return g
    }

    /// Backward through modules[k], or through a ReLU -> Linear pair ending at k in one fused
    /// pass (same bits); returns the gradient and the next module to go through.
    private func backwardStep(_ k: Int, _ g: Tensor) throws -> (Tensor, Int) {
        if k >= 1, let linear = modules[k] as? Linear, let relu = modules[k - 1] as? ElementwiseActivation,
           relu.lastInput === inputs[k - 1], let gx = try linear.backwardThroughReLU(inputs[k], g, relu: relu) {
            return (gx, k - 2)
        }
        return (try modules[k].backward(inputs[k], g), k - 1)
    }

    /// Backward through all children but the first, which only accumulates its parameter
    /// gradients (the model's input gradient is not wanted).
    public override func accumulateParameterGradients(_ x: Tensor, _ gradOutput: Tensor) throws {
        try ensureForward(x)
        guard !modules.isEmpty else { return }
        var g = gradOutput, k = modules.count - 1
        while k >= 1 { (g, k) = try backwardStep(k, g) }
        if k == 0 { try modules[0].accumulateParameterGradients(inputs[0], g) }
    }
}

extension Module {
    /// This module and all modules below it, depth first.
    func allModules() -> [Module] { [self] + children.flatMap { $0.allModules() } }

    /// Whether m is this module or below it.
    func contains(_ m: Module) -> Bool { self === m || children.contains { $0.contains(m) } }
}
