import Foundation
import Linalg
import RNN

/// Which linear map carries the tangent frame from step to step.
///
/// - `forward` (the default): Q_t R_t = D_t Q_{t−1}, D_t = ∂h_t/∂h_{t−1} — the paper's Alg. 1
///   (its eqs. 1–2 read as the transposed one: eq. 1's J_t is D_tᵀ). The gradient identity of
///   its eqs. 10–12 (∂h_s/∂h_t = Q_s R_s⋯R_{t+1} Q_tᵀ with a full frame) holds for this
///   convention only.
/// - `transposed`: Q_t R_t = D_tᵀ Q_{t−1} — what the paper's code computes (`lyapunov.py:57`,
///   Z = Jᵀ Q), its eqs. 1–2 write, and its eq. 9 writes with eq. 8's J_t = D_t; the published
///   alignment numbers come from it. D_tᵀ has the same singular values as D_t but not the same
///   products, so the r values and the frames differ.
public enum JacobianConvention: String, Sendable, Codable, CaseIterable {
    case forward, transposed
}

/// The tangent-space QR iteration of the Lyapunov method for one input sequence, one step
/// at a time, in Float64.
///
/// Conventions (the same in CLI help and README):
/// - the state advances as h_t = tanh(V h_{t−1} + U x_t + b); a stacked or ReLU model
///   advances its whole state s_t = [h¹_t; …; hᴸ_t] (N = Σ H_k; `h` is s_t then);
/// - the Jacobian is D_t = ∂h_t/∂h_{t−1} = diag(1 − h_t²)·V (the paper writes its transpose
///   J_t = D_tᵀ; we propagate with D_t); for a stacked model D_t = ∂s_t/∂s_{t−1} is block
///   lower-triangular (`Network.tangent`), with φ′ the step function (0 at 0) for ReLU;
/// - the frame evolves as Q_t R_t = D_t Q_{t−1} (or D_tᵀ Q_{t−1} under the `transposed`
///   convention; thin QR, Q_t is H×K, R_t is K×K with diag(R_t) ≥ 0); Q_0 is the first K
///   columns of the identity (for a stacked network under the transposed convention with the
///   coordinates taken top layer first: `identityColumnsTopLayerFirst`) or a seeded random
///   orthonormal frame;
/// - r_t^k = [R_t]_kk and λ_k(t) = (1/t) Σ_{s ≤ t} ln r_s^k in natural log. A zero r gives
///   ln r = −∞, carried as −∞ (never NaN); λ_k is then −∞ from that step on.
/// - With a transient of M steps, steps 1…M move h and Q but are not accumulated:
///   λ_k(t) = (1/(t − M)) Σ_{M < s ≤ t} ln r_s^k for t > M.
///
/// The stepper is a value: copying it snapshots the whole state (h, Q, sums). The explorer
/// keeps such snapshots every few steps and replays from the nearest one to step backwards
/// (`ImageAnalysis` in the Explorer module).
public struct LyapunovStepper: Sendable {
    /// The network stepped: a stack of any cells.
    public let network: Network
    /// The single tanh `Elman` layer of the fused fast path (nil: the network's own layer-by-layer
    /// tangent map, `Network.tangent`).
    private let fast: Elman?
    /// Number of tangent directions K (1 ≤ K ≤ N).
    public let k: Int
    public let jacobian: JacobianConvention
    public let transient: Int
    /// Steps taken so far (t of the state below).
    public private(set) var t: Int = 0
    /// h_t (s_t, N entries, for a stacked model).
    public private(set) var h: [Double]
    /// Q_t, N×K (formed from the reflectors when the frame is kept implicit).
    public var q: Matrix<Double> {
        if let implicitFrame, t > 0 { return implicitFrame.explicitQ }
        return fusesState ? frame.columns(0..<k) : frame
    }
    /// q_t^1, the first column of Q_t (O(N) when the frame is implicit).
    public var firstDirection: [Double] {
        if let implicitFrame, t > 0 { return implicitFrame.firstColumn }
        return frame.column(0)
    }
    /// The full frame (K = N ≥ `HouseholderFrame.minimumSize`, forward convention, the tanh fast
    /// path, `QRMethod.automatic`, BLAS on one thread: see `ImplicitFrame`) kept as Householder
    /// reflectors after the first step:
    /// D_t Q_{t−1} is V·Q_{t−1} by xORMQR and the step's QR is xGEQRF, 3.3N³ flops instead of
    /// the 6.7N³ of an explicit frame with CholeskyQR2 (measured faster from N = 256 on, on one
    /// BLAS thread). nil:
    /// the frame is `frame`.
    private var implicitFrame: HouseholderFrame<Double>?
    /// Q_t, or [Q_t | h_t] (H×(K+1)) when `fusesState`.
    private var frame: Matrix<Double>
    /// K < H: V·[Q_{t−1} | h_{t−1}] is one product, so V is read from memory once per step
    /// instead of twice (gemv + gemm; K = 32 of H = 512: 2–4 % of the step). At K = H the extra
    /// column costs more than the gemv it saves.
    private let fusesState: Bool
    /// R_t, K×K (zero before the first step). Formed on demand: the step keeps CholeskyQR2's
    /// two triangular factors (R_t = R₂R₁) and reads ln r_t^k from their diagonals, which
    /// saves a K³/3 product per step that only callers of `r` need.
    public var r: Matrix<Double> {
        if let implicitFrame, t > 0 { return implicitFrame.r }
        return rIsSplit ? upperTriangularProduct(rOuter, rInner) : rInner
    }
    /// R₁ of the last step, or all of R_t when `rIsSplit` is false.
    private var rInner: Matrix<Double>
    /// R₂ of the last step when `rIsSplit`.
    private var rOuter: Matrix<Double>
    private var rIsSplit = false
    /// Σ ln r_s^k over the accumulated steps (−∞ allowed).
    public private(set) var logSums: [Double]
    /// ln r_t^k of the last step.
    public private(set) var logR: [Double]

