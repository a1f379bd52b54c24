import Linalg
import RNN

/// The zero-input Lyapunov spectrum of random tanh networks, h_t = tanh(V h_{t−1}) with
/// V_ij ~ N(0, g²/N): the classic transition to chaos (Sompolinsky, Crisanti & Sommers 1988),
/// where the mean-field theory puts λ_1 < 0 for g < 1 and λ_1 > 0 for g > 1 as N → ∞.
public enum AutonomousSpectrum {
    /// The random network of gain `gain`: V (N×N) drawn N(0, g²/N) from `seed`, U = 0 (one
    /// input, always 0), b = 0, a 1×N zero readout.
    public static func network(hidden n: Int, gain: Double, seed: UInt64) -> RNNModel<Double> {
        var rng = SeededRandom(seed: seed)
        let v = Matrix<Double>.gaussian(rows: n, cols: n, std: gain / Double(n).squareRoot(), using: &rng)
        return RNNModel(u: Matrix(rows: n, cols: 1), v: v, b: [Double](repeating: 0, count: n), w: Matrix(rows: 1, cols: n), c: [0],
                        task: nil)
    }

    /// λ_1 … λ_K (natural log) of `network(hidden:gain:seed:)` over `steps` zero-input steps
    /// after `transient` more, from h_0 ~ N(0, 1) (drawn from `seed` + 1), Q_0 the first K
    /// columns of I, the forward convention.
    public static func spectrum(hidden n: Int, gain: Double, seed: UInt64, k: Int, steps: Int, transient: Int) throws -> [Double] {
        let model = network(hidden: n, gain: gain, seed: seed)
        var rng = SeededRandom(seed: seed &+ 1)
        let h0 = (0..<n).map { _ in rng.nextNormal() }
        let total = steps + transient
        let trace = try LyapunovTrace(model: model, sequence: [Double](repeating: 0, count: total), steps: total, k: k, initialState: h0,
                                      transient: transient)
        return trace.spectrum
    }
}
