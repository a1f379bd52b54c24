import Foundation
import Linalg
import RNN

/// The Lyapunov quantities of one sequence, computed step by step: the only loop over
/// `LyapunovStepper` steps (the CLI, the experiments and the explorer all advance a trace).
///
/// Rows are steps t = 1…t_done (row t−1). `logR[t−1][k]` = ln r_t^k for every step (transient
/// included); `exponents[t−1][k]` = λ_k(t), NaN during the transient; `participationRatios[t−1]`
/// is the participation ratio of the first Q vector q_t^1. `states[t]` = h_t for t = 0…t_done.
/// `frames`/`rFactors` hold Q_t and R_t for t = 1…T only when asked for (T·H·K doubles);
/// `initialFrame` is Q_0. With `snapshotInterval` set, a copy of the stepper is kept every
/// that many steps, so `frame(atStep:)` recomputes any Q_t in fewer steps than the interval
/// without storing T frames.
public struct LyapunovTrace: Sendable {
    /// N, the size of the state (H for one layer).
    public let hidden: Int
    /// T, the length of the whole sequence.
    public let steps: Int
    public let k: Int
    public let transient: Int
    public let jacobian: JacobianConvention
    public private(set) var logR: [[Double]] = []
    public private(set) var exponents: [[Double]] = []
    public private(set) var participationRatios: [Double] = []
    public private(set) var states: [[Double]]
    public let initialFrame: Matrix<Double>
    public private(set) var frames: [Matrix<Double>]?
    public private(set) var rFactors: [Matrix<Double>]?
    /// The stepper after the last computed step (Q_t, R_t, h_t of t = `stepsDone`).
    public private(set) var stepper: LyapunovStepper
    /// Steps between kept stepper copies (nil: none kept).
    public let snapshotInterval: Int?
    private var snapshots: [LyapunovStepper] = []
    private let sequence: [Double]
    private let inputSize: Int
    /// Whether the per-step rows are kept.
    public let rows: Rows

    /// What a trace keeps of each step.
    public enum Rows: Sendable, Equatable {
        /// `logR`, `exponents`, `states`, `participationRatios` (and frames when asked for).
        case kept
        /// Nothing: `advance(by:onStep:)` hands each step to the caller.
        case streamed
    }

    /// The final exponents λ_k(T) (of the last computed step).
    public var spectrum: [Double] { exponents.last ?? [] }
    public var stepsDone: Int { stepper.t }
    public var isComplete: Bool { stepper.t == steps }

    /// A trace over `sequence` (T×I values, step-major), computed to the end unless
    /// `computeNow` is false (then `advance(by:)` computes it piece by piece).
    public init(model: RNNModel<Double>, sequence: [Double], steps: Int, k: Int? = nil, initialState: [Double]? = nil,
                initialFrame: LyapunovStepper.InitialFrame = .identity, transient: Int = 0, keepFrames: Bool = false,
                qrMethod: QRMethod = .automatic, jacobian: JacobianConvention = .forward,
                snapshotInterval: Int? = nil, computeNow: Bool = true) throws {
        try self.init(network: Network(model), sequence: sequence, steps: steps, k: k, initialState: initialState,
                      initialFrame: initialFrame, transient: transient, keepFrames: keepFrames, qrMethod: qrMethod,
                      jacobian: jacobian, snapshotInterval: snapshotInterval, computeNow: computeNow)
    }

    /// The same for any network of cells.
    public init(network: Network, sequence: [Double], steps: Int, k: Int? = nil, initialState: [Double]? = nil,
                initialFrame: LyapunovStepper.InitialFrame = .identity, transient: Int = 0, keepFrames: Bool = false,
                qrMethod: QRMethod = .automatic, jacobian: JacobianConvention = .forward,
                snapshotInterval: Int? = nil, computeNow: Bool = true) throws {
        self.init(notStarted: network, sequence: sequence, steps: steps, k: k, initialState: initialState, initialFrame: initialFrame,
                  transient: transient, keepFrames: keepFrames, qrMethod: qrMethod, jacobian: jacobian,
                  snapshotInterval: snapshotInterval)
        if computeNow { try advance(by: steps) }
    }

    /// A trace with no step computed yet (`advance(by:)` computes it).
    public init(notStarted model: RNNModel<Double>, sequence: [Double], steps: Int, k: Int? = nil, initialState: [Double]? = nil,
                initialFrame: LyapunovStepper.InitialFrame = .identity, transient: Int = 0, keepFrames: Bool = false,
                qrMethod: QRMethod = .automatic, jacobian: JacobianConvention = .forward, snapshotInterval: Int? = nil) {
        self.init(notStarted: Network(model), sequence: sequence, steps: steps, k: k, initialState: initialState,
                  initialFrame: initialFrame, transient: transient, keepFrames: keepFrames, qrMethod: qrMethod, jacobian: jacobian,
                  snapshotInterval: snapshotInterval)
    }