    /// Vᵀ, stored once: V·Q is computed as (Vᵀ)ᵀ·Q, which OpenBLAS packs faster when Q is
    /// thin (K = 32 of H = 512: 0.21 ms instead of 0.26 ms per product; the same at K = H).
    private let vTransposed: Matrix<Double>
    private var workspace: QRWorkspace<Double>
    private var ax: [Double]
    private var jq: Matrix<Double>
    private var derivative: [Double]
    /// diag(1 − h_t²) Q_{t−1} (transposed convention only).
    private var scaledFrame: Matrix<Double>
    /// True when the last step's QR fell back to Householder (ill-conditioned D_t Q_{t−1}).
    public var lastStepUsedHouseholder: Bool { implicitFrame != nil || workspace.lastUsedHouseholder }

    /// Where the frame starts.
    public enum InitialFrame: Sendable, Equatable {
        case identity
        case random(seed: UInt64)
    }

    /// When a full frame is kept implicit (`HouseholderFrame`): only for K = N ≥
    /// `HouseholderFrame.minimumSize`, the forward convention, the tanh fast path and
    /// `QRMethod.automatic`, and then:
    public enum ImplicitFrame: Sendable, Equatable {
        /// When it is the faster path: BLAS on one thread. Measured on the AMD EPYC (Zen
        /// kernels), N = 512, T = 100, `farm-bench` medians of 5 pairs: one thread, implicit
        /// 0.79× the time of CholeskyQR2 with an explicit frame; two threads, 1.25× (xGEQRF's
        /// panel factorisation and xORMQR do not scale as gemm and syrk do).
        case whenFaster
        /// Whenever it applies (tests of the implicit path).
        case always
        case never
    }

    public init(model: RNNModel<Double>, k: Int? = nil, initialState h0: [Double]? = nil,
                initialFrame: InitialFrame = .identity, transient: Int = 0, qrMethod: QRMethod = .automatic,
                jacobian: JacobianConvention = .forward, implicitFrame implicitPolicy: ImplicitFrame = .whenFaster) {
        self.init(network: Network(model), k: k, initialState: h0, initialFrame: initialFrame, transient: transient,
                  qrMethod: qrMethod, jacobian: jacobian, implicitFrame: implicitPolicy)
    }

