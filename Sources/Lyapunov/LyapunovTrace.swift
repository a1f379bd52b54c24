import Foundation
import Linalg
import RNN

/// The Lyapunov quantities of one whole sequence.
///
/// Rows are steps t = 1…T (row t−1). `logR[t−1][k]` = ln r_t^k for every step (transient
/// included); `exponents[t−1][k]` = λ_k(t), NaN during the transient. `states[t]` = h_t for
/// t = 0…T. `frames`/`rFactors` hold Q_t and R_t for t = 1…T only when asked for (T·H·K
/// doubles); `initialFrame` is Q_0.
public struct LyapunovTrace: Sendable {
    public let hidden: Int
    public let steps: Int
    public let k: Int
    public let transient: Int
    public var logR: [[Double]]
    public var exponents: [[Double]]
    public var states: [[Double]]
    public var initialFrame: Matrix<Double>
    public var frames: [Matrix<Double>]?
    public var rFactors: [Matrix<Double>]?

    /// The final exponents λ_k(T).
    public var spectrum: [Double] { exponents.last ?? [] }

    /// Runs the stepper over `sequence` (T×I values, step-major).
    public init(model: RNNModel<Double>, sequence: [Double], steps: Int, k: Int? = nil, initialState: [Double]? = nil,
                initialFrame: LyapunovStepper.InitialFrame = .identity, transient: Int = 0, keepFrames: Bool = false,
                qrMethod: QRMethod = .automatic) throws {
        let i = model.inputSize
        precondition(sequence.count == steps * i, "sequence must have T×I values")
        var stepper = LyapunovStepper(model: model, k: k, initialState: initialState, initialFrame: initialFrame,
                                      transient: transient, qrMethod: qrMethod)
        hidden = model.hidden
        self.steps = steps
        self.k = stepper.k
        self.transient = transient
        self.initialFrame = stepper.q
        logR = []; exponents = []; states = [stepper.h]
        logR.reserveCapacity(steps); exponents.reserveCapacity(steps); states.reserveCapacity(steps + 1)
        var qs: [Matrix<Double>] = [], rs: [Matrix<Double>] = []
        for t in 0..<steps {
            try stepper.step(input: Array(sequence[(t * i)..<((t + 1) * i)]))
            logR.append(stepper.logR)
            exponents.append(stepper.exponents)
            states.append(stepper.h)
            if keepFrames { qs.append(stepper.q); rs.append(stepper.r) }
        }
        frames = keepFrames ? qs : nil
        rFactors = keepFrames ? rs : nil
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
