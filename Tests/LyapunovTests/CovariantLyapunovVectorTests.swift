@testable import Lyapunov
import Foundation
import Linalg
import RNN
import Testing

/// Ginelli's covariant Lyapunov vectors, against independent paths in Float64: the eigenvectors
/// of a constant non-normal map (closed form), the covariance D_{t+1} v(t) ∥ v(t+1) with an
/// explicitly formed Jacobian, and the telescoping identity that ties the CLV growth to ln r.
@Suite struct CovariantLyapunovVectorTests {
    /// A = S Λ S⁻¹ with eigenvalues 2, −1.2, 0.7, 0.3 and a random (non-orthogonal) S: the CLVs
    /// are S's columns (unit, up to sign, 1e-8) at every step, the Q vectors the Schur vectors
    /// (the Q of S = Q R), and the growth rates ln|λ| (1e-10).
    @Test func constantNonNormalMapGivesItsEigenvectors() throws {
        let n = 4, eigenvalues = [2.0, -1.2, 0.7, 0.3]
        var rng = SeededRandom(seed: 3)
        let s = Matrix<Double>.gaussian(rows: n, cols: n, using: &rng) + Matrix<Double>.identity(n)
        var sLambda = s
        for j in 0..<n { for i in 0..<n { sLambda[i, j] = s[i, j] * eigenvalues[j] } }
        // A = S Λ S⁻¹, from A S = S Λ.
        let a = try Self.solveRight(sLambda, by: s)
        #expect(matmul(a, s).maxAbsDifference(sLambda) < 1e-10, "A S = S Λ")

        let steps = 200, window = 60
        var q = Matrix<Double>.identity(n)
        var rFactors: [Matrix<Double>] = [], frames: [Int: Matrix<Double>] = [:]
        let requested: Set<Int> = [60, 100, 140]
        for t in 1...steps {
            let f = try thinQR(matmul(a, q))
            q = f.q
            rFactors.append(f.r)
            if requested.contains(t) { frames[t] = q }
        }
        let clv = CovariantLyapunovVectors(rFactors: rFactors, frames: frames, window: window, seed: 9)
        let schur = try thinQR(s).q
        for t in requested.sorted() {
            let v = clv.vectors[t]!
            for k in 0..<n {
                var sk = s.column(k)
                let norm = sk.map { $0 * $0 }.reduce(0, +).squareRoot()
                sk = sk.map { $0 / norm }
                let dot = zip(v.column(k), sk).map(*).reduce(0, +)
                #expect(abs(abs(dot) - 1) <= 1e-8, "t = \(t), v_\(k + 1)·s_\(k + 1) = \(dot)")
                let schurDot = zip(frames[t]!.column(k), schur.column(k)).map(*).reduce(0, +)
                #expect(abs(abs(schurDot) - 1) <= 1e-8, "t = \(t), q_\(k + 1) is the Schur vector")
            }
        }
        for k in 0..<n {
            #expect(abs(clv.growthRates[k] - log(abs(eigenvalues[k]))) <= 1e-10, "growth rate \(k + 1): \(clv.growthRates[k])")
        }
        // The eigenvectors are well apart: no angle near 0.
        #expect(clv.minAngles.count == steps - 2 * window + 1 && clv.minAngles.allSatisfy { $0 > 0.05 })
    }

    /// X with X S = B (S square, invertible), by Householder QR of Sᵀ: Sᵀ Xᵀ = Bᵀ.
    static func solveRight(_ b: Matrix<Double>, by s: Matrix<Double>) throws -> Matrix<Double> {
        let f = try thinQR(s.transposed)
        let rhs = matmul(f.q, b.transposed, .transposed, .none)
        let xt = CovariantLyapunovVectors.solveUpperTriangular(f.r, rhs)
        return xt.transposed
    }

