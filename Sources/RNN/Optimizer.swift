import Linalg

/// Which update rule the trainer applies.
public enum OptimizerKind: String, Sendable, CaseIterable, Codable {
    case adam, sgd
}

/// Optimizer state over the five parameter arrays (U, V, b, W, c), in the order of
/// `RNNModel.parameterArrays`. Adam follows `torch.optim.Adam` (β = 0.9, 0.999, ε = 1e-8,
/// bias-corrected); SGD follows `torch.optim.SGD` (v ← μ v + g; θ ← θ − lr v).
public struct OptimizerState<T: LinalgScalar>: Sendable, Equatable {
    public let kind: OptimizerKind
    public var learningRate: Double
    public var momentum: Double
    public var beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
    /// Updates applied so far (Adam's t).
    public var step: Int = 0
    /// Adam: first moments; SGD: momentum buffers.
    public var first: [[T]]
    /// Adam: second moments; SGD: unused (empty arrays).
    public var second: [[T]]

    public init(kind: OptimizerKind, learningRate: Double, momentum: Double = 0, shapesOf model: RNNModel<T>) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        first = model.parameterArrays.map { [T](repeating: 0, count: $0.count) }
        second = kind == .adam ? first : first.map { _ in [] }
    }

    /// Applies one update to `model` from `gradients`.
    public mutating func apply(_ gradients: RNNGradients<T>, to model: inout RNNModel<T>) {
        step += 1
        var params = model.parameterArrays
        let grads = gradients.arrays
        for k in 0..<params.count {
            switch kind {
            case .adam:
                adamUpdate(&params[k], gradient: grads[k], m: &first[k], v: &second[k],
                           lr: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, step: step)
            case .sgd:
                if momentum != 0 {
                    // torch: buf = μ·buf + g (the first step sets buf = g), θ −= lr·buf.
                    if step == 1 { first[k] = grads[k] } else {
                        scale(&first[k], by: T(momentum)); axpy(1, grads[k], &first[k])
                    }
                    axpy(T(-learningRate), first[k], &params[k])
                } else {
                    axpy(T(-learningRate), grads[k], &params[k])
                }
            }
        }
        model.setParameterArrays(params)
    }
}

/// Scales the gradients so their global L2 norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_` does (factor maxNorm / (norm + 1e-6) when norm > maxNorm).
/// Returns the norm before clipping.
@discardableResult
public func clipGradientNorm<T>(_ g: inout RNNGradients<T>, maxNorm: Double) -> Double {
    let norm = g.norm
    if maxNorm > 0 && norm > maxNorm { g.scale(by: T(maxNorm / (norm + 1e-6))) }
    return norm
}
