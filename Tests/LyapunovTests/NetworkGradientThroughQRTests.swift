import Foundation
import Linalg
import Lyapunov
import RNN
import TestSupport
import Testing

/// The gradient through Q and R (`GradientThroughQR.parameterGradient`) for every kind of
/// network against BPTT through the cells' adjoints (`Network.crossEntropyGradient`): stacked
/// tanh and ReLU, bias-free, GRU and LSTM stacks, a mixed stack and the test's own linear
/// cell; both losses, every recurrent block, 1e-9 relative (the identity is exact; the two
/// paths differ by the QR's rounding, amplified by the products of R).
@Suite struct NetworkGradientThroughQRTests {
    static func gatedLayer(_ kind: GatedLayer.Cell, inputSize i: Int, hidden h: Int, biases: Bool, rng: inout SeededRandom) -> GatedLayer {
        let g = kind.gateCount * h
        let ih = biases ? Matrix<Double>.gaussian(rows: g, cols: 1, std: 0.3, using: &rng).storage : nil
        let hh = biases ? Matrix<Double>.gaussian(rows: g, cols: 1, std: 0.3, using: &rng).storage : nil
        return try! GatedLayer(cell: kind, inputWeights: .gaussian(rows: g, cols: i, std: 0.7, using: &rng),
                               recurrentWeights: .gaussian(rows: g, cols: h, std: 0.9 / Double(h).squareRoot(), using: &rng),
                               inputBias: ih, recurrentBias: hh)
    }

    static func elman(_ phi: Nonlinearity, inputSize i: Int, hidden h: Int, bias: BiasMode, rng: inout SeededRandom) -> Elman {
        Elman(u: .gaussian(rows: h, cols: i, std: 0.7, using: &rng), v: .gaussian(rows: h, cols: h, std: 1.2 / Double(h).squareRoot(), using: &rng),
              b: bias == .none ? [Double](repeating: 0, count: h) : Matrix<Double>.gaussian(rows: h, cols: 1, std: 0.2, using: &rng).storage,
              nonlinearity: phi, biasMode: bias)
    }

    static func network(_ kind: String) -> Network {
        var rng = SeededRandom(seed: 71)
        let layers: [any RecurrentCell] = switch kind {
        case "tanh": [elman(.tanh, inputSize: 2, hidden: 5, bias: .pair, rng: &rng)]
        case "relu-stacked": [elman(.relu, inputSize: 2, hidden: 4, bias: .pair, rng: &rng), elman(.relu, inputSize: 4, hidden: 3, bias: .input, rng: &rng)]
        case "bias-free-stacked": [elman(.tanh, inputSize: 2, hidden: 3, bias: .none, rng: &rng), elman(.tanh, inputSize: 3, hidden: 4, bias: .none, rng: &rng)]
        case "gru-stacked": [GRU(gatedLayer(.gru, inputSize: 2, hidden: 3, biases: true, rng: &rng)), GRU(gatedLayer(.gru, inputSize: 3, hidden: 3, biases: false, rng: &rng))]
        case "lstm-stacked": [LSTM(gatedLayer(.lstm, inputSize: 2, hidden: 3, biases: true, rng: &rng)), LSTM(gatedLayer(.lstm, inputSize: 3, hidden: 2, biases: true, rng: &rng))]
        case "mixed": [LSTM(gatedLayer(.lstm, inputSize: 2, hidden: 2, biases: true, rng: &rng)), elman(.tanh, inputSize: 2, hidden: 3, bias: .pair, rng: &rng)]
        default: [ForeignCellTests.linear(eigenvalues: [0.9, -0.6, 0.3], inputSize: 2, seed: 72), elman(.tanh, inputSize: 3, hidden: 3, bias: .pair, rng: &rng)]
        }
        return try! Network(layers: layers, readoutWeights: .gaussian(rows: 4, cols: layers.last!.hidden, using: &rng), readoutBias: [0.1, 0, -0.1, 0.2])
    }

    @Test(arguments: ["tanh", "relu-stacked", "bias-free-stacked", "gru-stacked", "lstm-stacked", "mixed", "linear"])
    func equalsBPTT(_ kind: String) throws {
        let network = Self.network(kind)
        var rng = SeededRandom(seed: 73)
        let steps = 23, label = 2
        let x = Matrix<Double>.gaussian(rows: steps * network.inputSize, cols: 1, using: &rng).storage
        for loss in GradientThroughQR.LossKind.allCases {
            let bptt = network.crossEntropyGradient(sequence: x, steps: steps, label: label, lossAtEveryStep: loss == .all)
            for k in network.layers.indices {
                let name = "rnn.weight_hh_l\(k)"
                let viaQR = try GradientThroughQR.parameterGradient(network: network, parameter: name, sequence: x, steps: steps,
                                                                    label: label, loss: loss, initialFrame: .random(seed: 3),
                                                                    checkpointing: .init(fanOut: 3, leafSteps: 4))
                let reference = bptt.parameters[name]!
                #expect(reference.map(abs).max()! > 1e-8, "\(kind) \(name): a non-trivial gradient")
                #expect(relativeError(viaQR, reference) < 1e-9, "\(kind) \(name) \(loss)")
            }
        }
    }
}
