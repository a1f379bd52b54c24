import Linalg

/// PyTorch's `nn.GRU` layer as a `RecurrentCell` (equations and Jacobians in `GatedLayer`):
/// state h (S = H), gates r, z, n.
public struct GRU: GatedRecurrentCell, Equatable {
    public var layer: GatedLayer
    public init(_ layer: GatedLayer) {
        precondition(layer.cell == .gru, "GRU(_:) needs a GRU layer")
        self.layer = layer
    }
    public static let entry = CellRegistry.gru
}

/// PyTorch's `nn.LSTM` layer as a `RecurrentCell`: state [h; c] (S = 2H), gates i, f, g, o.
public struct LSTM: GatedRecurrentCell, Equatable {
    public var layer: GatedLayer
    public init(_ layer: GatedLayer) {
        precondition(layer.cell == .lstm, "LSTM(_:) needs an LSTM layer")
        self.layer = layer
    }
    public static let entry = CellRegistry.lstm
}

/// What GRU and LSTM share: their `GatedLayer` does the arithmetic. The cache is the layer
/// step's auxiliary vector (GRU: W_hn h + b_hn; LSTM: tanh c′).
public protocol GatedRecurrentCell: RecurrentCell {
    var layer: GatedLayer { get set }
    /// The cell's registry entry (name, gates, state multiple).
    static var entry: CellRegistry { get }
    init(_ layer: GatedLayer)
}

extension GatedRecurrentCell {
    public var cellName: String { Self.entry.name }
    public var hidden: Int { layer.hidden }
    public var stateSize: Int { Self.entry.stateMultiple * layer.hidden }
    public var inputSize: Int { layer.inputSize }
    public var gateNames: [String] { Self.entry.gateNames }

    public var parameters: [ParameterBlock] {
        var blocks = [ParameterBlock(name: "weight_ih", matrix: layer.inputWeights),
                      ParameterBlock(name: "weight_hh", matrix: layer.recurrentWeights)]
        if let b = layer.inputBias { blocks.append(ParameterBlock(name: "bias_ih", shape: [b.count], values: b)) }
        if let b = layer.recurrentBias { blocks.append(ParameterBlock(name: "bias_hh", shape: [b.count], values: b)) }
        return blocks
    }

    public func replacingParameters(_ blocks: [ParameterBlock]) throws -> Self {
        try checkReplacement(blocks, of: parameters)
        var copy = self
        copy.layer.inputWeights = blocks[0].matrix
        copy.layer.recurrentWeights = blocks[1].matrix
        if layer.inputBias != nil { copy.layer.inputBias = blocks[2].values }
        if layer.recurrentBias != nil { copy.layer.recurrentBias = blocks[blocks.count - 1].values }
        return copy
    }

    public func step(state s: [Double], input x: [Double]) -> CellStep {
        let step = layer.step(state: s, input: x)
        return CellStep(state: step.state, gates: step.gates, cache: [step.auxiliary])
    }

    func layerStep(_ step: CellStep) -> GatedLayer.Step {
        GatedLayer.Step(state: step.state, gates: step.gates, auxiliary: step.cache[0])
    }

    /// `GatedLayer.frameProduct` for Z, plus the input directions matrix-free: with
    /// P = W_ih Y (G blocks of H×K), GRU D(rSlope) P_r + D(zSlope) P_z + D(nInput) P_n;
    /// LSTM dc = D(iSlope) P_i + D(fSlope) P_f + D(gSlope) P_g, dh = D(oSlope) P_o + D(throughC) dc.
    public func tangent(_ step: CellStep, state s: [Double], _ z: Matrix<Double>, input y: Matrix<Double>?) -> Matrix<Double> {
        let layerStep = layerStep(step)
        var out = layer.frameProduct(state: s, step: layerStep, frame: z, transposed: false)
        guard let y else { return out }
        let h = hidden, sl = layer.slopes(state: s, step: layerStep), p = matmul(layer.inputWeights, y)
        for j in 0..<y.cols {
            for i in 0..<h {
                switch layer.cell {
                case .gru:
                    out[i, j] += sl.r[i] * p[i, j] + sl.z[i] * p[h + i, j] + sl.nInput[i] * p[2 * h + i, j]
                case .lstm:
                    let dc = sl.i[i] * p[i, j] + sl.f[i] * p[h + i, j] + sl.g[i] * p[2 * h + i, j]
                    out[h + i, j] += dc
                    out[i, j] += sl.o[i] * p[3 * h + i, j] + sl.throughC[i] * dc
                }
            }
        }
        return out
    }

