import Linalg
import RNN

/// The CLV frame of a whole trace, step by step, for studies that need V_t at every step (the
/// alignment study's `--frame clv`) rather than at a few requested ones.
extension CovariantLyapunovVectors {
    /// The steps at which a trace of T steps with transient W has compared CLVs: W+1…T−W
    /// (the steps whose one-step growth enters `growthRates`). Nil when T < 2W + 1.
    public static func comparedSteps(steps: Int, window: Int) -> ClosedRange<Int>? {
        guard window >= 0, steps >= 2 * window + 1 else { return nil }
        return (window + 1)...(steps - window)
    }

    /// Ginelli's backward iteration over stored R factors (`rFactors[t−1]` = R_t, K×K upper
    /// triangular, t = 1…T), from C_T = `randomStart(k:seed:)`, the same iteration as
    /// `init(rFactors:frames:window:seed:)`: C_{t−1} = R_t⁻¹ C_t with unit columns. Returns
    /// C_t (K×K, upper triangular, unit columns, positive diagonal) for each t in `keep`
    /// (1 ≤ keep.lowerBound, keep.upperBound ≤ T), `keep.lowerBound` first. Each R_t is
    /// released once used, so the peak is T·K² doubles (R_t of the steps not yet reached
    /// plus C_t of the kept steps passed). Throws when some R_t has a diagonal entry that
    /// is not positive and finite (a tangent direction lost: the CLVs are undefined).
    public static func backwardCoefficients(rFactors: inout [Matrix<Double>], keep: ClosedRange<Int>, seed: UInt64) throws
        -> [Matrix<Double>] {
        let steps = rFactors.count
        precondition(keep.lowerBound >= 1 && keep.upperBound <= steps, "kept steps must lie in 1…T")
        let k = rFactors.first?.rows ?? 0
        var c = randomStart(k: k, seed: seed)
        var kept = [Matrix<Double>?](repeating: nil, count: keep.count)
        if keep.contains(steps) { kept[steps - keep.lowerBound] = c }
        for t in stride(from: steps, through: max(keep.lowerBound + 1, 1), by: -1) {
            let r = rFactors[t - 1]
            if let bad = (0..<k).first(where: { !(r[$0, $0] > 0) || !r[$0, $0].isFinite }) {
                throw CellError("R_\(t)[\(bad + 1), \(bad + 1)] = \(r[bad, bad]): tangent direction \(bad + 1) collapsed at step \(t), so the covariant Lyapunov vectors are undefined there")
            }
            c = solveUpperTriangular(r, c, upperTriangularB: true)
            normaliseColumns(&c)
            rFactors[t - 1] = Matrix<Double>(rows: 0, cols: 0)
            if keep.contains(t - 1) { kept[t - 1 - keep.lowerBound] = c }
        }
        return kept.map { $0! }
    }

    /// R_1…R_T of one forward pass of the QR iteration (identity Q_0, streamed: T·K² doubles
    /// kept), the input of Ginelli's backward pass.
    public static func rFactors(network: Network, sequence: [Double], steps: Int, k: Int, initialState: [Double]?,
                                jacobian: JacobianConvention) throws -> [Matrix<Double>] {
        var trace = LyapunovTrace(notStarted: network, sequence: sequence, steps: steps, k: k, initialState: initialState,
                                  jacobian: jacobian, rows: .streamed)
        var factors: [Matrix<Double>] = []
        factors.reserveCapacity(steps)
        for _ in 0..<steps {
            try trace.advance(by: 1)
            factors.append(trace.stepper.r)
        }
        return factors
    }

    /// Calls `body(t, V_t)` for t = W+1…T−W in order, V_t (N×K, unit columns v_1…v_K, each
    /// signed so that v_k · q_k(t) > 0) the leading K CLVs along `sequence` (T×I values) of
    /// `network` from `initialState` (zero when nil), Q_0 = the first K columns of I, the
    /// `jacobian` convention's tangent map, C_T drawn from `seed`. Two forward passes (the
    /// first storing R_t, the second recomputing Q_t bit for bit, since the stepper is
    /// deterministic) around one backward pass: the peak is about T·K² doubles, not the
    /// T·N·K of stored frames.
    public static func forEachFrame(network: Network, sequence: [Double], steps: Int, k: Int, window: Int,
                                    initialState: [Double]? = nil, jacobian: JacobianConvention = .forward, seed: UInt64 = 0,
                                    _ body: (Int, Matrix<Double>) throws -> Void) throws {
        guard let compared = comparedSteps(steps: steps, window: window) else {
            throw CellError("the CLV window W = \(window) needs T ≥ 2W + 1 = \(2 * window + 1) steps; the sequence has T = \(steps)")
        }
        var rFactors = try Self.rFactors(network: network, sequence: sequence, steps: steps, k: k, initialState: initialState,
                                         jacobian: jacobian)
        let coefficients = try backwardCoefficients(rFactors: &rFactors, keep: compared, seed: seed)
        var second = LyapunovTrace(notStarted: network, sequence: sequence, steps: steps, k: k, initialState: initialState,
                                   jacobian: jacobian, rows: .streamed)
        for t in 1...compared.upperBound {
            try second.advance(by: 1)
            if t >= compared.lowerBound { try body(t, matmul(second.stepper.q, coefficients[t - compared.lowerBound])) }
        }
    }
}
