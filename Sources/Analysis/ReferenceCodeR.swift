import Foundation
import Linalg
import RNN

/// Which R values score the pixels of the sensitivity study.
public enum RConvention: String, Sendable, CaseIterable {
    /// ln r_t^1 of the Lyapunov stepper from h_0 = 0 under the chosen Jacobian convention: the
    /// paper's equations.
    case paper
    /// The R values of the paper's code (`SMNIST_FTLE.py` in github.com/ryanavogt/FTLE-gradients,
    /// c898f0c), which differ from its equations; see `ReferenceCodeR`.
    case ftleGradientsCode = "ftle-gradients-code"
}

/// ln r_t^1 exactly as the paper's code computes it for Table 1 (`SMNIST_FTLE.FTLE` with its
/// defaults), which differs from the paper's equations in three ways:
///
/// 1. the Jacobian uses sech(a_t) = 1/cosh(a_t), not sech²(a_t) = 1 − h_t²:
///    J_t = diag(sech(a_t)) V with a_t = U x_t + V h̃_{t−1} + b;
/// 2. the state is reset to zero at every step (its one-step call starts the cell from no
///    state), so h̃_t = tanh(U x_t + b) and h̃_{t−1} enters a_t only through V;
/// 3. 200 warm-up steps over x_1…x_200 first apply Q ← J_tᵀ Q from the identity (h̃_0 = 0),
///    then one QR; the main loop over x_1…x_T then factors Q_t R_t = J_t Q_{t−1} (J_t, not
///    its transpose) with diag(R_t) ≥ 0, continuing the state from the warm-up's last step.
///
/// Only the first column matters for r_t^1 (column 1 of Q_t R_t = J_t Q_{t−1} depends on
/// column 1 of Q_{t−1} alone, and a QR's column signs do not change r^1), so this carries one
/// vector: O(H²) per step. Float64.
public enum ReferenceCodeR {
    public static let warmupSteps = 200

    /// ln r_t^1 for t = 1…T of `sequence` (T×I, step-major); a zero r gives −∞.
    public static func logR1(model m: RNNModel<Double>, sequence: [Double], steps: Int) -> [Double] {
        let h = m.hidden, i = m.inputSize
        func input(_ t: Int) -> [Double] { Array(sequence[(t * i)..<((t + 1) * i)]) }
        /// a_t = U x_t + V h̃ + b and the reset state tanh(U x_t + b).
        func preactivation(_ x: [Double], _ state: [Double]) -> (a: [Double], next: [Double]) {
            var ux = m.b
            gemv(.none, m.u, x, beta: 1, into: &ux)
            var a = ux
            gemv(.none, m.v, state, beta: 1, into: &a)
            return (a, ux.map { Foundation.tanh($0) })
        }
        var state = [Double](repeating: 0, count: h)
        var q = [Double](repeating: 0, count: h)
        q[0] = 1
        // Warm-up: q ← J_tᵀ q = Vᵀ (sech(a_t) ⊙ q) over the first 200 steps (fewer if T < 200).
        for t in 0..<min(warmupSteps, steps) {
            let (a, next) = preactivation(input(t), state)
            let scaled = zip(a, q).map { 1 / Foundation.cosh($0) * $1 }
            gemv(.transposed, m.v, scaled, into: &q)
            normalize(&q)   // the direction is what the QR keeps; this only avoids under/overflow
            state = next
        }
        normalize(&q)
        var logR: [Double] = []
        logR.reserveCapacity(steps)
        for t in 0..<steps {
            let (a, next) = preactivation(input(t), state)
            var z = [Double](repeating: 0, count: h)
            gemv(.none, m.v, q, into: &z)
            for j in 0..<h { z[j] /= Foundation.cosh(a[j]) }
            let r = normalize(&z)
            logR.append(r > 0 ? Foundation.log(r) : -.infinity)
            if r > 0 { q = z }
            state = next
        }
        return logR
    }

    /// Scales v to unit length; returns its norm (v unchanged when 0).
    @discardableResult
    static func normalize(_ v: inout [Double]) -> Double {
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if n > 0 { for j in 0..<v.count { v[j] /= n } }
        return n
    }
}