    /// A stepper of any network (K ≤ N, the state size: 2H per LSTM layer).
    public init(network: Network, k: Int? = nil, initialState h0: [Double]? = nil,
                initialFrame: InitialFrame = .identity, transient: Int = 0, qrMethod: QRMethod = .automatic,
                jacobian: JacobianConvention = .forward, implicitFrame implicitPolicy: ImplicitFrame = .whenFaster) {
        let hidden = network.stateSize, kk = k ?? hidden
        precondition(kk >= 1 && kk <= hidden, "K must be in 1...N")
        precondition(transient >= 0)
        self.network = network
        self.k = kk
        self.transient = transient
        self.jacobian = jacobian
        h = h0 ?? [Double](repeating: 0, count: hidden)
        precondition(h.count == hidden, "h_0 must have N entries")
        fast = network.singleTanhElman
        switch initialFrame {
        case .identity where jacobian == .transposed && network.layers.count > 1:
            frame = Self.identityColumnsTopLayerFirst(network, kk)
        case .identity: frame = .identityColumns(hidden, kk)
        case let .random(seed):
            var rng = SeededRandom(seed: seed)
            frame = .randomOrthonormal(rows: hidden, cols: kk, using: &rng)
        }
        // D_tᵀ Q = Vᵀ diag(1 − h_t²) Q needs h_t before the product, so nothing fuses there.
        fusesState = kk < hidden && jacobian == .forward && fast != nil
        let implicitApplies = kk == hidden && hidden >= HouseholderFrame<Double>.minimumSize && jacobian == .forward && fast != nil
            && qrMethod == .automatic
        let implicitWanted = switch implicitPolicy {
        case .whenFaster: blasThreads == 1
        case .always: true
        case .never: false
        }
        implicitFrame = implicitApplies && implicitWanted ? HouseholderFrame(size: hidden) : nil
        frame.storage.reserveCapacity(hidden * (kk + 1))
        if fusesState { frame.appendColumn(h) }
        rInner = Matrix(rows: kk, cols: kk)
        rOuter = Matrix(rows: kk, cols: kk)
        logSums = [Double](repeating: 0, count: kk)
        logR = [Double](repeating: 0, count: kk)
        workspace = QRWorkspace(rows: hidden, cols: kk, method: qrMethod)
        vTransposed = fast?.v.transposed ?? Matrix(rows: 0, cols: 0)
        ax = [Double](repeating: 0, count: hidden)
        jq = Matrix(rows: hidden, cols: fusesState ? kk + 1 : kk)
        derivative = [Double](repeating: 0, count: hidden)
        scaledFrame = jacobian == .transposed ? Matrix(rows: hidden, cols: kk) : Matrix(rows: 0, cols: 0)
    }

    /// The first K columns of the identity with the state's coordinates taken layer L first
    /// (layer L's H_L coordinates, then layer L − 1's, …): the identity start of a stacked
    /// network under the transposed convention. D_tᵀ is block upper-triangular, so the plain
    /// identity's first columns (layer 1's coordinates) span an invariant subspace and the
    /// frame would never leave layer 1 (K ≤ N_1: layer 1's exponents only; K = N: each layer's
    /// exponents apart, unsorted). Layer L's coordinates are not invariant under D_tᵀ, as layer
    /// 1's are not under D_t in the forward convention.
    static func identityColumnsTopLayerFirst(_ network: Network, _ k: Int) -> Matrix<Double> {
        let offsets = network.stateOffsets
        let order = network.layers.indices.reversed().flatMap { offsets[$0]..<offsets[$0 + 1] }
        var frame = Matrix<Double>(rows: network.stateSize, cols: k)
        for j in 0..<k { frame[order[j], j] = 1 }
        return frame
    }

    /// Bytes of Float64 storage one stepper holds (frame, product, scaled frame, both R
    /// factors, the QR workspace's Gram matrix, Vᵀ excluded as copies share it): what a
    /// snapshot costs.
    public var snapshotBytes: Int {
        8 * (frame.storage.capacity + jq.storage.capacity + scaledFrame.storage.count + 3 * k * k
             + h.count + ax.count + derivative.count)
    }

    /// Steps accumulated into the exponents so far (t − M, at least 0).
    public var accumulatedSteps: Int { max(0, t - transient) }

