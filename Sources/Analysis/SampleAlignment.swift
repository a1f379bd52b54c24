import Linalg
import Lyapunov
import RNN

/// Which tangent frame the alignment study compares with the gradient's singular vectors.
public enum AlignmentFrame: Sendable, Equatable {
    /// The Gram–Schmidt Lyapunov vectors q_k(t) (columns of Q_t), at every step 1…T.
    case q
    /// The Q vectors at the CLV frame's steps W+1…T−W only: the like-for-like comparison.
    case qSteps(window: Int)
    /// The covariant Lyapunov vectors v_k(t) = Q_t c_k(t) (Ginelli's method, C_T drawn from
    /// `seed`), at steps W+1…T−W only: both iterations forget their start over `window` W steps.
    /// They are unit vectors but not orthogonal, so a cosine v_k · e_j is still one between
    /// unit vectors (|v_k · e_j| ≤ 1), but the squares over k of one e_j need not sum to 1.
    case clv(window: Int, seed: UInt64)

    /// "q" or "clv".
    public var name: String { if case .clv = self { return "clv" } else { return "q" } }

    /// W, or nil for the Q frame at every step.
    public var window: Int? {
        switch self {
        case .q: return nil
        case .qSteps(let window), .clv(let window, _): return window
        }
    }

    /// The steps compared along a sequence of T steps: 1…T, or W+1…T−W (nil when T < 2W + 1).
    public func comparedSteps(steps: Int) -> ClosedRange<Int>? {
        switch self {
        case .q: return steps >= 1 ? 1...steps : nil
        case .qSteps(let window), .clv(let window, _): return CovariantLyapunovVectors.comparedSteps(steps: steps, window: window)
        }
    }
}

/// How a Q vector (N entries, the whole state) meets singular vectors that live in one layer's
/// h-rows of the state.
public enum QComponents: String, Sendable, CaseIterable {
    /// The true cosine in the state space: q_i · ê_j, ê_j the singular vector placed in h's rows
    /// (zeros elsewhere), i.e. the h-rows of q as they are. For one vanilla or GRU layer (N = H)
    /// it is q · e itself; ‖q_h‖ (`Ranked.qNorms`) says how much of q is in h's rows at all.
    case state
    /// The h-rows of q re-normalised to unit length (0 when their norm is below 1e-12), so that
    /// every entry spans [−1, 1] whatever part of q lies in h (ftle's earlier LSTM default).
    case renormalised
}

/// Gradient-subspace alignment of one sample (paper Figs. 1–2) for any network: at each step t,
/// the cosines A_t = Q_tᵀ E_t between the Lyapunov vectors (the full frame, K = N) and the
/// singular vectors of ΔW_t, the prefix gradient of a recurrent `WeightBlock` (the paper's
/// ΔV_t for one vanilla layer). E_t lives in the block's layer's h (`BlockPrefixGradients.stateRows`),
/// so A_t takes those rows of Q_t (`QComponents`).
public struct SampleAlignment: Sendable {
    public let trace: LyapunovTrace
    public let prefix: BlockPrefixGradients
    public let side: SingularSide
    public let qComponents: QComponents

    /// Runs the full-frame Lyapunov trace (K = N, frames kept) from `initialState` under the
    /// `jacobian` convention, and the prefix gradients of `block` from the same initial state
    /// or, when `gradientInitialState` is given, from there (the paper's code draws a second,
    /// independent h_0 for the gradients).
    public init(network: Network, block: WeightBlock, sequence: [Double], steps: Int, label: Int, initialState: [Double]?,
                side: SingularSide = .right, jacobian: JacobianConvention = .forward, qComponents: QComponents = .state,
                gradientInitialState: [Double]? = nil) throws {
        trace = try LyapunovTrace(network: network, sequence: sequence, steps: steps, initialState: initialState, keepFrames: true,
                                  jacobian: jacobian)
        prefix = try BlockPrefixGradients(network: network, block: block, sequence: sequence, steps: steps, label: label,
                                          initialState: gradientInitialState ?? initialState)
        try Self.checkSide(side, prefix)
        self.side = side
        self.qComponents = qComponents
    }

    /// A single vanilla layer's study of V (`weight_hh_l0`).
    public init(model: RNNModel<Double>, sequence: [Double], steps: Int, label: Int, initialState: [Double]?,
                side: SingularSide = .right, jacobian: JacobianConvention = .forward,
                gradientInitialState: [Double]? = nil) throws {
        try self.init(network: Network(model), block: WeightBlock(layer: 0), sequence: sequence, steps: steps, label: label,
                      initialState: initialState, side: side, jacobian: jacobian, gradientInitialState: gradientInitialState)
    }

