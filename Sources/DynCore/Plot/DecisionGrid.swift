/// The class a model predicts over a regular grid of 2-D points: what a scatter plot paints
/// behind the data as decision regions.
public enum DecisionGrid {
    /// classes[j][i] (1-based) is the argmax of the model's output at the centre of cell (i, j),
    /// j counting rows from the bottom (y.0) and i columns from the left (x.0).
    public static func classes(of model: Module, x: (Double, Double), y: (Double, Double), resolution n: Int) throws -> [[Int]] {
        guard n >= 2 && n <= 2000 else { throw TensorError("regions: resolution must be between 2 and 2000, got \(n)") }
        guard x.1 > x.0, y.1 > y.0 else { throw TensorError("regions: empty range x = [\(x.0), \(x.1)], y = [\(y.0), \(y.1)]") }
        var points = [Double]()
        points.reserveCapacity(2 * n * n)
        for j in 0..<n {
            for i in 0..<n {
                points.append(x.0 + (Double(i) + 0.5) * (x.1 - x.0) / Double(n))
                points.append(y.0 + (Double(j) + 0.5) * (y.1 - y.0) / Double(n))
            }
        }
        let out = try model.forward(Tensor(shape: [n * n, 2], values: points))
        guard out.rank == 2, out.shape[0] == n * n else {
            throw TensorError("regions: the model must map N x 2 points to N x C outputs, got shape \(shapeText(out.shape))")
        }
        let (_, best) = try out.reduce(.max, dim: 1)
        return (0..<n).map { j in (0..<n).map { i in best[j * n + i] + 1 } }
    }
}
