/// y = x. Forward returns its input and backward its gradient, without copying.
public final class Identity: Module {
    public override init() { super.init() }

    public override func forward(_ x: Tensor) throws -> Tensor {
        lastInput = x
        return x
    }

    public override func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        guard gradOutput.shape == x.shape else {
            throw TensorError("Identity: backward: gradient of shape \(shapeText(gradOutput.shape)) does not match the input shape \(shapeText(x.shape))")
        }
        lastInput = x
        return gradOutput
    }
}