    /// A trace of any network of cells with no step computed yet.
    /// With `rows: .streamed` nothing is kept per step (no `logR`, `exponents`, `states`,
    /// `participationRatios`): the caller reads each step from `advance(by:onStep:)`, and
    /// memory is the stepper's whatever T·K is.
    public init(notStarted model: Network, sequence: [Double], steps: Int, k: Int? = nil, initialState: [Double]? = nil,
                initialFrame: LyapunovStepper.InitialFrame = .identity, transient: Int = 0, keepFrames: Bool = false,
                qrMethod: QRMethod = .automatic, jacobian: JacobianConvention = .forward, snapshotInterval: Int? = nil,
                rows: Rows = .kept) {
        precondition(rows == .kept || (!keepFrames && snapshotInterval == nil), "a streamed trace keeps no frames")
        inputSize = model.inputSize
        self.rows = rows
        precondition(sequence.count == steps * inputSize, "sequence must have T×I values")
        precondition(snapshotInterval.map { $0 >= 1 } ?? true, "snapshot interval must be at least 1")
        stepper = LyapunovStepper(network: model, k: k, initialState: initialState, initialFrame: initialFrame,
                                  transient: transient, qrMethod: qrMethod, jacobian: jacobian)
        self.sequence = sequence
        self.snapshotInterval = snapshotInterval
        self.jacobian = jacobian
        hidden = model.stateSize
        self.steps = steps
        self.k = stepper.k
        self.transient = transient
        self.initialFrame = stepper.q
        states = [stepper.h]
        logR.reserveCapacity(steps); exponents.reserveCapacity(steps); states.reserveCapacity(steps + 1)
        frames = keepFrames ? [] : nil
        rFactors = keepFrames ? [] : nil
    }

    /// Computes up to `count` more steps (fewer at the end of the sequence), calling `onStep`
    /// with the stepper after each (its `t` is the step just taken).
    public mutating func advance(by count: Int, onStep: ((LyapunovStepper) throws -> Void)? = nil) throws {
        for _ in 0..<count where stepper.t < steps {
            let t = stepper.t
            if let n = snapshotInterval, t % n == 0 { snapshots.append(stepper) }
            try stepper.step(input: input(atStep: t))
            try onStep?(stepper)
            guard rows == .kept else { continue }
            logR.append(stepper.logR)
            exponents.append(stepper.exponents)
            states.append(stepper.h)
            participationRatios.append(SpectrumStatistics.participationRatio(stepper.firstDirection))
            if frames != nil { frames!.append(stepper.q); rFactors!.append(stepper.r) }
        }
    }

    /// Q_t (H×K) for a computed step 0 ≤ t ≤ `stepsDone`: stored, or re-stepped from the
    /// nearest earlier snapshot (bit-identical to the first computation).
    public func frame(atStep t: Int) throws -> Matrix<Double> {
        precondition(t >= 0 && t <= stepsDone, "step \(t) is not computed yet")
        if t == 0 { return initialFrame }
        if let frames { return frames[t - 1] }
        if t == stepsDone { return stepper.q }
        guard let n = snapshotInterval, !snapshots.isEmpty else {
            preconditionFailure("frame(atStep:) needs keepFrames or a snapshot interval")
        }
        var replay = snapshots[min(t / n, snapshots.count - 1)]
        while replay.t < t { try replay.step(input: input(atStep: replay.t)) }
        return replay.q
    }

    /// h_0…h_t as the columns of an H×(t+1) matrix.
    public func stateMatrix(throughStep t: Int) -> Matrix<Double> {
        precondition(t >= 0 && t <= stepsDone)
        return Matrix(rows: hidden, cols: t + 1, columnMajor: states[0...t].flatMap { $0 })
    }

    /// x_{t+1} (0-based t), I values.
    private func input(atStep t: Int) -> [Double] { Array(sequence[(t * inputSize)..<((t + 1) * inputSize)]) }

    /// A snapshot interval for a trace of `steps` steps whose snapshots cost `bytesPerSnapshot`
    /// each: every 16 steps (T/8 for short sequences), widened so that all snapshots fit
    /// `budgetBytes` (with K = H = 512 and 96 MiB, about every 90 steps).
    public static func snapshotInterval(steps: Int, bytesPerSnapshot: Int, budgetBytes: Int = 96 << 20) -> Int {
        let preferred = max(1, min(16, steps / 8))
        let affordable = max(1, budgetBytes / max(bytesPerSnapshot, 1))
        return max(preferred, (steps + affordable - 1) / affordable)
    }
}

/// Summary statistics of a Lyapunov spectrum.
public enum SpectrumStatistics {
    /// Kaplan–Yorke (Lyapunov) dimension of exponents sorted in non-increasing order:
    /// D = j + (λ_1 + … + λ_j) / |λ_{j+1}|, with j the largest index whose partial sum is ≥ 0.
    /// 0 when λ_1 < 0; K when every partial sum is ≥ 0 (for a partial spectrum this is then
    /// only a lower bound). −∞ exponents count as very negative.
    public static func kaplanYorke(_ exponents: [Double]) -> Double {
        let lam = exponents.filter { !$0.isNaN }.sorted(by: >)
        guard let first = lam.first, first >= 0 else { return 0 }
        var sum = 0.0
        for j in 0..<lam.count {
            let next = sum + lam[j]
            if next < 0 {
                return Double(j) + sum / abs(lam[j])
            }
            sum = next
        }
        return Double(lam.count)
    }

    /// Entropy estimate: the sum of the positive exponents.
    public static func entropy(_ exponents: [Double]) -> Double {
        exponents.filter { $0 > 0 }.reduce(0, +)
    }

    /// Participation ratio (Σ q_i²)² / Σ q_i⁴ of a vector: 1 when it is one axis, H when it
    /// is spread evenly over H axes.
    public static func participationRatio(_ q: [Double]) -> Double {
        var s2 = 0.0, s4 = 0.0
        for x in q { let x2 = x * x; s2 += x2; s4 += x2 * x2 }
        return s4 > 0 ? s2 * s2 / s4 : 0
    }
}
