/// Layers whose curvature is the identity's: y = x, g_in = g. Dropout is one because the
/// analysis measures the evaluation-mode network.
protocol PassThroughCurvature: CurvatureLayer {}

extension PassThroughCurvature {
    func rForward(_ x: Tensor, _ rx: Tensor?, _ d: CurvatureDirection) throws -> (y: Tensor, ry: Tensor) {
        (x, try rx ?? Tensor(zeros: x.shape))
    }

    func rBackward(_ s: CurvatureSaved, _ g: Tensor, _ rg: Tensor, _ d: CurvatureDirection) throws -> (g: Tensor, rg: Tensor) { (g, rg) }
}

extension Identity: PassThroughCurvature {}
extension Dropout: PassThroughCurvature {}

/// The other linear, parameter-free layers: R{y} is the layer applied to R{x}, and R{g_in} the
/// layer's backward applied to R{g}.
extension Flatten: CurvatureLayer {
    func rForward(_ x: Tensor, _ rx: Tensor?, _ d: CurvatureDirection) throws -> (y: Tensor, ry: Tensor) {
        guard x.rank >= 2 else { throw TensorError("hvp: Flatten expects at least 2 dimensions, got shape \(shapeText(x.shape))") }
        let shape = [x.shape[0], x.count / max(x.shape[0], 1)]
        return (try ChannelSums.dense(x).view(shape), try rx.map { try ChannelSums.dense($0).view(shape) } ?? Tensor(zeros: shape))
    }

    func rBackward(_ s: CurvatureSaved, _ g: Tensor, _ rg: Tensor, _ d: CurvatureDirection) throws -> (g: Tensor, rg: Tensor) {
        (try ChannelSums.dense(g).view(s.x.shape), try ChannelSums.dense(rg).view(s.x.shape))
    }
}

extension GlobalAvgPool2d: CurvatureLayer {
    func rForward(_ x: Tensor, _ rx: Tensor?, _ d: CurvatureDirection) throws -> (y: Tensor, ry: Tensor) {
        let y = try GlobalAvgPool2d().forward(x).clone()
        return (y, try rx.map { try GlobalAvgPool2d().forward($0).clone() } ?? Tensor(zeros: y.shape))
    }

    func rBackward(_ s: CurvatureSaved, _ g: Tensor, _ rg: Tensor, _ d: CurvatureDirection) throws -> (g: Tensor, rg: Tensor) {
        (try GlobalAvgPool2d().backward(s.x, g).clone(), try GlobalAvgPool2d().backward(s.x, rg).clone())
    }
}
