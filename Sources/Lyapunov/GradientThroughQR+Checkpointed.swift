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

    /// ∂L/∂θ for one parameter block of any network (`name`, PyTorch's: `rnn.weight_hh_l0`, …)
    /// through the Q and R factors of a full-frame trace (K = N), without storing T frames:
    /// the stepper is copied at the starts of `fanOut` parts of the sequence, each part is
    /// processed last to first by replaying from its copy (recursively, so copies are kept for
    /// at most `levels` ranges at a time), and only a leaf of ≤ `leafSteps` steps keeps its
    /// Q_t, R_t and s_t. In Q coordinates y_t = Q_tᵀ ∂L/∂s_t = R_{t+1}ᵀ y_{t+1} + Q_tᵀ (∂L/∂s_t
    /// through the readout), so ∂L/∂s_t = Q_t y_t comes from the factors alone; each step then
    /// adds the block's part of the step's adjoint (`Network.stepAdjoint`) for δ = ∂L/∂s_t.
    /// Memory is `Checkpointing.peakBytes` with H = N (≈ 0.2 GB at N = 512, T = 784) instead of
    /// 2·T·N² doubles; time is `passes` forward sweeps instead of one. Values are row-major in
    /// PyTorch's layout. Equals BPTT (`Network.crossEntropyGradient`) to rounding (tests: 1e-9).
    public static func parameterGradient(network: Network, parameter name: String, sequence: [Double], steps: Int, label: Int,
                                         loss: LossKind, initialState: [Double]? = nil,
                                         initialFrame: LyapunovStepper.InitialFrame = .identity,
                                         checkpointing: Checkpointing = Checkpointing()) throws -> [Double] {
        let n = network.stateSize, inputSize = network.inputSize
        precondition(sequence.count == steps * inputSize, "sequence must have T×I values")
        guard let (layer, block) = network.parameterIndex(named: name) else { preconditionFailure("no parameter \(name)") }
        func input(_ t: Int) -> [Double] { Array(sequence[(t * inputSize)..<((t + 1) * inputSize)]) }
        var sweep = Sweep(y: [Double](repeating: 0, count: n), nextR: nil,
                          gradient: [Double](repeating: 0, count: network.layers[layer].parameters[block].values.count))

        /// Steps (start, end] backwards, `stepper` being at t = start.
        func backward(_ stepper: LyapunovStepper, end: Int) throws {
            let start = stepper.t, length = end - start
            if length <= checkpointing.leafSteps {
                var s = stepper
                var qs: [Matrix<Double>] = [], rs: [Matrix<Double>] = [], states = [s.h]
                while s.t < end {
                    try s.step(input: input(s.t))
                    qs.append(s.q); rs.append(s.r); states.append(s.h)
                }
                for t in stride(from: end, through: start + 1, by: -1) {
                    let i = t - start - 1
                    sweep.step(t: t, steps: steps, q: qs[i], r: rs[i], state: states[i + 1], previous: states[i], input: input(t - 1),
                               network: network, layer: layer, block: block, label: label, loss: loss)
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

        try backward(LyapunovStepper(network: network, k: n, initialState: initialState, initialFrame: initialFrame), end: steps)
        return sweep.gradient
    }

    /// ∇_V L (H×H) of a single-layer vanilla model: `parameterGradient` for `rnn.weight_hh_l0`.
    public static func recurrentWeightGradient(model: RNNModel<Double>, sequence: [Double], steps: Int, label: Int, loss: LossKind,
                                               initialState: [Double]? = nil, initialFrame: LyapunovStepper.InitialFrame = .identity,
                                               checkpointing: Checkpointing = Checkpointing()) throws -> Matrix<Double> {
        let values = try parameterGradient(network: Network(model), parameter: "rnn.weight_hh_l0", sequence: sequence, steps: steps,
                                           label: label, loss: loss, initialState: initialState, initialFrame: initialFrame,
                                           checkpointing: checkpointing)
        return Matrix(rows: model.hidden, cols: model.hidden, rowMajor: values)
    }

    /// The backward recurrence's state between steps: y_{t+1}, R_{t+1} and the sum so far.
    struct Sweep {
        var y: [Double]
        var nextR: Matrix<Double>?
        var gradient: [Double]

        /// Step t, with its Q_t, R_t, s_t, s_{t−1} and x_t.
        mutating func step(t: Int, steps: Int, q: Matrix<Double>, r: Matrix<Double>, state: [Double], previous: [Double], input: [Double],
                           network: Network, layer: Int, block: Int, label: Int, loss: LossKind) {
            // y_t = R_{t+1}ᵀ y_{t+1} + Q_tᵀ (∂L/∂s_t through the readout)
            var yt = [Double](repeating: 0, count: state.count)
            if t < steps, let nextR { gemv(.transposed, nextR, y, into: &yt) }
            if loss == .all || t == steps {
                var direct = [Double](repeating: 0, count: state.count)
                network.addReadoutAdjoint(network.crossEntropy(state: state, label: label).logitGradient, into: &direct)
                gemv(.transposed, q, direct, beta: 1, into: &yt)
            }
            y = yt
            // ∂L/∂s_t = Q_t y_t; the block's part of step t's adjoint
            let delta = matvec(q, y)
            let layerSteps = network.step(state: previous, input: input).layerSteps
            let g = network.stepAdjoint(layerSteps, state: previous, input: input, gradient: delta).parameters[layer][block]
            for i in g.indices { gradient[i] += g[i] }
            nextR = r
        }
    }
}
