/// Softmax and LogSoftmax over the columns of an (N x C) input, p = softmax(x).
/// R{p} = p ⊙ (R{x} - <p, R{x}>); R{log p} = R{x} - <p, R{x}>.
extension RowSoftmax: CurvatureLayer {
    func rForward(_ x: Tensor, _ rx: Tensor?, _ d: CurvatureDirection) throws -> (y: Tensor, ry: Tensor) {
        guard x.rank == 2 else { throw TensorError("hvp: \(description) expects a 2-D input, got shape \(shapeText(x.shape))") }
        let p = try x.softmax(dim: 1)
        let y = takeLog ? try x.logSoftmax(dim: 1) : p
        guard let rx else { return (y, try Tensor(zeros: x.shape)) }
        let centred = try Tensor.binary(.sub, rx, try RowSoftmax.rowSum(try Tensor.binary(.mul, p, rx)))
        return (y, takeLog ? centred : try Tensor.binary(.mul, p, centred))
    }

    func rBackward(_ s: CurvatureSaved, _ g: Tensor, _ rg: Tensor, _ d: CurvatureDirection) throws -> (g: Tensor, rg: Tensor) {
        let p = try s.x.softmax(dim: 1)
        let rp = s.rx == nil ? try Tensor(zeros: p.shape)
            : try Tensor.binary(.mul, p, try Tensor.binary(.sub, s.rx!, try RowSoftmax.rowSum(try Tensor.binary(.mul, p, s.rx!))))
        if takeLog {
            // g_in = g - p Σg;  R{g_in} = R{g} - R{p} Σg - p ΣR{g}.
            let sg = try RowSoftmax.rowSum(g), srg = try RowSoftmax.rowSum(rg)
            let gin = try Tensor.binary(.sub, g, try Tensor.binary(.mul, p, sg))
            let rgin = try Tensor.binary(.sub, try Tensor.binary(.sub, rg, try Tensor.binary(.mul, rp, sg)),
                                         try Tensor.binary(.mul, p, srg))
            return (gin, rgin)
        }
        // y = p: g_in = p (g - <g,p>);  R{g_in} = R{p}(g - <g,p>) + p (R{g} - <R{g},p> - <g,R{p}>).
        let gp = try RowSoftmax.rowSum(try Tensor.binary(.mul, g, p))
        let gin = try Tensor.binary(.mul, p, try Tensor.binary(.sub, g, gp))
        let inner = try Tensor.binary(.sub, try Tensor.binary(.sub, rg, try RowSoftmax.rowSum(try Tensor.binary(.mul, rg, p))),
                                      try RowSoftmax.rowSum(try Tensor.binary(.mul, g, rp)))
        let rgin = try Tensor.binary(.add, try Tensor.binary(.mul, rp, try Tensor.binary(.sub, g, gp)),
                                     try Tensor.binary(.mul, p, inner))
        return (gin, rgin)
    }

    /// Row sums as an (N x 1) column, for broadcasting against rows.
    static func rowSum(_ t: Tensor) throws -> Tensor {
        try t.reduce(.sum, dim: 1).values.view([t.shape[0], 1])
    }
}