    /// State part by `GatedLayer.frameProduct(transposed: true)`; input part
    /// W_ihᵀ [D(slope_k) M_k] with M = W (GRU; n's slope is nInput) or, for an LSTM with
    /// W = [W_h; W_c], M = throughC ⊙ W_h + W_c for i, f, g and W_h for o.
    public func tangentTransposed(_ step: CellStep, state s: [Double], _ w: Matrix<Double>, needsInput: Bool)
        -> (state: Matrix<Double>, input: Matrix<Double>) {
        let layerStep = layerStep(step)
        let statePart = layer.frameProduct(state: s, step: layerStep, frame: w, transposed: true)
        guard needsInput else { return (statePart, Matrix(rows: 0, cols: 0)) }
        let h = hidden, k = w.cols, sl = layer.slopes(state: s, step: layerStep)
        let slopes = layer.cell == .gru ? [sl.r, sl.z, sl.nInput] : [sl.i, sl.f, sl.g, sl.o]
        var stacked = Matrix<Double>(rows: slopes.count * h, cols: k)
        for j in 0..<k {
            for i in 0..<h {
                let m = layer.cell == .gru ? w[i, j] : sl.throughC[i] * w[i, j] + w[h + i, j]
                for (g, slope) in slopes.enumerated() {
                    stacked[g * h + i, j] = slope[i] * (layer.cell == .lstm && g == 3 ? w[i, j] : m)
                }
            }
        }
        return (statePart, matmul(layer.inputWeights, stacked, .transposed))
    }

    /// `GatedLayer.adjoint` for the state and the recurrent blocks g_k (∂ℓ/∂W_hk = g_k hᵀ,
    /// ∂ℓ/∂b_hk = g_k); the input-side blocks are the same except a GRU's n, whose input
    /// pre-activation is not multiplied by r (nInput ⊙ δh): ∂ℓ/∂W_ik = g′_k xᵀ, ∂ℓ/∂x = W_ihᵀ g′.
    public func adjoint(_ step: CellStep, state s: [Double], input x: [Double], gradient delta: [Double]) -> CellAdjoint {
        factoredAdjoint(step, state: s, input: x, gradient: delta, needsInput: true).formed
    }

    /// `adjoint` with ∂ℓ/∂W_ih = g′ xᵀ and ∂ℓ/∂W_hh = g hᵀ as outer products (g, g′ the G
    /// gate blocks stacked).
    public func factoredAdjoint(_ step: CellStep, state s: [Double], input x: [Double], gradient delta: [Double], needsInput: Bool)
        -> FactoredAdjoint {
        let layerStep = layerStep(step)
        let (previous, recurrent) = layer.adjoint(state: s, step: layerStep, gradient: delta)
        var inputBlocks = recurrent
        if layer.cell == .gru {
            let nInput = layer.slopes(state: s, step: layerStep).nInput
            inputBlocks[2] = (0..<hidden).map { nInput[$0] * delta[$0] }
        }
        let gInput = inputBlocks.flatMap { $0 }, gRecurrent = recurrent.flatMap { $0 }
        var blocks: [BlockGradient] = [.outer(rows: gInput, columns: x), .outer(rows: gRecurrent, columns: Array(s[0..<hidden]))]
        if layer.inputBias != nil { blocks.append(.dense(gInput)) }
        if layer.recurrentBias != nil { blocks.append(.dense(gRecurrent)) }
        return FactoredAdjoint(state: previous, input: needsInput ? matvec(layer.inputWeights, gInput, .transposed) : [], blocks: blocks)
    }
}
