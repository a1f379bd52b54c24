import Linalg
import MNIST

/// How a model's weights were first drawn (each scheme is seeded).
public enum Initialization: String, Sendable, CaseIterable, Codable {
    /// U(−1/√H, 1/√H) for every weight and bias, as `nn.RNN` and `nn.Linear(H, 10)` do.
    /// b = bias_ih + bias_hh is the sum of two such draws.
    case pytorch
    /// Xavier-normal weights (std √(2/(fan_in+fan_out))), zero biases: the paper's setting.
    case xavierNormal = "xavier-normal"
    /// V Haar-orthogonal, U and W Xavier-normal, zero biases.
    case orthogonal
}

/// Which of PyTorch's recurrent-layer biases a model has. The forward pass uses their sum b.
public enum BiasMode: String, Sendable, CaseIterable, Codable {
    /// `nn.RNN(bias=True)`: bias_ih and bias_hh, both trained (b moves by twice one step).
    case pair
    /// One bias on the input side only (an `nn.Linear(I, H)` for U and a bias-free V, as the
    /// paper's permuted model): b = bias_ih.
    case input
    /// `bias=False`: b ≡ 0, never trained and not saved.
    case none

    /// How many PyTorch parameters b stands for (each takes the same step).
    public var multiplicity: Int {
        switch self {
        case .pair: return 2
        case .input: return 1
        case .none: return 0
        }
    }
}

/// Standard deviation multipliers of the Xavier-normal draws of V and U (PyTorch's `gain`).
public struct InitializationGains: Sendable, Equatable, Codable {
    public var recurrent: Double
    public var input: Double
    public init(recurrent: Double = 1, input: Double = 1) { self.recurrent = recurrent; self.input = input }
}

/// The affine map x' = (x − mean) / std applied to every pixel value of an MNIST image before
/// the network sees it (torchvision's `Normalize`). Sequences given as arrays (`--input`) are
/// taken as the network's input as they are.
public struct InputStandardization: Sendable, Equatable, Codable {
    public var mean: Double
    public var std: Double
    public init(mean: Double, std: Double) {
        precondition(mean.isFinite && std.isFinite && std > 0, "standardization needs a finite mean and a positive std")
        self.mean = mean; self.std = std
    }
    /// MNIST's training-set pixel mean and std (0.1307, 0.3081), as the paper's code uses.
    public static let mnist = InputStandardization(mean: 0.1307, std: 0.3081)

    /// x' for one pixel value, computed in Double and rounded once.
    @inlinable public func apply(_ x: Float) -> Float { Float((Double(x) - mean) / std) }
}

/// Facts about a model that travel in the safetensors `__metadata__`.
public struct ModelMetadata: Sendable, Equatable {
    public var initialization: String
    public var seed: UInt64
    public var epochsTrained: Double
    public var testAccuracy: Double?
    /// Anything else found in the file's metadata (kept when the model is re-saved).
    public var extra: [String: String]

    public init(initialization: String = "unknown", seed: UInt64 = 0, epochsTrained: Double = 0,
                testAccuracy: Double? = nil, extra: [String: String] = [:]) {
        self.initialization = initialization
        self.seed = seed
        self.epochsTrained = epochsTrained
        self.testAccuracy = testAccuracy
        self.extra = extra
    }
}

/// A vanilla (Elman) RNN of L ≥ 1 stacked layers with a linear readout of C classes:
///
///     a^k_t = V_k h^k_{t−1} + U_k x^k_t + b_k,   h^k_t = φ(a^k_t),   o_t = W h^L_t + c,
///
/// with x^1_t = x_t and x^k_t = h^{k−1}_t, φ = tanh or ReLU (`nonlinearity`). Layer 1 is held in
/// `u`, `v`, `b` (U H×I, V H×H, b H: the single-layer fast paths read these), layers 2…L in
/// `upperLayers`; W is C×H_L, c is C. The classification loss is the cross-entropy of o_T.
/// The state of the whole network is s = [h¹; …; hᴸ] (layer 1 first), N = Σ H_k entries.
///
/// `imageTask` says how an MNIST image becomes a sequence (row-wise, pixel-wise, permuted); a
/// model of any other data has none, and only takes sequences given as arrays.
public struct RNNModel<T: LinalgScalar>: Sendable, Equatable {
    /// The class count of the bundled MNIST tasks.
    public static var mnistClasses: Int { 10 }

