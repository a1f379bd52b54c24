import Foundation
import Linalg
import RNN

extension GradientThroughQR {
    /// How the checkpointed gradient trades memory for recomputation: each range of steps is
    /// cut into `fanOut` parts (one stepper copy kept per part) until a range has at most
    /// `leafSteps` steps, whose Q_t and R_t are then kept for the backward sweep.
    public struct Checkpointing: Sendable, Equatable {
        public var fanOut = 3
        public var leafSteps = 10
        public init(fanOut: Int = 3, leafSteps: Int = 10) {
            precondition(fanOut >= 2 && leafSteps >= 1)
            self.fanOut = fanOut; self.leafSteps = leafSteps
        }

        /// Split levels for T steps: ⌈log_fanOut(T / leafSteps)⌉.
        public func levels(steps: Int) -> Int {
            var n = 0, length = steps
            while length > leafSteps { length = (length + fanOut - 1) / fanOut; n += 1 }
            return n
        }

        /// Peak bytes for a full frame of H on T steps: `fanOut` stepper copies per level plus
        /// the live one (each ≈ 6 H×H matrices: frame, R's two factors, QR workspaces), the
        /// leaf's Q_t and R_t, and the gradient with one spare H×H.
        public func peakBytes(hidden h: Int, steps: Int) -> Double {
            let matrix = Double(h) * Double(h) * 8
            return Double(fanOut * levels(steps: steps) + 1) * 6 * matrix + Double(leafSteps) * 2 * matrix + 2 * matrix
        }

        /// Forward passes over the sequence: one per level, plus the leaves' replay.
        public func passes(steps: Int) -> Int { levels(steps: steps) + 1 }
    }

    /// ∇_V L for one sequence through the Q and R factors of a full-frame trace (K = H), equal
    /// bit for bit to `recurrentWeightGradient(model:trace:label:loss:)` on a trace with
    /// `keepFrames: true`, without storing T frames: the stepper is copied at the starts of
    /// `fanOut` parts of the sequence, each part is processed last to first by replaying from
    /// its copy (recursively, so copies are kept for at most `levels` ranges at a time), and
    /// only a leaf of ≤ `leafSteps` steps keeps its Q_t, R_t and h_t. Memory is
    /// `Checkpointing.peakBytes` (≈ 0.2 GB at H = 512, T = 784) instead of 2·T·H² doubles
    /// (3.3 GB); time is `passes` forward sweeps instead of one. Replaying a stepper copy is
    /// deterministic, so every Q_t, R_t, h_t and the order of every sum are the stored path's.
    public static func recurrentWeightGradient(model: RNNModel<Double>, sequence: [Double], steps: Int, label: Int, loss: LossKind,
                                               initialState: [Double]? = nil, initialFrame: LyapunovStepper.InitialFrame = .identity,
                                               checkpointing: Checkpointing = Checkpointing()) throws -> Matrix<Double> {
        let hidden = model.hidden, inputSize = model.inputSize
        precondition(sequence.count == steps * inputSize, "sequence must have T×I values")
        func input(_ t: Int) -> [Double] { Array(sequence[(t * inputSize)..<((t + 1) * inputSize)]) }
        var sweep = Sweep(y: [Double](repeating: 0, count: hidden), nextR: nil, gradV: Matrix<Double>(rows: hidden, cols: hidden))

        /// Steps (start, end] backwards, `stepper` being at t = start.
        func backward(_ stepper: LyapunovStepper, end: Int) throws {
            let start = stepper.t, length = end - start
            if length <= checkpointing.leafSteps {
                var s = stepper
                var qs: [Matrix<Double>] = [], rs: [Matrix<Double>] = [], hs = [s.h]
                while s.t < end {
                    try s.step(input: input(s.t))
                    qs.append(s.q); rs.append(s.r); hs.append(s.h)
                }
                for t in stride(from: end, through: start + 1, by: -1) {
                    let i = t - start - 1
                    sweep.step(t: t, steps: steps, q: qs[i], r: rs[i], h: hs[i + 1], hPrevious: hs[i], model: model, label: label, loss: loss)
                }
                return
            }
            let part = (length + checkpointing.fanOut - 1) / checkpointing.fanOut
            var copies = [stepper], bounds = [start]
            do {
                var s = stepper
                for b in stride(from: start + part, to: end, by: part) {
                    while s.t < b { try s.step(input: input(s.t)) }
                    copies.append(s); bounds.append(b)
                }
            }
            bounds.append(end)
            while let copy = copies.popLast() { try backward(copy, end: bounds[copies.count + 1]) }
        }

        try backward(LyapunovStepper(model: model, k: hidden, initialState: initialState, initialFrame: initialFrame), end: steps)
        return sweep.gradV
    }

    /// The backward recurrence's state between steps: y_{t+1}, R_{t+1} and the sum so far.
    struct Sweep {
        var y: [Double]
        var nextR: Matrix<Double>?
        var gradV: Matrix<Double>

        /// Step t of the stored path's loop, with its Q_t, R_t, h_t and h_{t−1}.
        mutating func step(t: Int, steps: Int, q: Matrix<Double>, r: Matrix<Double>, h ht: [Double], hPrevious hprev: [Double],
                           model: RNNModel<Double>, label: Int, loss: LossKind) {
            let hidden = ht.count
            // y_t = R_{t+1}ᵀ y_{t+1} + Q_tᵀ Wᵀ ∇_{o_t}L
            var yt = [Double](repeating: 0, count: hidden)
            if t < steps, let nextR { gemv(.transposed, nextR, y, into: &yt) }
            if loss == .all || t == steps {
                var o = model.c
                gemv(.none, model.w, ht, beta: 1, into: &o)
                var p = CrossEntropy.softmax(o)
                p[label] -= 1
                let wg = matvec(model.w, p, .transposed)
                gemv(.transposed, q, wg, beta: 1, into: &yt)
            }
            y = yt
            // ∇_{h_t}L = Q_t y_t;  ∇_V L += diag(φ′(a_t)) ∇_{h_t}L h_{t−1}ᵀ (φ′ = 1 − h_t² for tanh)
            let gh = matvec(q, y)
            let phi = model.nonlinearity
            for j in 0..<hidden where hprev[j] != 0 {
                for i in 0..<hidden { gradV[i, j] += phi.derivative(output: ht[i]) * gh[i] * hprev[j] }
            }
            nextR = r
        }
    }
}
