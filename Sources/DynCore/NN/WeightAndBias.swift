/// The weight and optional bias of a layer (Linear, Conv2d) with their gradient buffers, and
/// what such layers share: the parameter order (weight, then bias), the walks over them that
/// allocate nothing (the training loop's per-step zeroing), the Lua field names and the dtype
/// conversion.
public struct WeightAndBias {
    public private(set) var weight: Tensor
    public private(set) var bias: Tensor?
    public private(set) var gradWeight: Tensor
    public private(set) var gradBias: Tensor?

    /// Holds weight and bias as given (bias converted to the weight's dtype), with zero gradients.
    init(weight: Tensor, bias: Tensor?) throws {
        self.weight = weight
        self.bias = try bias.map { $0.dtype == weight.dtype ? $0 : try $0.converted(to: weight.dtype) }
        gradWeight = try Tensor(zeros: weight.shape, dtype: weight.dtype)
        gradBias = try bias.map { try Tensor(zeros: $0.shape, dtype: weight.dtype) }
    }

    var parameters: [Tensor] { bias.map { [weight, $0] } ?? [weight] }
    var gradients: [Tensor] { gradBias.map { [gradWeight, $0] } ?? [gradWeight] }

    func forEachParameter(_ body: (Tensor) -> Void) {
        body(weight)
        if let bias { body(bias) }
    }

    func forEachGradient(_ body: (Tensor) -> Void) {
        body(gradWeight)
        if let gradBias { body(gradBias) }
    }

    func field(_ name: String) -> Tensor? {
        Module.weightAndBiasField(name, weight: weight, bias: bias, gradWeight: gradWeight, gradBias: gradBias)
    }

    /// Converts all four tensors; returns false (and changes nothing) when already of dtype.
    mutating func convert(to dtype: DType) throws -> Bool {
        guard dtype != weight.dtype else { return false }
        weight = try weight.converted(to: dtype)
        bias = try bias?.converted(to: dtype)
        gradWeight = try gradWeight.converted(to: dtype)
        gradBias = try gradBias?.converted(to: dtype)
        return true
    }
}
