/// Built-in modules and losses as single tape nodes, through the backward each already has: a
/// loss written in Lua on a built-in network records a handful of nodes, not one per multiply.
extension Tape {
    /// Whether any of `tensors` is (the original of) a tensor the gradient is taken for.
    public func watchesAny(_ tensors: [Tensor]) -> Bool {
        tensors.contains { leafOf[ObjectIdentifier($0)] != nil }
    }

    /// m:forward(x). Gradients go to x when it is tracked and to each parameter of m that is part
    /// of the differentiated argument (passed as `m:parameters()` or one by one).
    public func forward(_ m: Module, _ x: Tensor) throws -> Tensor {
        let out = try m.forward(x).clone()  // the module reuses its output buffer
        let params = m.parameters
        let watched = params.indices.compactMap { k in leafOf[ObjectIdentifier(params[k])].map { (k, $0) } }
        return record(out, inputs: [x] + watched.map { $0.1 }, saving: [x] + params) { g in
            // The module's gradient buffers belong to the script (m:gradients()): kept aside and
            // restored, so a gradient taken here never adds into them.
            let buffers = m.gradients
            guard buffers.count == params.count else {
                throw TensorError("autograd: \(m.description) changed its parameters while the gradient was computed")
            }
            let kept = try buffers.map { try $0.clone() }
            defer { for (b, k) in zip(buffers, kept) { try? b.copy(from: k) } }
            m.zeroGrad()
            let gx = try m.backward(x, try g.converted(to: out.dtype).contiguous()).clone()
            return [gx] + (try watched.map { try buffers[$0.0].clone() })
        }
    }

    /// loss:forward(output, labels) as a 0-d tensor; its gradient is computed with the value
    /// (with the class weights of that moment).
    public func loss(_ loss: Loss, _ output: Tensor, labels: [Int]) throws -> Tensor {
        let grad = try Tensor(uninitialized: output.shape, dtype: output.dtype)
        let value = try loss.weightedLoss(output, labels: labels, gradient: grad)
        let out = try Tensor(shape: [], values: [value], dtype: output.dtype)
        return record(out, inputs: [output], saving: []) { g in
            [try Tensor.binary(.mul, grad, scalar: try g.item())]
        }
    }
}
