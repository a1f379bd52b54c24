import Linalg
import Lyapunov
import MNIST
import RNN

/// Gradient-subspace alignment of one sample through a single-layer GRU or LSTM: at each step
/// t, the cosines between the Lyapunov vectors Q_t and the singular vectors of
/// ΔW_t = ∂ℓ_t/∂W_hk, the gradient of one gate block k of the recurrent weights (H×H).
///
/// W_hk acts on h, so its right singular vectors live in h's space (H dimensions):
/// - GRU: the state is h, and A_t = Q_tᵀ E exactly as for a vanilla RNN's V (K = H).
/// - LSTM: the state is [h; c] (2H) and Q_t has 2H rows. A_t compares E with the h-components
///   of the 2H Q vectors, each re-normalised to unit length, so that entries stay cosines in
///   [−1, 1] comparable with the vanilla and GRU studies (K = 2H). A Q vector with no
///   h-component (norm below 1e-12) has no direction in h's space: its cosines are 0. The
///   c-part is left out because no gate's recurrent weights read c.
public struct GatedSampleAlignment: Sendable {
    public let trace: LyapunovTrace
    public let prefix: GatedPrefixGradients
    public let gate: Int
    public let side: SingularSide

    /// The full-frame trace (K = state size, frames kept) from `initialState` under `jacobian`,
    /// and the gate's prefix gradients from the same h_0, or from `gradientInitialState`.
    public init(network: GatedNetwork, sequence: [Double], steps: Int, label: Int, initialState: [Double]?, gate: Int,
                side: SingularSide = .right, jacobian: JacobianConvention = .forward,
                gradientInitialState: [Double]? = nil) throws {
        precondition(network.layers.count == 1 && gate >= 0 && gate < network.cell.gateCount, "one gated layer and a gate block")
        trace = try LyapunovTrace(network: Network(network), sequence: sequence, steps: steps, initialState: initialState,
                                  keepFrames: true, jacobian: jacobian)
        prefix = GatedPrefixGradients(network: network, sequence: sequence, steps: steps, label: label,
                                      initialState: gradientInitialState ?? initialState)
        self.gate = gate
        self.side = side
    }

    /// A_t: K×H, entry (i, j) = cosine of q_i(t)'s h-component with the j-th singular vector of
    /// ΔW_t (singular values non-increasing).
    public func alignment(atStep t: Int) throws -> Matrix<Double> {
        let h = prefix.network.layers[0].hidden
        let q = Self.hComponents(of: trace.frames![t - 1], hidden: h)
        return try SampleAlignment.alignment(q: q, deltaV: prefix.gradient(atStep: t, gate: gate), side: side)
    }

    /// Calls `body(t, A_t)` for t = 1…T in order, with A_t as `alignment(atStep:)` gives it,
    /// holding one frame at a time (see `SampleAlignment.forEachStep`).
    public static func forEachStep(network: GatedNetwork, sequence: [Double], steps: Int, label: Int, initialState: [Double]?,
                                   gate: Int, side: SingularSide = .right, jacobian: JacobianConvention = .forward,
                                   gradientInitialState: [Double]? = nil,
                                   _ body: (Int, Matrix<Double>) throws -> Void) throws {
        try forEachRankedStep(network: network, sequence: sequence, steps: steps, label: label, initialState: initialState, gate: gate,
                              side: side, jacobian: jacobian, gradientInitialState: gradientInitialState) { t, ranked in
            try body(t, ranked.cosines)
        }
    }

    /// `forEachStep` with each A_t's singular values and numerical rank (of ΔW_t, H×H).
    public static func forEachRankedStep(network: GatedNetwork, sequence: [Double], steps: Int, label: Int, initialState: [Double]?,
                                         gate: Int, side: SingularSide = .right, jacobian: JacobianConvention = .forward,
                                         gradientInitialState: [Double]? = nil,
                                         _ body: (Int, SampleAlignment.Ranked) throws -> Void) throws {
        precondition(network.layers.count == 1 && gate >= 0 && gate < network.cell.gateCount, "one gated layer and a gate block")
        var trace = LyapunovTrace(notStarted: Network(network), sequence: sequence, steps: steps, initialState: initialState,
                                  jacobian: jacobian)
        let prefix = GatedPrefixGradients(network: network, sequence: sequence, steps: steps, label: label,
                                          initialState: gradientInitialState ?? initialState)
        let h = network.layers[0].hidden
        for t in 1...steps {
            try trace.advance(by: 1)
            let q = hComponents(of: trace.stepper.q, hidden: h)
            try body(t, SampleAlignment.rankedAlignment(q: q, deltaV: prefix.gradient(atStep: t, gate: gate), side: side))
        }
    }

    /// The first `hidden` rows of each column of `q`, scaled to unit length (columns whose
    /// h-part has norm < 1e-12 become 0). `q` itself when it has only `hidden` rows (a GRU).
    public static func hComponents(of q: Matrix<Double>, hidden h: Int) -> Matrix<Double> {
        guard q.rows > h else { return q }
        var out = Matrix<Double>(rows: h, cols: q.cols)
        for j in 0..<q.cols {
            var norm = 0.0
            for i in 0..<h { norm += q[i, j] * q[i, j] }
            norm = norm.squareRoot()
            guard norm >= 1e-12 else { continue }
            for i in 0..<h { out[i, j] = q[i, j] / norm }
        }
        return out
    }
}

extension AlignmentStudy {
    /// The study for gate block `gate` (0-based, `cell.gateNames` order) of a single-layer GRU or
    /// LSTM over `sequences` (T×I values each) with their labels: Q groups over the K = state
    /// size Lyapunov vectors, singular vectors of ∂ℓ_t/∂W_hk in h's space (see
    /// `GatedSampleAlignment`). Everything else as the vanilla study; the same `threads`
    /// independence.
    public init(network: GatedNetwork, gate: Int, sequences: [[Double]], labels: [Int], steps: Int, options o: Options,
                threads: Int = 1, progress: (Int, Int) -> Void = { _, _ in }) throws {
        precondition(network.layers.count == 1, "the study compares Q with one gated layer's recurrent gradient")
        precondition(sequences.count == o.samples && labels.count == o.samples)
        try self.init(qCount: network.stateSize, hidden: network.layers[0].hidden, steps: steps, options: o, threads: threads,
                      progress: progress) { n, h0, gradientH0, body in
            try GatedSampleAlignment.forEachRankedStep(network: network, sequence: sequences[n], steps: steps, label: labels[n],
                                                 initialState: h0, gate: gate, side: o.side, jacobian: o.jacobian,
                                                 gradientInitialState: gradientH0, body)
        }
    }
}
