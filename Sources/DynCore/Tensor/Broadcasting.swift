/// numpy's broadcasting rule: shapes are aligned from the right; two sizes agree when equal or
/// when one of them is 1.
extension Tensor {
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let r = max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let x = i < r - a.count ? 1 : a[i - (r - a.count)]
            let y = i < r - b.count ? 1 : b[i - (r - b.count)]
            if x == y || y == 1 { out[i] = x } else if x == 1 { out[i] = y } else { return nil }
        }
        return out
    }

    /// Strides that read self as if it had `target` shape (0 along broadcast dimensions).
    /// The caller has checked that self broadcasts to target.
    public func broadcastStrides(to target: [Int]) -> [Int] {
        if target == shape { return strides }
        let lead = target.count - rank
        var out = [Int](repeating: 0, count: target.count)
        var i = lead
        while i < target.count {
            let d = i - lead
            out[i] = shape[d] == 1 && target[i] != 1 ? 0 : strides[d]
            i += 1
        }
        return out
    }

    public func broadcast(to target: [Int], _ op: String) throws -> Tensor {
        guard let s = Tensor.broadcastShape(shape, target), s == target else {
            throw TensorError("\(op): shape \(shapeText(shape)) cannot be broadcast to \(shapeText(target))")
        }
        return Tensor(storage: storage, shape: target, strides: broadcastStrides(to: target), offset: offset)
    }
}
