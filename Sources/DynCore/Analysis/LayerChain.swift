/// A network that is a chain of Linear layers, each optionally followed by one element-wise
/// activation (nested Sequentials and Identity allowed): the shape of the paper's networks,
/// for which the analysis has fast, exact special cases.
struct LayerChain {
    var layers: [(linear: Linear, activation: ElementwiseActivation.Kind?)] = []

    /// nil when the model is not such a chain, or not float64.
    init?(_ model: Module) {
        func add(_ m: Module) -> Bool {
            switch m {
            case let s as Sequential: return s.children.allSatisfy(add)
            case let l as Linear: layers.append((l, nil)); return true
            case is Identity: return true
            case let a as ElementwiseActivation:
                guard let last = layers.last, last.activation == nil else { return false }
                layers[layers.count - 1].activation = a.kind
                return true
            default: return false
            }
        }
        guard add(model), !layers.isEmpty, layers.allSatisfy({ $0.linear.weight.dtype == .float64 }) else { return nil }
        for k in 1..<max(layers.count, 1) where layers[k].linear.inputSize != layers[k - 1].linear.outputSize { return nil }
    }

    /// f(z) and f'(z) of an activation (identity when nil), element-wise into h and d1.
    static func activate(_ kind: ElementwiseActivation.Kind?, _ z: UnsafePointer<Double>, _ h: UnsafeMutablePointer<Double>,
                         _ d1: UnsafeMutablePointer<Double>, _ count: Int) {
        switch kind {
        case nil: for i in 0..<count { h[i] = z[i]; d1[i] = 1 }
        case .relu?: for i in 0..<count { let v = z[i]; h[i] = v < 0 ? 0 : v; d1[i] = v > 0 ? 1 : 0 }  // NaN stays NaN, as nn.ReLU
        case .tanh?: for i in 0..<count { let t = Double.tanh(z[i]); h[i] = t; d1[i] = 1 - t * t }
        case .sigmoid?:
            for i in 0..<count {
                let v = z[i]
                let s = v >= 0 ? 1 / (1 + Double.exp(-v)) : Double.exp(v) / (1 + Double.exp(v))
                h[i] = s; d1[i] = s * (1 - s)
            }
        }
    }
}
