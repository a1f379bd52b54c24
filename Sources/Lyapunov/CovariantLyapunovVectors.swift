import Foundation
import Linalg
import RNN

/// Covariant Lyapunov vectors (CLVs) by Ginelli's method (Ginelli et al., PRL 99, 130601, 2007):
/// the frame-independent tangent directions the dynamics carries, D_{t+1} v_k(t) ∥ v_k(t+1), each
/// growing at its own rate λ_k.
///
/// Conventions (those of `LyapunovStepper`): steps are 1-based, Q_t R_t = D_t Q_{t−1} with R_t
/// upper triangular, diag(R_t) > 0, and v_k(t) lives at the state after t inputs. The leading K
/// CLVs at step t are V_t = Q_t C_t, where the upper-triangular C_t comes from a backward
/// iteration started at step T from a random upper-triangular C_T:
///
///     C'_{t−1} = R_t⁻¹ C_t,   C_{t−1} = C'_{t−1} diag(1/n(t)),   n_k(t) = ‖column k of C'_{t−1}‖.
///
/// Then D_t v_k(t−1) = Q_t R_t c_k(t−1) = v_k(t)/n_k(t), so the CLV's one-step growth is
/// ‖D_t v_k(t−1)‖ = 1/n_k(t) and its growth rate over a window is the mean of −ln n_k(t).
/// Both iterations need a transient: the forward one for Q_t to forget Q_0 (the first W
/// steps), the backward one for C_t to forget C_T (the last W steps). Vectors and rates are
/// given only for steps W ≤ t ≤ T − W.
///
/// Memory: R_t only (K×K a step) and Q_t at the requested steps: T·K² + |steps|·N·K doubles.
public struct CovariantLyapunovVectors: Sendable {
    /// K, the number of leading CLVs.
    public let k: Int
    /// T, the steps of the forward iteration.
    public let steps: Int
    /// W, the forward and the backward transient.
    public let window: Int
    /// V_t (N×K, unit columns, v_1 first) at each requested step.
    public let vectors: [Int: Matrix<Double>]
    /// C_t (K×K upper triangular, unit columns) at each requested step: V_t = Q_t C_t.
    public let coefficients: [Int: Matrix<Double>]
    /// The CLVs' finite-time growth rates over steps W+1…T−W (mean of ln ‖D_t v_k(t−1)‖), natural log.
    public let growthRates: [Double]
    /// The Q frame's exponents over the same steps W+1…T−W: the mean of ln r_t^k = ln [R_t]_kk
    /// (natural log), for comparison with `growthRates` (they differ by boundary terms only).
    public let ftleWindow: [Double]
    /// At each step t = W…T−W (index t − W): the smallest principal angle, in radians, between
    /// span(v_1…v_j) and span(v_{j+1}…v_K) over j = 1…K−1 (near 0: the splitting is close to
    /// tangent, the dynamics not hyperbolic there). Empty when K = 1.
    public let minAngles: [Double]

    /// The CLVs of a computed trace: `rFactors[t−1]` = R_t (K×K) for t = 1…T, `frames[t]` = Q_t
    /// (N×K) for each requested step, `window` W (T ≥ 2W + 1; every requested step in W…T−W),
    /// C_T drawn from `seed` (upper triangular, entries N(0, 1), positive diagonal).
    public init(rFactors: [Matrix<Double>], frames: [Int: Matrix<Double>], window: Int, seed: UInt64 = 0) {
        let steps = rFactors.count
        precondition(steps >= 2 * window + 1 && window >= 0, "T must be at least 2W + 1")
        precondition(frames.keys.allSatisfy { $0 >= window && $0 <= steps - window }, "requested steps must lie in W…T−W")
        let k = rFactors.first?.rows ?? 0
        self.k = k; self.steps = steps; self.window = window
        var c = Self.randomStart(k: k, seed: seed)
        var logGrowthSums = [Double](repeating: 0, count: k)
        var coefficients: [Int: Matrix<Double>] = [:]
        var angles = [Double](repeating: 0, count: steps - 2 * window + 1)
        if frames[steps] != nil { coefficients[steps] = c }
        if window == 0 { angles[steps] = Self.minimumSplittingAngle(c) }   // t = T is in W…T−W
        // t runs T…1: C_{t−1} from C_t and R_t.
        for t in stride(from: steps, through: 1, by: -1) {
            c = Self.solveUpperTriangular(rFactors[t - 1], c, upperTriangularB: true)
            let norms = Self.normaliseColumns(&c)
            if t > window && t <= steps - window {
                for j in 0..<k { logGrowthSums[j] -= Foundation.log(norms[j]) }
            }
            let previous = t - 1
            if frames[previous] != nil { coefficients[previous] = c }
            if previous >= window && previous <= steps - window {
                angles[previous - window] = Self.minimumSplittingAngle(c)
            }
        }
        let span = Double(max(steps - 2 * window, 1))
        growthRates = logGrowthSums.map { $0 / span }
        ftleWindow = (0..<k).map { j in
            rFactors[window..<(steps - window)].map { Foundation.log($0[j, j]) }.reduce(0, +) / span
        }
        self.coefficients = coefficients
        vectors = coefficients.reduce(into: [:]) { out, entry in out[entry.key] = matmul(frames[entry.key]!, entry.value) }
        minAngles = k > 1 ? angles : []
    }

