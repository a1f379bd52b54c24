import Foundation
import Linalg
import RNN
import TestSupport
import Testing

/// The two model operations a flossing run adds (`TrainableModel.engineNetwork`,
/// `addingToParameters`), for a vanilla and a gated model: the network reads the model's own
/// parameters, and an update by PyTorch name lands on exactly those parameters.
@Suite struct FlossUpdateTests {
    static func check<M: TrainableModel>(_ model: M, config: TrainingConfig) throws {
        let before = try model.engineNetwork().namedParameters
        var delta = [String: [Double]]()
        for (i, block) in before.enumerated() { delta[block.name] = block.values.indices.map { 1e-3 * Double(($0 + 3 * i) % 5) - 2e-3 } }
        let after = try model.addingToParameters(delta, config: config).engineNetwork().namedParameters
        #expect(after.map(\.name) == before.map(\.name))
        for (a, b) in zip(after, before) {
            let moved = zip(a.values, b.values).map { $0 - $1 }
            // A vanilla model keeps b = b_ih + b_hh: both biases' deltas land on b (read back as bias_ih).
            let expected = a.name.hasPrefix("rnn.bias_ih") && delta[a.name.replacingOccurrences(of: "_ih", with: "_hh")] != nil && M.self == RNNModel<Double>.self
                ? zip(delta[a.name]!, delta[a.name.replacingOccurrences(of: "_ih", with: "_hh")]!).map { $0 + $1 }
                : (a.name.hasPrefix("rnn.bias_hh") && M.self == RNNModel<Double>.self ? [Double](repeating: 0, count: moved.count) : delta[a.name]!)
            #expect(relativeError(moved, expected) < 1e-12, "\(a.name)")
        }
    }

    @Test func vanillaModel() throws {
        var config = TrainingConfig()
        config.hidden = 4; config.sequenceData = SequenceDataRecord(inputs: "x", labels: "y", testInputs: nil, testLabels: nil, count: 10, steps: 5,
                                                                    inputSize: 3, classes: 2, nonlinearity: .tanh)
        let model = RNNModel<Double>(inputSize: 3, hidden: 4, classes: 2, initialization: .pytorch, seed: 5, gains: .init(),
                                     biasMode: .pair, nonlinearity: .tanh, layers: 1)
        try Self.check(model, config: config)
    }

    @Test func gatedModel() throws {
        var config = TrainingConfig()
        config.hidden = 4; config.cell = .gru
        config.sequenceData = SequenceDataRecord(inputs: "x", labels: "y", testInputs: nil, testLabels: nil, count: 10, steps: 5, inputSize: 3, classes: 2, nonlinearity: .tanh)
        let model = GatedModel<Double>(cell: .gru, inputSize: 3, hidden: 4, classes: 2, seed: 6, layers: 1)
        try Self.check(model, config: config)
    }
}
