import Linalg

/// Which update rule the trainer applies.
public enum OptimizerKind: String, Sendable, CaseIterable, Codable {
    case adam, sgd
}

/// Optimizer state over the five parameter arrays (U, V, b, W, c), in the order of
/// `RNNModel.parameterArrays`. Adam follows `torch.optim.Adam` (β = 0.9, 0.999, ε = 1e-8,
/// bias-corrected); SGD follows `torch.optim.SGD` (v ← μ v + g; θ ← θ − lr v).
///
/// b stands for PyTorch's two parameters bias_ih + bias_hh. Both receive the same gradient
/// db and, starting from zero optimizer state, take identical steps, so b moves by twice the
/// step of one bias: we apply the update to b twice (`biasMultiplicity`). With this, training
/// follows `nn.RNN` + `torch.optim` exactly (in exact arithmetic), not a one-bias variant.
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

    /// Index of b in `parameterArrays`, and how many PyTorch parameters it stands for.
    public static var biasIndex: Int { 2 }
    public static var biasMultiplicity: Int { 2 }

    /// Applies one update to `model` from `gradients`.
    public mutating func apply(_ gradients: RNNGradients<T>, to model: inout RNNModel<T>) {
        step += 1
        var params = model.parameterArrays
        let grads = gradients.arrays
        for k in 0..<params.count {
            let before = params[k]
            update(&params[k], gradient: grads[k], slot: k)
            if k == OptimizerState.biasIndex {
                // bias_ih and bias_hh take the same step: b = bias_ih + bias_hh moves twice as far.
                let extra = T(OptimizerState.biasMultiplicity - 1)
                for i in 0..<params[k].count { params[k][i] += extra * (params[k][i] - before[i]) }
            }
        }
        model.setParameterArrays(params)
    }

    /// One parameter array's update; `slot` selects its optimizer state.
    private mutating func update(_ theta: inout [T], gradient g: [T], slot k: Int) {
        switch kind {
        case .adam:
            adamUpdate(&theta, gradient: g, m: &first[k], v: &second[k],
                       lr: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, step: step)
        case .sgd:
            if momentum != 0 {
                // torch: buf = μ·buf + g (the first step sets buf = g), θ −= lr·buf.
                if step == 1 { first[k] = g } else { scale(&first[k], by: T(momentum)); axpy(1, g, &first[k]) }
                axpy(T(-learningRate), first[k], &theta)
            } else {
                axpy(T(-learningRate), g, &theta)
            }
        }
    }
}

/// Scales the gradients so their global L2 norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_` does over nn.RNN's parameters (factor
/// maxNorm / (norm + 1e-6) when norm > maxNorm). db counts twice in the norm, once for
/// bias_ih and once for bias_hh. Returns the norm before clipping.
@discardableResult
public func clipGradientNorm<T>(_ g: inout RNNGradients<T>, maxNorm: Double) -> Double {
    let norm = (g.arrays.map { sumOfSquares($0) }.reduce(0, +)
                + Double(OptimizerState<T>.biasMultiplicity - 1) * sumOfSquares(g.b)).squareRoot()
    if maxNorm > 0 && norm > maxNorm { g.scale(by: T(maxNorm / (norm + 1e-6))) }
    return norm
}
