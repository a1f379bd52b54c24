import Foundation
import Linalg
import RNN
import TestSupport
import Testing

/// Every built-in cell against central differences of its own `step` and against the
/// adjoint identities, and the `Network` stacking code against the formed Jacobians of the
/// old stacked path (`GatedNetwork.stateJacobian`). Float64 throughout.
@Suite struct CellTests {
    /// A named cell for the parameterised tests (I = 3, H = 4; gated biases present or not).
    struct Case: CustomStringConvertible, Sendable {
        var description: String
        var cell: any RecurrentCell
    }

    static func gated(_ kind: GatedLayer.Cell, biases: Bool, inputSize i: Int = 3, hidden h: Int = 4, seed: UInt64) -> GatedLayer {
        var rng = SeededRandom(seed: seed)
        let g = kind.gateCount * h
        let bias = { (rng: inout SeededRandom) in biases ? Matrix<Double>.gaussian(rows: g, cols: 1, std: 0.3, using: &rng).storage : nil }
        return try! GatedLayer(cell: kind, inputWeights: .gaussian(rows: g, cols: i, std: 0.6, using: &rng),
                               recurrentWeights: .gaussian(rows: g, cols: h, std: 0.6, using: &rng),
                               inputBias: bias(&rng), recurrentBias: bias(&rng))
    }

    static func elman(_ phi: Nonlinearity, bias: BiasMode, inputSize i: Int = 3, hidden h: Int = 4, seed: UInt64) -> Elman {
        var rng = SeededRandom(seed: seed)
        let b = bias == .none ? [Double](repeating: 0, count: h) : Matrix<Double>.gaussian(rows: h, cols: 1, std: 0.3, using: &rng).storage
        return Elman(u: .gaussian(rows: h, cols: i, std: 0.6, using: &rng), v: .gaussian(rows: h, cols: h, std: 0.6, using: &rng),
                     b: b, nonlinearity: phi, biasMode: bias)
    }

    static let cases: [Case] = [
        Case(description: "elman tanh pair", cell: elman(.tanh, bias: .pair, seed: 1)),
        Case(description: "elman relu input", cell: elman(.relu, bias: .input, seed: 2)),
        Case(description: "elman tanh none", cell: elman(.tanh, bias: .none, seed: 3)),
        Case(description: "gru biased", cell: GRU(gated(.gru, biases: true, seed: 4))),
        Case(description: "gru bias-free", cell: GRU(gated(.gru, biases: false, seed: 5))),
        Case(description: "lstm biased", cell: LSTM(gated(.lstm, biases: true, seed: 6))),
        Case(description: "lstm bias-free", cell: LSTM(gated(.lstm, biases: false, seed: 7))),
    ]

    static func point(_ cell: any RecurrentCell, seed: UInt64) -> (s: [Double], x: [Double]) {
        var rng = SeededRandom(seed: seed)
        return (Matrix<Double>.gaussian(rows: cell.stateSize, cols: 1, std: 0.7, using: &rng).storage,
                Matrix<Double>.gaussian(rows: cell.inputSize, cols: 1, std: 0.7, using: &rng).storage)
    }

    /// ∂s′/∂s and ∂s′/∂x (formed by the tangent of identity columns) against central
    /// differences of `step` (ε = 1e-6; agreement 1e-7 relative, the differences' own error).
    @Test(arguments: cases)
    func tangentMatchesCentralDifferences(_ c: Case) {
        let cell = c.cell, (s, x) = Self.point(cell, seed: 11)
        let step = cell.step(state: s, input: x)
        let dState = cell.stateJacobian(step, state: s), dInput = cell.inputJacobian(step, state: s)
        for i in 0..<cell.stateSize {
            let fdState = centralDifference({ cell.step(state: $0, input: x).state[i] }, at: s)
            let fdInput = centralDifference({ cell.step(state: s, input: $0).state[i] }, at: x)
            #expect(relativeError(dState.row(i), fdState) < 1e-7, "\(c) ∂s′/∂s row \(i)")
            #expect(relativeError(dInput.row(i), fdInput) < 1e-7, "\(c) ∂s′/∂x row \(i)")
        }
    }