    public var u: Matrix<T>
    public var v: Matrix<T>
    public var b: [T]
    /// Layers 2…L (empty for a single-layer network).
    public var upperLayers: [RecurrentLayer<T>] = []
    public var w: Matrix<T>
    public var c: [T]
    public var nonlinearity: Nonlinearity = .tanh
    /// The MNIST task the model reads images as (nil: the model takes array sequences only).
    public var imageTask: SequenceTask?
    public var metadata: ModelMetadata
    /// Which PyTorch biases b stands for; `.none` keeps b at zero.
    public var biasMode: BiasMode = .pair
    /// Applied to MNIST pixel values on their way into the network (nil: none).
    public var inputStandardization: InputStandardization? = nil


    /// H of layer 1 (the hidden size of a single-layer model).
    public var hidden: Int { v.rows }
    /// I, inputs per step.
    public var inputSize: Int { u.cols }
    /// C, the number of classes.
    public var classes: Int { w.rows }
    public var cell: CellKind { .rnn }
    /// L.
    public var layerCount: Int { 1 + upperLayers.count }
    /// Every layer, layer 1 first.
    public var layers: [RecurrentLayer<T>] { [RecurrentLayer(u: u, v: v, b: b)] + upperLayers }
    /// H_1, …, H_L.
    public var layerSizes: [Int] { [hidden] + upperLayers.map(\.hidden) }
    /// N = Σ H_k, the size of the state s = [h¹; …; hᴸ].
    public var stateSize: Int { layerSizes.reduce(0, +) }
    /// H_L, the size of the state the readout reads.
    public var outputHidden: Int { upperLayers.last?.hidden ?? hidden }
    /// One tanh layer: the case the fast paths (training, the fused Lyapunov step) are built for.
    public var isSingleLayerTanh: Bool { upperLayers.isEmpty && nonlinearity == .tanh }

    public init(u: Matrix<T>, v: Matrix<T>, b: [T], w: Matrix<T>, c: [T], task: SequenceTask?, metadata: ModelMetadata = .init(),
                biasMode: BiasMode = .pair, inputStandardization: InputStandardization? = nil,
                upperLayers: [RecurrentLayer<T>] = [], nonlinearity: Nonlinearity = .tanh) {
        let h = v.rows
        precondition(v.cols == h && u.rows == h && b.count == h && c.count == w.rows && w.rows >= 1, "inconsistent RNN shapes")
        var below = h
        for layer in upperLayers {
            precondition(layer.inputSize == below, "layer input size does not chain")
            below = layer.hidden
        }
        precondition(w.cols == below, "readout does not fit the last layer")
        self.u = u; self.v = v; self.b = b; self.w = w; self.c = c
        self.upperLayers = upperLayers
        self.nonlinearity = nonlinearity
        precondition(biasMode != .none || (b + upperLayers.flatMap(\.b)).allSatisfy { $0 == 0 }, "a bias-free model has b = 0")
        self.imageTask = task
        self.metadata = metadata
        self.biasMode = biasMode
        self.inputStandardization = inputStandardization
    }

    /// A freshly initialised model (see `Initialization`), drawn from `SeededRandom(seed:)`
    /// in the order U, V, b (of layer 1, then of layers 2…L), W, c. `gains` scale the
    /// Xavier-normal stds of V and U (the `xavier-normal` scheme, and U under `orthogonal`);
    /// with gains 1 the draws are those of the plain scheme. `biasMode` `.none` zeroes b (the
    /// draws are made all the same, so the weights do not depend on the bias mode).
    public init(task: SequenceTask, hidden h: Int, initialization: Initialization, seed: UInt64,
                gains: InitializationGains = .init(), biasMode: BiasMode = .pair, layers: Int = 1) {
        self.init(inputSize: task.inputSize, hidden: h, classes: RNNModel.mnistClasses, initialization: initialization, seed: seed,
                  gains: gains, biasMode: biasMode, layers: layers)
        imageTask = task
    }

