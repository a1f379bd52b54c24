import Linalg
import RNN

/// ΔW_t^(k) = ∂ℓ_t/∂W_hk for one sequence through a single-layer GRU or LSTM: the gradient of
/// the prefix loss ℓ_t (cross-entropy of the readout o_t = W h_t + c, as if the sequence ended
/// at t) with respect to gate block k of the recurrent weights (`weight_hh_l0` rows
/// k·H..<(k+1)·H, H×H; k in `cell.gateNames` order: r, z, n or i, f, g, o). Its right singular
/// vectors live in the space of h, the input of W_hk. Float64, from one forward trace.
public struct GatedPrefixGradients: Sendable {
    public let network: GatedNetwork
    /// s_0…s_T (state size S each: h, or [h; c] for an LSTM).
    public let states: [[Double]]
    /// The T forward steps (gate activations for the adjoint).
    let layerSteps: [GatedLayer.Step]
    public let label: Int
    public var steps: Int { layerSteps.count }
    var layer: GatedLayer { network.layers[0] }

    /// Runs the forward pass of `sequence` (T×I values, step-major) from `initialState` (zeros if nil).
    public init(network: GatedNetwork, sequence: [Double], steps: Int, label: Int, initialState: [Double]? = nil) {
        precondition(network.layers.count == 1, "prefix gradients of one gated layer")
        precondition(sequence.count == steps * network.inputSize && steps >= 1, "sequence must have T×I values, T ≥ 1")
        self.network = network
        self.label = label
        var s = initialState ?? [Double](repeating: 0, count: network.stateSize)
        var states = [s], layerSteps: [GatedLayer.Step] = []
        let size = network.inputSize
        for t in 0..<steps {
            let step = network.layers[0].step(state: s, input: Array(sequence[(t * size)..<((t + 1) * size)]))
            s = step.state
            states.append(s)
            layerSteps.append(step)
        }
        self.states = states
        self.layerSteps = layerSteps
    }

    /// ℓ_t, the prefix loss at step t (1…T).
    public func loss(atStep t: Int) -> Double { CrossEntropy.loss(network.logits(state: states[t]), label: label) }

    /// ∂ℓ_t/∂W_hk for every gate block k (G matrices, H×H), by the adjoint recursion over
    /// steps t, t−1, …, 1 (`GatedLayer.adjoint`): δ_t = ∂ℓ_t/∂s_t = [Wᵀ(softmax(o_t) − e_y); 0],
    /// δ_{s−1} = D_sᵀ δ_s, and ΔW_hk = Σ_{s≤t} g_k(s) h_{s−1}ᵀ (one GEMM of H×t by t×H per block).
    /// Tested against central differences of `loss(atStep:)`.
    public func gradients(atStep t: Int) -> [Matrix<Double>] {
        blockGradients(atStep: t, gates: Array(0..<layer.cell.gateCount))
    }

    /// ∂ℓ_t/∂W_hk for one gate block `gate` (0-based, `cell.gateNames` order): the same
    /// recursion, with only that block's GEMM.
    public func gradient(atStep t: Int, gate: Int) -> Matrix<Double> { blockGradients(atStep: t, gates: [gate])[0] }

    /// ∂ℓ_t/∂W_hk for the blocks `gates`, in that order.
    func blockGradients(atStep t: Int, gates: [Int]) -> [Matrix<Double>] {
        precondition(t >= 1 && t <= steps, "t must be in 1...T")
        let h = layer.hidden
        var p = CrossEntropy.softmax(network.logits(state: states[t]))
        p[label] -= 1
        var delta = matvec(network.readoutWeights, p, .transposed) + [Double](repeating: 0, count: layer.stateSize - h)
        var blockColumns = [Matrix<Double>](repeating: Matrix(rows: h, cols: t), count: gates.count)   // column s−1: g_k(s)
        for s in stride(from: t, through: 1, by: -1) {
            let (previous, blocks) = layer.adjoint(state: states[s - 1], step: layerSteps[s - 1], gradient: delta)
            for (n, k) in gates.enumerated() { blockColumns[n].setColumn(s - 1, blocks[k]) }
            delta = previous
        }
        let previousH = Matrix<Double>(rows: h, cols: t, columnMajor: states[0..<t].flatMap { $0[0..<h] })
        return blockColumns.map { g in
            var dw = Matrix<Double>(rows: h, cols: h)
            gemm(.none, g, .transposed, previousH, into: &dw)
            return dw
        }
    }
}
