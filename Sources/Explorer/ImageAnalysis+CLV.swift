import Linalg
import Lyapunov

/// The leading K covariant Lyapunov vectors of one analysis as coefficients in its Q frame:
/// V_t = Q_t C_t (C_t K×K upper triangular, unit columns) at steps W+1…T−W.
struct CovariantCoefficients: Sendable {
    /// The steps W+1…T−W that have C_t.
    let steps: ClosedRange<Int>
    /// W, the forward and backward transient.
    let window: Int
    /// C_t for t in `steps`, the first step first.
    let matrices: [Matrix<Double>]
    /// At each t in `steps`: the smallest angle (radians) between span(v_1…v_j) and
    /// span(v_{j+1}…v_K) over j (`CovariantLyapunovVectors.minimumSplittingAngle`; as `ftle clv`'s
    /// `min_angle` from its step W+1 on).
    let minAngles: [Double]

    /// C_t, or nil outside `steps`.
    func coefficients(atStep t: Int) -> Matrix<Double>? { steps.contains(t) ? matrices[t - steps.lowerBound] : nil }
}

extension ImageAnalysis {
    /// Ginelli's backward pass for this analysis (`CovariantLyapunovVectors.backwardCoefficients`):
    /// a second forward trace of the same sequence (same network, h_0, K, convention and
    /// Q_0, so its Q_t are the trace's) stores R_t (T·K² doubles); W = T/4 and C_T from seed 1,
    /// as `ftle clv` with its defaults (--seed 0), so the vectors are clv's for the same input.
    mutating func prepareCovariantVectors() throws {
        let window = steps / 4
        guard let compared = CovariantLyapunovVectors.comparedSteps(steps: steps, window: window) else { return }
        var rFactors = try CovariantLyapunovVectors.rFactors(network: network, sequence: sequence, steps: steps, k: directions,
                                                             initialState: initialState, jacobian: jacobian)
        let matrices = try CovariantLyapunovVectors.backwardCoefficients(rFactors: &rFactors, keep: compared, seed: 1)
        covariant = CovariantCoefficients(steps: compared, window: window, matrices: matrices,
                                          minAngles: matrices.map(CovariantLyapunovVectors.minimumSplittingAngle))
    }

    /// The CLV frame's answer at a step without CLVs: no cosines, a note saying where they are.
    func covariantNote(atStep t: Int) -> AlignmentResult {
        let window = steps / 4
        let text = covariant.map { "CLVs exist at steps \($0.steps.lowerBound)-\($0.steps.upperBound) (W = \($0.window) steps of forward and backward transient); t \(t) is outside" }
            ?? "no CLVs: the sequence is too short for W = \(window)"
        return AlignmentResult(analysisID: id, t: t, directions: 0, singularIndices: [], cosines: [], rank: 0, dimension: 0,
                               basis: .clv, note: text)
    }
}