    /// λ_k(t) for k = 1…K (NaN before the first accumulated step; −∞ after a zero r).
    public var exponents: [Double] {
        let n = accumulatedSteps
        guard n > 0 else { return [Double](repeating: .nan, count: k) }
        return logSums.map { $0 == -.infinity ? -.infinity : $0 / Double(n) }
    }

    /// Advances one step with input x_{t+1} (I values): updates h, Q, R, ln r and the sums.
    /// Throws `LinalgError.nonFiniteInput` if the state or frame stops being finite.
    public mutating func step(input x: [Double]) throws {
        precondition(x.count == network.inputSize, "input has \(x.count) values, the model takes \(network.inputSize)")
        if fast == nil {
            // s_t and D_t Q_{t−1} (or D_tᵀ Q_{t−1}) layer by layer
            let previous = h
            let (next, layerSteps) = network.step(state: h, input: x)
            h = next
            jq = jacobian == .forward ? network.tangent(layerSteps, state: previous, frame)
                : network.tangentTransposed(layerSteps, state: previous, frame)
        } else if let model = fast, jacobian == .forward {
            // V Q_{t−1} into jq, and V h_{t−1} into ax (the product's last column when fused)
            if let implicitFrame, t > 0 {
                implicitFrame.rightMultiply(model.v, into: &jq)
            } else {
                gemm(.transposed, vTransposed, .none, frame, into: &jq)
            }
            if fusesState { ax = jq.removeLastColumn() } else { gemv(.none, model.v, h, into: &ax) }
            // a = V h + U x + b;  h ← tanh(a)
            gemv(.none, model.u, x, beta: 1, into: &ax)
            for i in 0..<ax.count { h[i] = Foundation.tanh(ax[i] + model.b[i]) }
            // D_t Q_{t−1} = diag(1 − h_t²) (V Q_{t−1})
            for i in 0..<h.count { derivative[i] = 1 - h[i] * h[i] }
            scaleRows(&jq, by: derivative)
        } else if let model = fast {
            // a = V h + U x + b;  h ← tanh(a)
            gemv(.none, model.v, h, into: &ax)
            gemv(.none, model.u, x, beta: 1, into: &ax)
            for i in 0..<ax.count { h[i] = Foundation.tanh(ax[i] + model.b[i]) }
            // D_tᵀ Q_{t−1} = Vᵀ (diag(1 − h_t²) Q_{t−1})
            for i in 0..<h.count { derivative[i] = 1 - h[i] * h[i] }
            scaledFrame.storage.withUnsafeMutableBufferPointer { $0.update(fromContentsOf: frame.storage) }
            scaleRows(&scaledFrame, by: derivative)
            gemm(.none, vTransposed, .none, scaledFrame, into: &jq)
        }
        if implicitFrame != nil {
            // Q_t R_t = D_t Q_{t−1}, Q_t kept as reflectors (diag(R_t) ≥ 0)
            let diagonal = try implicitFrame!.factor(&jq)
            t += 1
            accumulate(diagonal)
            return
        }
        // Q_t R_t = D_t Q_{t−1}, diag(R_t) ≥ 0 (CholeskyQR2, Householder when ill-conditioned)
        do {
            rIsSplit = try workspace.factor(&jq, inner: &rInner, outer: &rOuter)
        } catch {
            // Keep the fused buffers' shapes, and put the non-finite h_t into the frame as the
            // separate path holds it in `h`, so the next step throws again rather than trapping
            // or resuming from h_{t−1}.
            if fusesState { jq.appendColumn(h); frame.setColumn(k, h) }
            throw error
        }
        if fusesState { jq.appendColumn(h) }
        swap(&frame, &jq)
        t += 1
        accumulate((0..<k).map { i in rIsSplit ? rOuter[i, i] * rInner[i, i] : rInner[i, i] })   // = diag(R₂R₁) exactly
    }

    /// ln r_t^k from diag(R_t) (≥ 0; 0 gives −∞), added to the sums after the transient.
    private mutating func accumulate(_ diagonal: [Double]) {
        let accumulate = t > transient
        for i in 0..<k {
            let d = diagonal[i]
            let l = d > 0 ? Foundation.log(d) : -Double.infinity
            logR[i] = l
            if accumulate { logSums[i] += l }
        }
    }
}