    /// A freshly initialised model of I inputs, `layers` layers of H units each (PyTorch's
    /// `nn.RNN(I, H, num_layers=L)`: layer k ≥ 2 reads layer k−1's H states) and C classes,
    /// and no MNIST task (the draws of `init(task:hidden:…)`, which calls this with the task's
    /// I and C = 10). One layer draws exactly what it always drew.
    public init(inputSize i: Int, hidden h: Int, classes k: Int, initialization: Initialization, seed: UInt64,
                gains: InitializationGains = .init(), biasMode: BiasMode = .pair, nonlinearity: Nonlinearity = .tanh, layers: Int = 1) {
        precondition(i >= 1 && h >= 1 && k >= 1 && layers >= 1, "sizes must be positive")
        var rng = SeededRandom(seed: seed)
        var draws = PyTorchUniformDraws(seed: seed, hidden: h)
        func xavier(_ rows: Int, _ cols: Int, gain: Double = 1) -> Matrix<T> {
            .gaussian(rows: rows, cols: cols, std: gain * (2.0 / Double(rows + cols)).squareRoot(), using: &rng)
        }
        /// Layer of `inputs` inputs: U, V, b in that order.
        func layer(inputs: Int) -> RecurrentLayer<T> {
            switch initialization {
            case .pytorch:
                let u: Matrix<T> = draws.matrix(rows: h, cols: inputs), v: Matrix<T> = draws.matrix(rows: h, cols: h)
                // Two draws per unit (bias_ih, bias_hh) whatever the mode, so the weights drawn
                // after b do not depend on it; an input-side-only bias keeps the first.
                let b = (0..<h).map { _ in
                    let ih = draws.next(), hh = draws.next()
                    return T(biasMode == .pair ? ih + hh : ih)
                }
                return RecurrentLayer(u: u, v: v, b: b)
            case .xavierNormal:
                let u = xavier(h, inputs, gain: gains.input)
                return RecurrentLayer(u: u, v: xavier(h, h, gain: gains.recurrent), b: [T](repeating: 0, count: h))
            case .orthogonal:
                let u = xavier(h, inputs, gain: gains.input)
                return RecurrentLayer(u: u, v: .randomOrthonormal(rows: h, cols: h, using: &rng), b: [T](repeating: 0, count: h))
            }
        }
        let first = layer(inputs: i)
        u = first.u; v = first.v; b = first.b
        upperLayers = (1..<layers).map { _ in layer(inputs: h) }
        if initialization == .pytorch {
            w = draws.matrix(rows: k, cols: h)
            c = draws.vector(k)
        } else {
            w = xavier(k, h)
            c = [T](repeating: 0, count: k)
        }
        if biasMode == .none {
            b = [T](repeating: 0, count: h)
            for l in upperLayers.indices { upperLayers[l].b = [T](repeating: 0, count: h) }
        }
        self.imageTask = nil
        self.nonlinearity = nonlinearity
        self.biasMode = biasMode
        metadata = ModelMetadata(initialization: initialization.rawValue, seed: seed)
    }

    /// The same model in another precision.
    public func converted<U: LinalgScalar>(to: U.Type = U.self) -> RNNModel<U> {
        RNNModel<U>(u: u.converted(), v: v.converted(), b: b.map { U($0) }, w: w.converted(), c: c.map { U($0) },
                    task: imageTask, metadata: metadata, biasMode: biasMode, inputStandardization: inputStandardization,
                    upperLayers: upperLayers.map { $0.converted() }, nonlinearity: nonlinearity)
    }

    /// Parameters in a fixed order (U, V, b, W, c) as flat arrays (column-major for matrices):
    /// those of a single-layer model, which is what training updates.
    public var parameterArrays: [[T]] { [u.storage, v.storage, b, w.storage, c] }

    /// Replaces the parameters from arrays in `parameterArrays` order.
    public mutating func setParameterArrays(_ p: [[T]]) {
        precondition(p.count == 5)
        u.storage = p[0]; v.storage = p[1]; b = p[2]; w.storage = p[3]; c = p[4]
    }

    /// True when every weight and bias is finite.
    public var allFinite: Bool {
        (parameterArrays + upperLayers.flatMap { [$0.u.storage, $0.v.storage, $0.b] }).allSatisfy { $0.allSatisfy(\.isFinite) }
    }
}
