import Foundation
import Linalg
import RNN

/// The loss gradient expressed through the stored Q and R factors (paper eqs. 6–12).
///
/// With a full frame (K = H), D_s = Q_s R_s Q_{s−1}ᵀ, so the products of Jacobians telescope:
///
///     ∂h_s/∂h_t = D_s ⋯ D_{t+1} = Q_s (R_s ⋯ R_{t+1}) Q_tᵀ,
///     ∇_{h_t}L = Σ_{s ≥ t} Q_t (R_s ⋯ R_{t+1})ᵀ Q_sᵀ Wᵀ ∇_{o_s}L,
///     ∇_V L   = Σ_t diag(1 − h_t²) ∇_{h_t}L h_{t−1}ᵀ.
///
/// Evaluated backwards in Q coordinates, y_t = Q_tᵀ ∇_{h_t}L obeys
/// y_t = Q_tᵀ Wᵀ ∇_{o_t}L + R_{t+1}ᵀ y_{t+1}, so the Jacobians are never formed: only the
/// stored Q_t, R_t, h_t and the readout enter. The result equals BPTT (a test holds them to
/// 1e-9 relative in Float64).
public enum GradientThroughQR {
    /// Which readouts the loss is on.
    public enum LossKind: String, Sendable, CaseIterable {
        /// Cross-entropy of o_T.
        case last
        /// Σ_t cross-entropy of o_t.
        case all
    }

    /// ∇_V L for one sequence with label `label`, from a trace run with `keepFrames: true`
    /// and K = H, for a single-layer model (tanh or ReLU: φ′ read from h_t).
    public static func recurrentWeightGradient(model: RNNModel<Double>, trace: LyapunovTrace, label: Int, loss: LossKind) -> Matrix<Double> {
        guard let qs = trace.frames, let rs = trace.rFactors else { preconditionFailure("trace must keep its frames") }
        precondition(trace.k == trace.hidden, "the gradient identity needs the full frame (K = H)")
        precondition(model.upperLayers.isEmpty, "∇_V L through Q and R is implemented for single-layer models")
        let phi = model.nonlinearity
        let steps = trace.steps, hidden = trace.hidden
        // ∇_{o_t}L for the steps the loss is on.
        func outputGradient(_ t: Int) -> [Double]? {
            guard loss == .all || t == steps else { return nil }
            let h = trace.states[t]
            var o = model.c
            gemv(.none, model.w, h, beta: 1, into: &o)
            var p = CrossEntropy.softmax(o)
            p[label] -= 1
            return p
        }
        var gradV = Matrix<Double>(rows: hidden, cols: hidden)
        var y = [Double](repeating: 0, count: hidden)   // y_{t+1}, then y_t
        for t in stride(from: steps, through: 1, by: -1) {
            // y_t = R_{t+1}ᵀ y_{t+1} + Q_tᵀ Wᵀ ∇_{o_t}L
            var yt = [Double](repeating: 0, count: hidden)
            if t < steps { gemv(.transposed, rs[t], y, into: &yt) }   // rs[t] is R_{t+1}
            if let go = outputGradient(t) {
                let wg = matvec(model.w, go, .transposed)
                gemv(.transposed, qs[t - 1], wg, beta: 1, into: &yt)
            }
            y = yt
            // ∇_{h_t}L = Q_t y_t;  ∇_V L += diag(1 − h_t²) ∇_{h_t}L h_{t−1}ᵀ
            let gh = matvec(qs[t - 1], y)
            let ht = trace.states[t], hprev = trace.states[t - 1]
            for j in 0..<hidden where hprev[j] != 0 {
                for i in 0..<hidden { gradV[i, j] += phi.derivative(output: ht[i]) * gh[i] * hprev[j] }
            }
        }
        return gradV
    }
}
