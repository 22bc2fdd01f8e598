/// Reverse-mode automatic differentiation: while a function runs under `autograd.grad`, every
/// operation that reads a tracked tensor records a node (its inputs and the backward of that one
/// operation) on the active tape; the tensor kernels know nothing of it. A tensor is tracked when
/// the tape holds a node for that very object, so the same tensor type serves both worlds and code
/// run without a tape pays one nil check per operation.
public final class Tape {
    /// The tape recording now (one at a time: `autograd.grad` refuses to nest).
    nonisolated(unsafe) public static var recording: Tape?

    final class Node {
        let index: Int
        let inputs: [Node?]
        let inputShapes: [[Int]]
        /// The gradients of the inputs (nil: none) from the gradient of the output.
        let backward: (Tensor) throws -> [Tensor?]
        var grad: Tensor?
        init(index: Int, inputs: [Node?], inputShapes: [[Int]], backward: @escaping (Tensor) throws -> [Tensor?]) {
            self.index = index; self.inputs = inputs; self.inputShapes = inputShapes; self.backward = backward
        }
    }

    private var nodes: [Node] = []
    private var nodeOf: [ObjectIdentifier: Node] = [:]
    /// Keeps every tracked tensor alive, so that no other tensor can take its identity.
    private var tracked: [Tensor] = []
    /// Storages the backward pass reads (of tracked and saved tensors): in-place updates refuse them.
    private var needed: Set<ObjectIdentifier> = []
    private var neededStorages: [Storage] = []
    /// The leaf made by `watch` for each original tensor (modules hold the originals).
    var leafOf: [ObjectIdentifier: Tensor] = [:]
    private var originals: [Tensor] = []

    public init() {
        // Room for a loss or layer written in Lua (a dozen operations) without regrowing.
        nodes.reserveCapacity(32)
        nodeOf.reserveCapacity(32)
        tracked.reserveCapacity(32)
        needed.reserveCapacity(48)
        neededStorages.reserveCapacity(48)
    }

    public func isTracked(_ t: Tensor) -> Bool { nodeOf[ObjectIdentifier(t)] != nil }

    /// A new tracked tensor sharing t's memory: the variable gradients are taken with respect to.
    public func watch(_ t: Tensor) -> Tensor {
        let leaf = record(t, inputs: [], saving: []) { _ in [] }
        if leafOf[ObjectIdentifier(t)] == nil {
            leafOf[ObjectIdentifier(t)] = leaf
            originals.append(t)  // kept alive, so that its identity stays its own
        }
        return leaf
    }

    /// Records `out` as computed from `inputs`; `saving` are the tensors `backward` reads. Returns
    /// the tensor to hand out (an alias when `out` is already tracked, as `t()` of a vector is).
    @discardableResult
    func record(_ out: Tensor, inputs: [Tensor], saving: [Tensor],
                _ backward: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        let result = isTracked(out) ? Tensor(storage: out.storage, shape: out.shape, strides: out.strides, offset: out.offset) : out
        let node = Node(index: nodes.count, inputs: inputs.map { nodeOf[ObjectIdentifier($0)] },
                        inputShapes: inputs.map { $0.shape }, backward: backward)
        nodes.append(node)
        nodeOf[ObjectIdentifier(result)] = node
        tracked.append(result)
        need(result)
        for t in inputs { need(t) }
        for t in saving { need(t) }
        return result
    }

    private func need(_ t: Tensor) {
        if needed.insert(ObjectIdentifier(t.storage)).inserted { neededStorages.append(t.storage) }
    }

    /// Records an operation without a gradient (comparisons, argmax): its result is tracked so that
    /// a gradient reaching it is an error naming it, rather than a silent zero.
    public func recordWithoutGradient(_ out: Tensor, op: String) -> Tensor {
        record(out, inputs: [], saving: []) { _ in
            throw TensorError("autograd: \(op) has no gradient, but the result depends on it through arithmetic; use it as a mask (tensor.where, t:masked) or detach the value with t:clone() outside the function")
        }
    }

    /// Throws when an in-place update of `t` would change a value the backward pass reads.
    public static func checkInPlace(_ t: Tensor, _ op: String) throws {
        guard let tape = recording, tape.needed.contains(ObjectIdentifier(t.storage)) else { return }
        throw TensorError("\(op): in-place update of a tensor the gradient computation still needs (it is, or shares memory with, a tensor recorded by autograd.grad); compute a new tensor instead, e.g. x = x + y")
    }

    /// The gradients of the scalar `output` with respect to each of `leaves` (tensors made by
    /// `watch`): zeros for a leaf the output does not depend on.
    public func gradients(of output: Tensor, leaves: [Tensor]) throws -> [Tensor] {
        guard output.count == 1 else {
            throw TensorError("autograd: the result must be a scalar, got a tensor of shape \(shapeText(output.shape))")
        }
        return try pullback(output, seed: try Tensor(filled: 1, shape: output.shape, dtype: output.dtype), leaves: leaves)
    }

    /// The vector-Jacobian product: the gradients of sum(seed * output) with respect to each of
    /// `leaves` (a custom layer's backward). Once per tape: intermediate gradients are consumed.
    public func pullback(_ output: Tensor, seed: Tensor, leaves: [Tensor]) throws -> [Tensor] {
        guard seed.shape == output.shape else {
            throw TensorError("autograd: gradient of shape \(shapeText(seed.shape)) for a result of shape \(shapeText(output.shape))")
        }
        if let root = nodeOf[ObjectIdentifier(output)] {
            root.grad = seed.dtype == output.dtype ? seed : try seed.converted(to: output.dtype)
            for node in nodes.reversed() where node.index <= root.index {
                guard let g = node.grad else { continue }
                let grads = try node.backward(g)
                for (k, (input, grad)) in zip(node.inputs, grads).enumerated() {
                    guard let input, let grad else { continue }
                    guard grad.shape == node.inputShapes[k] else {
                        throw TensorError("autograd: internal error: gradient of shape \(shapeText(grad.shape)) for an input of shape \(shapeText(node.inputShapes[k]))")
                    }
                    input.grad = try input.grad.map { try Tensor.binary(.add, $0, grad) } ?? grad
                }
                // Intermediate gradients are dropped once passed on; leaves keep theirs.
                if !node.inputs.isEmpty { node.grad = nil }
            }
        }
        return try leaves.map { leaf in
            let g = nodeOf[ObjectIdentifier(leaf)]?.grad
            // A fresh copy: gradients passed through unchanged may be one tensor shared by two leaves.
            return try (g.map { try $0.converted(to: leaf.dtype).clone() }) ?? Tensor(zeros: leaf.shape, dtype: leaf.dtype)
        }
    }
}