    /// A random tanh RNN (N = 20, gain 1.6, T = 400, K = 5, small random inputs, W = 100): the
    /// formed Jacobian D_{t+1} = diag(1 − h_{t+1}²) V maps v_k(t) onto the line of v_k(t+1)
    /// (|cos| ≥ 1 − 1e-8); the growth rates equal the window's mean ln r_t^k plus the boundary
    /// terms of the diagonal of C (an identity: Σ −ln n_k(t) = Σ ln r_t^k + ln C_W,kk − ln C_{T−W},kk),
    /// to 1e-10, and differ from the FTLE window spectrum by no more than those boundary terms.
    @Test func randomTanhNetworkVectorsAreCovariant() throws {
        let n = 20, inputs = 3, steps = 400, k = 5, window = 100
        var rng = SeededRandom(seed: 17)
        let v = Matrix<Double>.gaussian(rows: n, cols: n, std: 1.6 / Double(n).squareRoot(), using: &rng)
        let u = Matrix<Double>.gaussian(rows: n, cols: inputs, std: 0.3, using: &rng)
        let model = RNNModel<Double>(u: u, v: v, b: [Double](repeating: 0, count: n), w: Matrix(rows: 2, cols: n), c: [0, 0], task: nil)
        let sequence = (0..<(steps * inputs)).map { _ in 0.5 * rng.nextNormal() }
        let at = [window, 200, 201, 250, 251, steps - window]
        let clv = try CovariantLyapunovVectors(network: Network(model), sequence: sequence, steps: steps, k: k, at: at, window: window)
        let trace = try LyapunovTrace(model: model, sequence: sequence, steps: steps, k: k)
        for t in [200, 250] {
            let next = trace.states[t + 1]
            var d = v
            for i in 0..<n { for j in 0..<n { d[i, j] *= 1 - next[i] * next[i] } }
            let mapped = matmul(d, clv.vectors[t]!)
            for j in 0..<k {
                let a = mapped.column(j), b = clv.vectors[t + 1]!.column(j)
                let cosine = zip(a, b).map(*).reduce(0, +) / a.map { $0 * $0 }.reduce(0, +).squareRoot()
                #expect(abs(cosine) >= 1 - 1e-8, "t = \(t), v_\(j + 1): |cos| = \(abs(cosine))")
            }
        }
        for j in 0..<k {
            let sumLogR = trace.logR[window..<(steps - window)].map { $0[j] }.reduce(0, +)
            let boundary = log(clv.coefficients[window]![j, j]) - log(clv.coefficients[steps - window]![j, j])
            let span = Double(steps - 2 * window)
            #expect(abs(clv.growthRates[j] * span - (sumLogR + boundary)) <= 1e-10 * max(1, abs(sumLogR)), "k = \(j + 1)")
            #expect(abs(clv.growthRates[j] - sumLogR / span) <= abs(boundary) / span + 1e-12)
        }
        // The leading CLV is the leading Q vector (C's first column is e_1).
        #expect(abs(abs(clv.coefficients[200]![0, 0]) - 1) <= 1e-12)
    }
}

/// The zero-input spectrum of random tanh networks across the mean-field transition at g = 1.
@Suite struct AutonomousSpectrumTests {
    /// N = 500: λ_1 < 0 at g = 0.8 (the state decays to 0, where D = V and λ_1 → ln ρ(V) ≈ ln 0.8),
    /// λ_1 > 0 at g = 1.2 and 2.0 (chaos), and λ_1 grows with g.
    @Test func transitionToChaosAtGainOne() throws {
        let lambda1 = try [0.8, 1.2, 2.0].map {
            try AutonomousSpectrum.spectrum(hidden: 500, gain: $0, seed: 1, k: 3, steps: 1000, transient: 200)[0]
        }
        #expect(lambda1[0] < 0 && lambda1[1] > 0 && lambda1[2] > lambda1[1], "\(lambda1)")
        // Below the transition the decayed state's Jacobian is V itself: λ_1 is near ln 0.8 (ρ(V) → g as N → ∞; within 0.1 at N = 500).
        #expect(abs(lambda1[0] - log(0.8)) < 0.1, "\(lambda1[0]) vs ln 0.8 = \(log(0.8))")
    }
}
