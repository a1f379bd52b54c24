import Linalg
import RNN

/// ΔV_t = ∂ℓ_t/∂V for one sequence, where ℓ_t is the cross-entropy of the readout at step t
/// (o_t = W h_t + c) given the prefix x_1…x_t: the loss the network would have if the
/// sequence ended at t. All from one forward trace (Float64).
public struct PrefixGradients: Sendable {
    public let model: RNNModel<Double>
    /// h_0…h_T, H × (T+1) (column t is h_t).
    public let states: Matrix<Double>
    public let label: Int
    public var steps: Int { states.cols - 1 }

    /// Runs the forward pass of `sequence` (T×I, step-major) from `initialState` (zeros if nil).
    public init(model: RNNModel<Double>, sequence: [Double], steps: Int, label: Int, initialState: [Double]? = nil) {
        let batch = SequenceBatch<Double>(inputs: Matrix(rows: model.inputSize, cols: steps, columnMajor: sequence), labels: [label], steps: steps)
        let h0 = initialState.map { Matrix<Double>(rows: model.hidden, cols: 1, columnMajor: $0) }
        self.init(model: model, states: model.forward(batch, initialState: h0).states, label: label)
    }

    /// From states already computed (e.g. by the Lyapunov trace): `states` is H × (T+1).
    public init(model: RNNModel<Double>, states: Matrix<Double>, label: Int) {
        precondition(states.rows == model.hidden && states.cols >= 2)
        self.model = model
        self.states = states
        self.label = label
    }

    /// Logits o_t (t in 1…T).
    public func logits(atStep t: Int) -> [Double] {
        var o = model.c
        gemv(.none, model.w, states.column(t), beta: 1, into: &o)
        return o
    }

    /// ℓ_t, the prefix loss at step t.
    public func loss(atStep t: Int) -> Double { CrossEntropy.loss(logits(atStep: t), label: label) }

    /// ΔV_t (H×H) by BPTT over steps t, t−1, …, 1:
    /// g_h(t) = Wᵀ(softmax(o_t) − e_y); g_a(s) = g_h(s) ⊙ φ′(a_s) (1 − h_s² for tanh, the step
    /// function for ReLU); g_h(s−1) = Vᵀ g_a(s);
    /// ΔV_t = Σ_{s≤t} g_a(s) h_{s−1}ᵀ (one GEMM of H×t by t×H).
    public func gradient(atStep t: Int) -> Matrix<Double> {
        precondition(t >= 1 && t <= steps, "t must be in 1...T")
        let h = model.hidden, phi = model.nonlinearity
        var p = CrossEntropy.softmax(logits(atStep: t))
        p[label] -= 1
        var gh = matvec(model.w, p, .transposed)
        var ga = Matrix<Double>(rows: h, cols: t)   // column s−1 holds g_a(s)
        for s in stride(from: t, through: 1, by: -1) {
            let hs = states.column(s)
            var col = [Double](repeating: 0, count: h)
            for i in 0..<h { col[i] = gh[i] * phi.derivative(output: hs[i]) }
            ga.setColumn(s - 1, col)
            if s > 1 { gh = matvec(model.v, col, .transposed) }
        }
        var dv = Matrix<Double>(rows: h, cols: h)
        gemm(.none, ga, .transposed, states, bColumns: 0..<t, into: &dv)
        return dv
    }
}
