import Linalg
import RNN

/// The recurrent weight block whose gradient the alignment study takes: `weight_hh_l{layer}`
/// of any network (the paper's V for a vanilla layer; all G gate blocks stacked for a GRU or
/// LSTM, G·H×H), or one gate's rows of it (H×H). Its columns act on the layer's h, so its
/// right singular vectors live in h's rows of the state.
public struct WeightBlock: Sendable, Equatable {
    /// The layer, 0-based as PyTorch numbers it.
    public var layer: Int
    /// The gate (index into the cell's `gateNames`) whose rows are taken; nil: the whole block.
    public var gate: Int?

    public init(layer: Int, gate: Int? = nil) {
        self.layer = layer; self.gate = gate
    }

    /// The top layer's whole recurrent block: the default study.
    public static func top(of network: Network) -> WeightBlock { WeightBlock(layer: network.layers.count - 1) }

    /// PyTorch's name of the parameter (`rnn.weight_hh_l{layer}`).
    public var parameterName: String { "rnn.weight_hh_l\(layer)" }

    /// Where the block sits in `network`: its index among the layer's parameters, the rows taken,
    /// the number of columns (H of the layer), and the state rows of the layer's h (the space
    /// of the right singular vectors). Throws a `CellError` naming what the network lacks.
    public func resolve(in network: Network) throws -> (block: Int, rows: Range<Int>, columns: Int, stateRows: Range<Int>) {
        guard layer >= 0 && layer < network.layers.count else {
            throw CellError("layer \(layer) does not exist: the network has \(network.layers.count) layer\(network.layers.count == 1 ? "" : "s") (0…\(network.layers.count - 1))")
        }
        let cell = network.layers[layer]
        guard let index = cell.parameters.firstIndex(where: { $0.name == "weight_hh" }) else {
            throw CellError("the \(cell.cellName) cell of layer \(layer) has no weight_hh block")
        }
        let shape = cell.parameters[index].shape, h = cell.hidden
        guard shape.count == 2, shape[1] == h, shape[0] % h == 0 else {
            throw CellError("weight_hh_l\(layer) is \(shape); expected G·H×H with H = \(h)")
        }
        var rows = 0..<shape[0]
        if let gate {
            guard gate >= 0 && gate < cell.gateNames.count, cell.gateNames.count == shape[0] / h else {
                throw CellError("gate \(gate) is not one of the \(cell.cellName) cell's gates \(cell.gateNames)")
            }
            rows = (gate * h)..<((gate + 1) * h)
        }
        let offset = network.stateOffsets[layer]
        return (index, rows, h, offset..<(offset + h))
    }
}

/// ΔW_t = ∂ℓ_t/∂W for one sequence and one `WeightBlock` W of any network: the gradient of the
/// prefix loss ℓ_t (cross-entropy of the readout o_t = W_fc h_L(t) + c, as if the sequence ended
/// at t). Float64, from one forward pass through the cells (`Network.step`); the backward pass
/// is `Network.factoredStepAdjoint`, so every cell, stacked or gated, is one code path.
///
/// Each step's gradient of a weight is an outer product g_s a_{s−1}ᵀ, so
/// ΔW_t = Σ_{s≤t} g_s a_{s−1}ᵀ is one GEMM of (rows × t) by (t × H); a cell without a factored
/// form has its blocks summed as given. Tested against central differences of `loss(atStep:)`.
public struct BlockPrefixGradients: Sendable {
    public let network: Network
    public let block: WeightBlock
    /// The block's rows taken (a gate's, or all) and its index among the layer's parameters.
    public let rows: Range<Int>
    let blockIndex: Int
    /// H of the block's layer (the columns of ΔW_t) and the state rows of that layer's h.
    public let columns: Int
    public let stateRows: Range<Int>
    /// s_0…s_T (N each).
    public let states: [[Double]]
    let layerSteps: [[CellStep]]
    /// x_1…x_T (I each).
    let inputs: [[Double]]
    public let label: Int
    public var steps: Int { layerSteps.count }

    /// Runs the forward pass of `sequence` (T×I values, step-major) from `initialState` (zeros
    /// if nil). Throws a `CellError` when the network has no such block.
    public init(network: Network, block: WeightBlock, sequence: [Double], steps: Int, label: Int, initialState: [Double]? = nil) throws {
        precondition(steps >= 1 && sequence.count == steps * network.inputSize, "sequence must have T×I values, T ≥ 1")
        precondition(label >= 0 && label < network.classes, "label outside the readout's classes")
        let place = try block.resolve(in: network)
        self.network = network
        self.block = block
        (blockIndex, rows, columns, stateRows) = place
        inputs = (0..<steps).map { Array(sequence[($0 * network.inputSize)..<(($0 + 1) * network.inputSize)]) }
        self.label = label
        var s = initialState ?? [Double](repeating: 0, count: network.stateSize)
        precondition(s.count == network.stateSize, "the initial state must have N values")
        var states = [s], layerSteps: [[CellStep]] = []
        for t in 0..<steps {
            let (next, stepped) = network.step(state: s, input: inputs[t])
            s = next
            states.append(s)
            layerSteps.append(stepped)
        }
        self.states = states
        self.layerSteps = layerSteps
    }

    /// o_t = c + W_fc h_L(t) (t in 1…T).
    public func logits(atStep t: Int) -> [Double] {
        var o = network.readoutBias
        gemv(.none, network.readoutWeights, network.topHidden(states[t]), beta: 1, into: &o)
        return o
    }

    /// ℓ_t, the prefix loss at step t.
    public func loss(atStep t: Int) -> Double { CrossEntropy.loss(logits(atStep: t), label: label) }

    /// ΔW_t (rows.count × H) by the adjoint over steps t, t−1, …, 1: δ_t = ∂ℓ_t/∂s_t =
    /// W_fcᵀ(softmax(o_t) − e_y) in the top layer's h-rows, δ_{s−1} = D_sᵀ δ_s, and the block's
    /// part of each step's adjoint.
    public func gradient(atStep t: Int) -> Matrix<Double> {
        precondition(t >= 1 && t <= steps, "t must be in 1...T")
        var p = CrossEntropy.softmax(logits(atStep: t))
        p[label] -= 1
        var delta = [Double](repeating: 0, count: network.stateSize)
        network.addReadoutAdjoint(p, into: &delta)
        var g = Matrix<Double>(rows: rows.count, cols: t), a = Matrix<Double>(rows: columns, cols: t)   // column s−1: step s
        var dense: Matrix<Double>? = nil, anyOuter = false
        for s in stride(from: t, through: 1, by: -1) {
            let adjoint = network.factoredStepAdjoint(layerSteps[s - 1], state: states[s - 1], input: inputs[s - 1], gradient: delta)
            switch adjoint.blocks[block.layer][blockIndex] {
            case let .outer(rowFactor, columnFactor):
                g.setColumn(s - 1, Array(rowFactor[rows]))
                a.setColumn(s - 1, columnFactor)
                anyOuter = true
            case let .dense(values):
                var sum = dense ?? Matrix<Double>(rows: rows.count, cols: columns)
                for (i, row) in rows.enumerated() { for j in 0..<columns { sum[i, j] += values[row * columns + j] } }
                dense = sum
            }
            delta = adjoint.state
        }
        var dw = dense ?? Matrix<Double>(rows: rows.count, cols: columns)
        if anyOuter { gemm(.none, g, .transposed, a, beta: dense == nil ? 0 : 1, into: &dw) }   // steps given as dense are 0 in g
        return dw
    }
}
