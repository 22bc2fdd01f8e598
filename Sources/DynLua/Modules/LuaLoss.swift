import CLua
import CLuaShim
import DynCore

/// The Lua side of `nn.Loss(fn [, {name =}])`: the closure a `CustomLoss` calls. It calls
/// `fn(output, labels, weights)` through `LuaCallback` (lua_pcall) with the script's 1-based
/// labels as a float64 tensor and the C class weights as a tensor (ones when none are set).
/// With a gradient wanted, fn runs on a tape of its own, with `output` tracked, and the tape is
/// pulled back once; otherwise it runs plain. Either way the tape recording around the call
/// (an outer `autograd.grad`) is set aside and restored, so the two never mix.
final class LuaLossFunction {
    let callback: LuaCallback

    init(_ callback: LuaCallback) { self.callback = callback }

    var name: String { callback.name }

    /// The labels tensor of the last call, reused while it still holds the same labels (the
    /// two calls of one evaluation, the steps of full-batch training); fn may have changed it.
    private var lastLabels: Tensor?

    private func labelsTensor(_ labels: [Int]) throws -> Tensor {
        if let y = lastLabels, y.count == labels.count {
            let py = y.pointer(Double.self)
            var same = true
            for (k, label) in labels.enumerated() where py[k] != Double(label + 1) { same = false; break }
            if same { return y }
        }
        let y = try Tensor(uninitialized: [labels.count])
        let py = y.pointer(Double.self)
        for (k, label) in labels.enumerated() { py[k] = Double(label + 1) }
        lastLabels = y
        return y
    }

    func compute(_ output: Tensor, _ labels: [Int], _ weights: [Double]?, _ gradient: Tensor?) throws -> Double {
        let y = try labelsTensor(labels)
        let classes = output.shape[1]
        let w = try Tensor(filled: 1, shape: [classes])
        if let weights {
            let pw = w.pointer(Double.self)
            for k in 0..<min(classes, weights.count) { pw[k] = weights[k] }
        }
        let outer = Tape.recording
        defer { Tape.recording = outer }
        guard let gradient else {
            Tape.recording = nil
            return try call(output, y, w) { lua in
                if let v = lua.number(-1), lua.isNumber(-1) { return v }
                return try scalar(lua).item()
            }
        }
        let tape = Tape()
        let leaf = tape.watch(output)
        Tape.recording = tape
        let result = try call(leaf, y, w) { lua -> Tensor in
            if lua.isNumber(-1) {
                throw LuaFailure.message("\(name): the loss function returned a plain number, which the gradient cannot follow; return the tensor instead (inside the function a full reduction such as x:sum() is a 0-d tensor; :item(), :get() and math.* leave the gradient path)")
            }
            return try scalar(lua)
        }
        Tape.recording = outer
        let g = try tape.gradients(of: result, leaves: [leaf])[0]
        try gradient.copy(from: g)
        return try result.item()
    }

    /// The one-element tensor fn returned (at the stack top).
    private func scalar(_ lua: Lua) throws -> Tensor {
        guard let t = lua.tensor(-1) else {
            throw LuaFailure.message("\(name): the loss function must return a scalar (a number or a one-element tensor), got a \(lua.typeName(-1))")
        }
        guard t.count == 1 else {
            throw LuaFailure.message("\(name): the loss function must return a scalar, got a tensor of shape \(shapeText(t.shape)) (reduce it, e.g. with :mean() or :sum())")
        }
        return t
    }

    private func call<R>(_ output: Tensor, _ labels: Tensor, _ weights: Tensor, read: (Lua) throws -> R) throws -> R {
        do {
            return try callback.call(results: 1, pushArguments: { lua in
                lua.push(output); lua.push(labels); lua.push(weights); return 3
            }, read: read)
        } catch let e as LuaCallbackError {
            throw LuaCallbackError(message: "\(name): error in the loss function: \(e.message)")
        }
    }
}

extension NNModule {
    /// nn.Loss(fn [, {name = "..."}]).
    static let lossFunction: LuaBody = { guarded($0) { lua in
        guard lua.isFunction(1) else { throw lua.typeError(1, expected: "function") }
        let opts = try Options(lua, 2, function: "nn.Loss", allowed: ["name"])
        let name = try opts.string("name") ?? "Loss"
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else {
            throw LuaFailure.message("nn.Loss: option 'name' must be 1 to 64 letters, digits, '_' or '.', got '\(name.prefix(64))'")
        }
        let function = LuaLossFunction(LuaCallback(lua, function: 1, name: "\(name) (nn.Loss)"))
        lua.push(try CustomLoss(name: name, compute: function.compute)); return 1
    } }
}