    /// A_t: N×C (C = the block's rows for `.left`, H for `.right`), entry (i, j) = q_i(t) · e_j(t)
    /// (through `qComponents`) with e_j the j-th singular vector of ΔW_t (singular values in
    /// non-increasing order). Entries are in [−1, 1].
    public func alignment(atStep t: Int) throws -> Matrix<Double> {
        let q = Self.frame(trace.frames![t - 1], rows: prefix.stateRows, components: qComponents).q
        return try SampleAlignment.alignment(q: q, deltaV: prefix.gradient(atStep: t), side: side)
    }

    /// Calls `body(t, A_t)` for t = 1…T in order, with A_t exactly as `alignment(atStep:)` gives
    /// it, holding one frame at a time: the trace steps on while the alignments are taken, so
    /// memory is O(N² + T·N) instead of the T frames (T·N² doubles: 1.6 GB at N = 512, T = 784)
    /// the stored trace keeps.
    public static func forEachStep(network: Network, block: WeightBlock, sequence: [Double], steps: Int, label: Int,
                                   initialState: [Double]?, side: SingularSide = .right, jacobian: JacobianConvention = .forward,
                                   qComponents: QComponents = .state, gradientInitialState: [Double]? = nil,
                                   _ body: (Int, Matrix<Double>) throws -> Void) throws {
        try forEachRankedStep(network: network, block: block, sequence: sequence, steps: steps, label: label, initialState: initialState,
                              side: side, jacobian: jacobian, qComponents: qComponents, gradientInitialState: gradientInitialState) { t, ranked in
            try body(t, ranked.cosines)
        }
    }

    /// `forEachStep` with each A_t's singular values, numerical rank and ‖q_h‖ (`Ranked`).
    /// With `frame` `.clv(window: W, seed:)` the rows of A_t are the K = N covariant Lyapunov
    /// vectors v_k(t) (unit, not orthogonal; `CovariantLyapunovVectors.forEachFrame`) in place
    /// of q_k(t), and `body` is called for the steps W+1…T−W only (`AlignmentFrame.comparedSteps`);
    /// with `.qSteps(window: W)` the Q frame's alignments at those steps only.
    public static func forEachRankedStep(network: Network, block: WeightBlock, sequence: [Double], steps: Int, label: Int,
                                         initialState: [Double]?, side: SingularSide = .right, jacobian: JacobianConvention = .forward,
                                         qComponents: QComponents = .state, gradientInitialState: [Double]? = nil,
                                         frame lyapunovFrame: AlignmentFrame = .q,
                                         _ body: (Int, Ranked) throws -> Void) throws {
        let prefix = try BlockPrefixGradients(network: network, block: block, sequence: sequence, steps: steps, label: label,
                                              initialState: gradientInitialState ?? initialState)
        try checkSide(side, prefix)
        if case .clv(let window, let seed) = lyapunovFrame {
            try CovariantLyapunovVectors.forEachFrame(network: network, sequence: sequence, steps: steps, k: network.stateSize,
                                                      window: window, initialState: initialState, jacobian: jacobian, seed: seed) { t, v in
                let (vh, norms) = frame(v, rows: prefix.stateRows, components: qComponents)
                let ranked = try rankedAlignment(q: vh, deltaV: prefix.gradient(atStep: t), side: side)
                try body(t, Ranked(cosines: ranked.cosines, singularValues: ranked.singularValues, rank: ranked.rank, qNorms: norms))
            }
            return
        }
        var trace = LyapunovTrace(notStarted: network, sequence: sequence, steps: steps, initialState: initialState, jacobian: jacobian)
        guard let compared = lyapunovFrame.comparedSteps(steps: steps) else {
            throw CellError("the window W = \(lyapunovFrame.window ?? 0) needs T ≥ 2W + 1 steps; the sequence has T = \(steps)")
        }
        for t in 1...steps {
            try trace.advance(by: 1)
            guard compared.contains(t) else { continue }
            let (q, norms) = frame(trace.stepper.q, rows: prefix.stateRows, components: qComponents)
            let ranked = try rankedAlignment(q: q, deltaV: prefix.gradient(atStep: t), side: side)
            try body(t, Ranked(cosines: ranked.cosines, singularValues: ranked.singularValues, rank: ranked.rank, qNorms: norms))
        }
    }

    /// The single vanilla layer's `forEachRankedStep` (V = `weight_hh_l0`).
    public static func forEachRankedStep(model: RNNModel<Double>, sequence: [Double], steps: Int, label: Int, initialState: [Double]?,
                                         side: SingularSide = .right, jacobian: JacobianConvention = .forward,
                                         gradientInitialState: [Double]? = nil,
                                         _ body: (Int, Ranked) throws -> Void) throws {
        try forEachRankedStep(network: Network(model), block: WeightBlock(layer: 0), sequence: sequence, steps: steps, label: label,
                              initialState: initialState, side: side, jacobian: jacobian, gradientInitialState: gradientInitialState, body)
    }