    /// ⟨W, D Z + B Y⟩ = ⟨Dᵀ W, Z⟩ + ⟨Bᵀ W, Y⟩ for random Z, Y, W (K = 3), to 1e-12; and the
    /// adjoint's state and input parts are the transposed tangent of one column.
    @Test(arguments: cases)
    func transposedTangentIsTheAdjoint(_ c: Case) {
        let cell = c.cell, (s, x) = Self.point(cell, seed: 12)
        var rng = SeededRandom(seed: 13)
        let z = Matrix<Double>.gaussian(rows: cell.stateSize, cols: 3, using: &rng)
        let y = Matrix<Double>.gaussian(rows: cell.inputSize, cols: 3, using: &rng)
        let w = Matrix<Double>.gaussian(rows: cell.stateSize, cols: 3, using: &rng)
        let step = cell.step(state: s, input: x)
        let forward = cell.tangent(step, state: s, z, input: y)
        let (backState, backInput) = cell.tangentTransposed(step, state: s, w, needsInput: true)
        func dot(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double { zip(a.storage, b.storage).map(*).reduce(0, +) }
        let left = dot(w, forward), right = dot(backState, z) + dot(backInput, y)
        #expect(abs(left - right) <= 1e-12 * max(1, abs(left)), "\(c): \(left) vs \(right)")
        let delta = w.column(0)
        let adjoint = cell.adjoint(step, state: s, input: x, gradient: delta)
        #expect(relativeError(adjoint.state, backState.column(0)) < 1e-13, "\(c) adjoint state")
        #expect(relativeError(adjoint.input, backInput.column(0)) < 1e-13, "\(c) adjoint input")
    }

    /// The adjoint's parameter gradients against central differences of ⟨δ, s′(θ)⟩ through
    /// `replacingParameters` (1e-7 relative).
    @Test(arguments: cases)
    func parameterGradientsMatchCentralDifferences(_ c: Case) throws {
        let cell = c.cell, (s, x) = Self.point(cell, seed: 14)
        var rng = SeededRandom(seed: 15)
        let delta = Matrix<Double>.gaussian(rows: cell.stateSize, cols: 1, using: &rng).storage
        let adjoint = cell.adjoint(cell.step(state: s, input: x), state: s, input: x, gradient: delta)
        let blocks = cell.parameters
        #expect(adjoint.parameters.count == blocks.count)
        for (b, block) in blocks.enumerated() {
            let fd = centralDifference({ values in
                var changed = blocks
                changed[b].values = values
                let moved = try! cell.replacingParameters(changed).step(state: s, input: x).state
                return zip(delta, moved).map(*).reduce(0, +)
            }, at: block.values)
            #expect(relativeError(adjoint.parameters[b], fd) < 1e-7, "\(c) \(block.name)")
        }
    }

    /// The registry's entries agree with the layers the cells wrap: a GRU's gates r, z, n and
    /// S = H, an LSTM's i, f, g, o and S = 2H; the names are those model files use.
    @Test func registryAgreesWithTheLayers() {
        for kind in GatedLayer.Cell.allCases {
            let layer = Self.gated(kind, biases: true, seed: 61)
            let cell: any RecurrentCell = kind == .gru ? GRU(layer) : LSTM(layer)
            #expect(cell.cellName == kind.rawValue && cell.gateNames == kind.gateNames && cell.stateSize == layer.stateSize)
        }
        #expect(Self.elman(.tanh, bias: .pair, seed: 62).cellName == CellKind.rnn.rawValue)
    }

    /// Stacked GRU and LSTM networks: D_t matrix-free equals `GatedNetwork.stateJacobian`
    /// (formed from each layer's analytic Jacobians) to 1e-13, both conventions; the states agree exactly.
    @Test(arguments: GatedLayer.Cell.allCases)
    func gatedStackMatchesFormedJacobian(_ kind: GatedLayer.Cell) throws {
        let layers = [Self.gated(kind, biases: true, inputSize: 3, hidden: 4, seed: 31), Self.gated(kind, biases: true, inputSize: 4, hidden: 3, seed: 32)]
        var rng = SeededRandom(seed: 33)
        let old = try GatedNetwork(layers: layers, readoutWeights: .gaussian(rows: 2, cols: 3, using: &rng), readoutBias: [0, 0])
        let network = Network(old)
        let n = network.stateSize
        let s = Matrix<Double>.gaussian(rows: n, cols: 1, std: 0.5, using: &rng).storage, x = [0.3, -0.2, 0.9]
        let (next, steps) = network.step(state: s, input: x)
        let (oldNext, oldSteps) = old.step(state: s, input: x)
        #expect(next == oldNext)
        let formed = old.stateJacobian(state: s, input: x, layerSteps: oldSteps)
        let q = Matrix<Double>.gaussian(rows: n, cols: 5, using: &rng)
        #expect(relativeError(network.tangent(steps, state: s, q), matmul(formed, q)) < 1e-13)
        #expect(relativeError(network.tangentTransposed(steps, state: s, q), matmul(formed, q, .transposed)) < 1e-13)
    }

    /// The whole network's gradient by the cells' adjoints against central differences of the
    /// cross-entropy through `finalLogits` (1e-6 relative), for stacks of each cell and a mixed
    /// stack (LSTM over GRU over tanh), T = 5.
    @Test(arguments: ["rnn", "gru", "lstm", "mixed"])
    func networkGradientMatchesCentralDifferences(_ kind: String) throws {
        let layers: [any RecurrentCell] = switch kind {
        case "rnn": [Self.elman(.tanh, bias: .pair, inputSize: 2, hidden: 3, seed: 41), Self.elman(.tanh, bias: .input, inputSize: 3, hidden: 4, seed: 42)]
        case "gru": [GRU(Self.gated(.gru, biases: true, inputSize: 2, hidden: 3, seed: 43)), GRU(Self.gated(.gru, biases: true, inputSize: 3, hidden: 4, seed: 44))]
        case "lstm": [LSTM(Self.gated(.lstm, biases: true, inputSize: 2, hidden: 3, seed: 45)), LSTM(Self.gated(.lstm, biases: false, inputSize: 3, hidden: 4, seed: 46))]
        default: [Self.elman(.tanh, bias: .pair, inputSize: 2, hidden: 3, seed: 47), GRU(Self.gated(.gru, biases: true, inputSize: 3, hidden: 4, seed: 48)),
                  LSTM(Self.gated(.lstm, biases: true, inputSize: 4, hidden: 3, seed: 49))]
        }
        var rng = SeededRandom(seed: 50)
        let network = try Network(layers: layers, readoutWeights: .gaussian(rows: 3, cols: layers.last!.hidden, using: &rng),
                                  readoutBias: [0.1, -0.2, 0.3])
        let steps = 5, label = 1
        let x = Matrix<Double>.gaussian(rows: steps * 2, cols: 1, using: &rng).storage
        /// The loss by plain forward steps: the last step's cross-entropy, or every step's summed.
        func loss(_ net: Network, everyStep: Bool) -> Double {
            var s = [Double](repeating: 0, count: net.stateSize), total = 0.0
            for t in 0..<steps {
                s = net.step(state: s, input: Array(x[(t * 2)..<((t + 1) * 2)])).state
                if everyStep || t == steps - 1 { total += CrossEntropy.loss(net.logits(state: s), label: label) }
            }
            return total
        }
        let blocks = network.namedParameters
        for everyStep in [false, true] {
            let gradient = network.crossEntropyGradient(sequence: x, steps: steps, label: label, lossAtEveryStep: everyStep)
            #expect(Set(gradient.parameters.keys) == Set(blocks.map(\.name)))
            for (b, block) in blocks.enumerated() {
                let fd = centralDifference({ values in
                    var changed = blocks
                    changed[b].values = values
                    return loss(try! network.replacingParameters(changed), everyStep: everyStep)
                }, at: block.values)
                #expect(relativeError(gradient.parameters[block.name]!, fd) < 1e-6, "\(kind) \(block.name) every step: \(everyStep)")
            }
            #expect(abs(gradient.loss - loss(network, everyStep: everyStep)) < 1e-13)
        }
        #expect(abs(loss(network, everyStep: false) - CrossEntropy.loss(network.finalLogits(sequence: x, steps: steps), label: label)) < 1e-15)
    }
}