    /// The CLVs along `sequence` (T×I values) of `network` from `initialState` (zero when nil),
    /// Q_0 = the first K columns of I, the `jacobian` convention's tangent map; V_t at `at`.
    public init(network: Network, sequence: [Double], steps: Int, k: Int, at requested: [Int], window: Int,
                initialState: [Double]? = nil, jacobian: JacobianConvention = .forward, seed: UInt64 = 0) throws {
        var trace = LyapunovTrace(notStarted: network, sequence: sequence, steps: steps, k: k, initialState: initialState,
                                  jacobian: jacobian)
        var rFactors: [Matrix<Double>] = []
        rFactors.reserveCapacity(steps)
        var frames: [Int: Matrix<Double>] = [:]
        let wanted = Set(requested)
        if wanted.contains(0) { frames[0] = trace.initialFrame }
        for t in 1...steps {
            try trace.advance(by: 1)
            rFactors.append(trace.stepper.r)
            if wanted.contains(t) { frames[t] = trace.stepper.q }
        }
        self.init(rFactors: rFactors, frames: frames, window: window, seed: seed)
    }

    /// The backward iteration's start C_T: K×K upper triangular, entries N(0, 1) drawn from
    /// `seed` column by column, the diagonal's absolute value plus 0.1, unit columns.
    static func randomStart(k: Int, seed: UInt64) -> Matrix<Double> {
        var rng = SeededRandom(seed: seed)
        var c = Matrix<Double>(rows: k, cols: k)
        for j in 0..<k {
            for i in 0...j { c[i, j] = i == j ? abs(rng.nextNormal()) + 0.1 : rng.nextNormal() }
        }
        normaliseColumns(&c)
        return c
    }

    /// X = R⁻¹ B for an upper-triangular R (K×K, nonzero diagonal) by back substitution. With
    /// `upperTriangularB` (B upper triangular, as C_t is) X is upper triangular too and only
    /// its upper triangle is computed: K³/6 multiply-adds instead of K³/2, the same values.
    static func solveUpperTriangular(_ r: Matrix<Double>, _ b: Matrix<Double>, upperTriangularB: Bool = false) -> Matrix<Double> {
        let n = r.rows
        var x = b
        for j in 0..<b.cols {
            let last = upperTriangularB ? min(j, n - 1) : n - 1
            for i in stride(from: last, through: 0, by: -1) {
                var s = x[i, j]
                for p in (i + 1)..<(last + 1) { s -= r[i, p] * x[p, j] }
                x[i, j] = s / r[i, i]
            }
        }
        return x
    }

    /// Scales every column of `c` to unit length; returns the norms it divided by.
    @discardableResult
    static func normaliseColumns(_ c: inout Matrix<Double>) -> [Double] {
        (0..<c.cols).map { j in
            var norm = 0.0
            for i in 0..<c.rows { norm += c[i, j] * c[i, j] }
            norm = norm.squareRoot()
            for i in 0..<c.rows { c[i, j] /= norm }
            return norm
        }
    }

    /// min over j of the smallest principal angle between span(c_1…c_j) and span(c_{j+1}…c_K)
    /// for an upper-triangular C with nonzero diagonal: span(c_1…c_j) = span(e_1…e_j), so the
    /// sine of the angle is σ_min of the lower (K−j)×(K−j) block of an orthonormal basis of
    /// span(c_{j+1}…c_K). Angles in V_t = Q_t C_t are the same (Q_t has orthonormal columns).
    public static func minimumSplittingAngle(_ c: Matrix<Double>) -> Double {
        let k = c.cols
        guard k > 1 else { return .pi / 2 }
        var smallest = Double.pi / 2
        for j in 1..<k {
            guard let basis = try? thinQR(c.columns(j..<k)).q else { return .nan }
            var lower = Matrix<Double>(rows: k - j, cols: k - j)
            for col in 0..<(k - j) { for row in j..<k { lower[row - j, col] = basis[row, col] } }
            guard let s = try? svd(lower).s, let sine = s.last else { return .nan }
            smallest = min(smallest, asin(min(1, max(0, sine))))
        }
        return smallest
    }
}