    /// The rows `rows` of each column of `q` (the whole of q when they are all of it), as they
    /// are (`.state`) or scaled to unit length (`.renormalised`; columns whose part has norm
    /// below 1e-12 become 0); and each column's norm in those rows, ‖q_h‖.
    public static func frame(_ q: Matrix<Double>, rows: Range<Int>, components: QComponents) -> (q: Matrix<Double>, norms: [Double]) {
        let whole = rows.count == q.rows && components == .state
        var out = Matrix<Double>(rows: whole ? 0 : rows.count, cols: whole ? 0 : q.cols), norms = [Double](repeating: 0, count: q.cols)
        for j in 0..<q.cols {
            var norm = 0.0
            for i in rows { norm += q[i, j] * q[i, j] }
            norm = norm.squareRoot()
            norms[j] = norm
            if whole || (components == .renormalised && norm < 1e-12) { continue }
            for (r, i) in rows.enumerated() { out[r, j] = components == .renormalised ? q[i, j] / norm : q[i, j] }
        }
        return (whole ? q : out, norms)
    }

    /// Left singular vectors live in the block's row space: the layer's h only when the block
    /// has H rows (a vanilla layer's V, or one gate).
    static func checkSide(_ side: SingularSide, _ prefix: BlockPrefixGradients) throws {
        guard side == .left && prefix.rows.count != prefix.columns else { return }
        throw CellError("left singular vectors of \(prefix.block.parameterName) live in its \(prefix.rows.count) gate rows, not in a state space; choose one gate or the right singular vectors")
    }

    /// A_t with the singular values of ΔV_t and its numerical rank (see `numericalRank`):
    /// singular vectors past the rank span ΔV_t's null space, where LAPACK returns an arbitrary
    /// basis (it moves with the BLAS kernels), so a reader of `cosines` keeps to columns < rank.
    public struct Ranked: Sendable {
        /// K×H: Qᵀ E (or Qᵀ U), all H columns.
        public let cosines: Matrix<Double>
        /// σ_1 ≥ … ≥ σ_H of ΔV_t.
        public let singularValues: [Double]
        public let rank: Int
        /// ‖q_h‖ of each Q vector: the norm of its part in the singular vectors' space (all 1
        /// when that is the whole state; empty when not computed).
        public let qNorms: [Double]

        public init(cosines: Matrix<Double>, singularValues: [Double], rank: Int, qNorms: [Double] = []) {
            self.cosines = cosines; self.singularValues = singularValues; self.rank = rank; self.qNorms = qNorms
        }
    }

    /// `alignment(q:deltaV:side:)` with ΔV_t's singular values and numerical rank.
    public static func rankedAlignment(q: Matrix<Double>, deltaV: Matrix<Double>, side: SingularSide) throws -> Ranked {
        let f = try svd(deltaV, mode: .thin)
        let cosines = side == .right ? matmul(q, f.vt, .transposed, .transposed) : matmul(q, f.u, .transposed, .none)
        return Ranked(cosines: cosines, singularValues: f.s, rank: numericalRank(f.s, rows: deltaV.rows, cols: deltaV.cols))
    }

    /// The number of singular values above max(m, n) · ε · σ_1 (ε = 2.2e-16): LAPACK's and
    /// NumPy's `matrix_rank` default, the level below which a singular value is rounding error
    /// of a matrix with that largest one. 0 for a zero matrix. ΔV_t = Σ_{s≤t} g(s) h_{s−1}ᵀ has
    /// rank ≤ t, so for t < H its trailing singular vectors are past the rank.
    public static func numericalRank(_ singularValues: [Double], rows: Int, cols: Int) -> Int {
        guard let largest = singularValues.first, largest > 0 else { return 0 }
        let tolerance = Double(max(rows, cols)) * Double.ulpOfOne * largest
        return singularValues.filter { $0 > tolerance }.count
    }

    /// Qᵀ E (or Qᵀ U) for a frame Q (H×K) and a gradient ΔV (H×H): K×H.
    public static func alignment(q: Matrix<Double>, deltaV: Matrix<Double>, side: SingularSide) throws -> Matrix<Double> {
        let f = try svd(deltaV, mode: .thin)
        switch side {
        case .right: return matmul(q, f.vt, .transposed, .transposed)  // Qᵀ E with E = Vtᵀ
        case .left: return matmul(q, f.u, .transposed, .none)
        }
    }
}
