import Linalg

/// Which update rule the trainer applies.
public enum OptimizerKind: String, Sendable, CaseIterable, Codable {
    case adam, sgd, rmsprop
}

/// Optimizer state over the five parameter arrays (U, V, b, W, c), in the order of
/// `RNNModel.parameterArrays`. Adam follows `torch.optim.Adam` (β = 0.9, 0.999, ε = 1e-8,
/// bias-corrected); SGD follows `torch.optim.SGD` (v ← μ v + g; θ ← θ − lr v); RMSprop
/// follows `torch.optim.RMSprop` with its defaults (s ← α s + (1 − α) g², α = 0.99;
/// θ ← θ − lr g / (√s + ε), ε = 1e-8; no momentum, not centred).
///
/// b stands for `model.biasMode.multiplicity` PyTorch parameters (bias_ih + bias_hh for
/// `.pair`). Each receives the same gradient db and, starting from zero optimizer state, takes
/// identical steps, so b moves by that many times the step of one bias: we apply the update
/// to b that many times (zero times for a bias-free model). With this, training follows
/// `nn.RNN` + `torch.optim` exactly (in exact arithmetic), not a one-bias variant.
public struct OptimizerState<T: LinalgScalar>: Sendable, Equatable {
    public let kind: OptimizerKind
    public var learningRate: Double
    public var momentum: Double
    public var beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
    /// Updates applied so far (Adam's t).
    public var step: Int = 0
    /// Adam: first moments; SGD: momentum buffers; RMSprop: running averages of g².
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

    /// Index of b in `parameterArrays`.
    public static var biasIndex: Int { 2 }

    /// Applies one update to `model` from `gradients`.
    public mutating func apply(_ gradients: RNNGradients<T>, to model: inout RNNModel<T>) {
        step += 1
        var params = model.parameterArrays
        let grads = gradients.arrays
        let biasCopies = model.biasMode.multiplicity
        for k in 0..<params.count {
            if k == OptimizerState.biasIndex && biasCopies == 0 { continue }  // no bias: b stays 0
            let before = params[k]
            update(&params[k], gradient: grads[k], slot: k)
            if k == OptimizerState.biasIndex && biasCopies > 1 {
                // bias_ih and bias_hh take the same step: b = bias_ih + bias_hh moves twice as far.
                let extra = T(biasCopies - 1)
                for i in 0..<params[k].count { params[k][i] += extra * (params[k][i] - before[i]) }
            }
        }
        model.setParameterArrays(params)
    }

    /// State for any list of parameter arrays of these sizes (a gated model's six), each a
    /// PyTorch parameter of its own.
    public init(kind: OptimizerKind, learningRate: Double, momentum: Double = 0, parameterCounts: [Int]) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        first = parameterCounts.map { [T](repeating: 0, count: $0) }
        second = kind == .adam ? first : first.map { _ in [] }
    }

    /// Applies one update to `parameters` (in the order the state was made for) from
    /// `gradients`: the same rule per array as `apply(_:to:)`, with no shared-bias copies.
    public mutating func apply(gradientArrays gradients: [[T]], to parameters: inout [[T]]) {
        precondition(gradients.count == first.count && parameters.count == first.count, "one gradient per parameter array")
        step += 1
        for k in 0..<parameters.count { update(&parameters[k], gradient: gradients[k], slot: k) }
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
        case .rmsprop:
            rmspropUpdate(&theta, gradient: g, squareAverage: &first[k], lr: learningRate, alpha: rmspropAlpha, epsilon: epsilon)
        }
    }

    /// RMSprop's smoothing constant α (PyTorch's default).
    public var rmspropAlpha: Double { 0.99 }
}

/// One `torch.optim.RMSprop` step (no momentum, not centred) on one parameter array:
/// s ← α s + (1 − α) g², θ ← θ − lr · g / (√s + ε).
@_specialize(where T == Float)
@_specialize(where T == Double)
func rmspropUpdate<T: LinalgScalar>(_ theta: inout [T], gradient g: [T], squareAverage s: inout [T],
                                    lr: Double, alpha: Double, epsilon: Double) {
    precondition(theta.count == g.count && g.count == s.count)
    let a = T(alpha), oneMinusA = T(1 - alpha), rate = T(lr), eps = T(epsilon)
    for i in 0..<theta.count {
        s[i] = a * s[i] + oneMinusA * g[i] * g[i]
        theta[i] -= rate * g[i] / (s[i].squareRoot() + eps)
    }
}

/// Scales the gradients so their global L2 norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_` does over nn.RNN's parameters (factor
/// maxNorm / (norm + 1e-6) when norm > maxNorm). db counts once for each PyTorch bias it
/// stands for (`biasMultiplicity`: twice for bias_ih and bias_hh, never for a bias-free
/// model). Returns the norm before clipping.
@discardableResult
public func clipGradientNorm<T>(_ g: inout RNNGradients<T>, maxNorm: Double, biasMultiplicity: Int = 2) -> Double {
    // A bias-free model has no bias parameter: its db is not a gradient of anything trained.
    if biasMultiplicity == 0 { for i in 0..<g.b.count { g.b[i] = 0 } }
    let norm = (g.arrays.map { sumOfSquares($0) }.reduce(0, +)
                + Double(max(biasMultiplicity - 1, 0)) * sumOfSquares(g.b)).squareRoot()
    if maxNorm > 0 && norm > maxNorm { g.scale(by: T(maxNorm / (norm + 1e-6))) }
    return norm
}

/// `clipGradientNorm` over any list of gradient arrays, each one PyTorch parameter
/// (`clip_grad_norm_`: factor maxNorm / (norm + 1e-6) when the global L2 norm exceeds maxNorm;
/// maxNorm 0 disables). Returns the norm before clipping.
@discardableResult
public func clipGradientNorm<T: LinalgScalar>(arrays g: inout [[T]], maxNorm: Double) -> Double {
    let norm = g.map { sumOfSquares($0) }.reduce(0, +).squareRoot()
    if maxNorm > 0 && norm > maxNorm {
        let factor = T(maxNorm / (norm + 1e-6))
        for k in g.indices { scale(&g[k], by: factor) }
    }
    return norm
}
