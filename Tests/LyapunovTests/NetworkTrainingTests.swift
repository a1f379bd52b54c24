import Foundation
import Linalg
import Lyapunov
import RNN
import TestSupport
import Testing

/// Training through `Network` (`NetworkTrainingStep`, the reference path over any cell's
/// `step` and `adjoint`): held to the built-in cells' batched steps, to central differences,
/// and run end to end by `ModelTrainer` on `LinearCell`, a cell `Sources` does not know.
@Suite struct NetworkTrainingTests {
    /// Registers `LinearCell` under "linear" (idempotent; every test that reads its files calls it).
    static func registerLinearCell() throws {
        try RegisteredCells.register("linear") { blocks, layer in
            guard let u = blocks["weight_ih"], let v = blocks["weight_hh"], blocks.count == 2 else {
                throw CellError("a linear layer has exactly weight_ih and weight_hh (got \(blocks.keys.sorted()))")
            }
            guard u.shape.count == 2, v.shape.count == 2, v.shape[0] == v.shape[1], u.shape[0] == v.shape[0] else {
                throw CellError("weight_ih \(u.shape) and weight_hh \(v.shape) do not make a linear layer")
            }
            return LinearCell(u: u.matrix, v: v.matrix)
        }
    }

    /// 120 sequences (T = 5, I = 3) labelled by the input with the largest sum over time:
    /// the linear cell with V = I and U = I solves it exactly.
    static func ruleSet(count: Int, seed: UInt64 = 2) -> SequenceSet {
        var rng = SeededRandom(seed: seed)
        var values: [Double] = [], labels: [Int] = []
        for _ in 0..<count {
            let x = (0..<15).map { _ in rng.nextNormal() }
            let sums = (0..<3).map { i in stride(from: i, to: 15, by: 3).map { x[$0] }.reduce(0, +) }
            values += x; labels.append(sums.indices.max { sums[$0] < sums[$1] }!)
        }
        return SequenceSet(count: count, steps: 5, inputSize: 3, values: values, labels: labels)
    }

    /// A linear network: layer 0 of H = 6 (V's eigenvalues inside the unit circle) and, when
    /// `layers` = 2, a second layer of H = 4; a seeded readout of 3 classes.
    static func linearNetwork(layers: Int) throws -> Network {
        var cells: [any RecurrentCell] = [ForeignCellTests.linear(eigenvalues: [0.9, 0.7, -0.5, 0.4, 0.3, 0.1], inputSize: 3, seed: 4)]
        if layers == 2 { cells.append(ForeignCellTests.linear(eigenvalues: [0.8, -0.6, 0.5, 0.2], inputSize: 6, seed: 5)) }
        var rng = SeededRandom(seed: 6)
        let w = Matrix<Double>.gaussian(rows: 3, cols: cells.last!.hidden, std: 0.3, using: &rng)
        return try Network(layers: cells, readoutWeights: w, readoutBias: [0.1, -0.2, 0.05])
    }

    static func config(layers: Int, hidden: Int = 6) -> TrainingConfig {
        var config = TrainingConfig()
        config.cell = CellKind(rawValue: "linear"); config.precision = .f64
        config.hidden = hidden; config.layers = layers; config.epochs = 4; config.batchSize = 16; config.learningRate = 0.01
        config.seed = 3; config.threads = 2; config.checkpointEvery = 3; config.logEvery = 2
        config.sequenceData = SequenceDataRecord(inputs: "x.npy", labels: "y.npy", testInputs: nil, testLabels: nil, count: 100, steps: 5,
                                                 inputSize: 3, classes: 3, nonlinearity: .tanh)
        return config
    }

    /// The reference step and each built-in cell's batched step, from the same weights on the
    /// same batch, 4 Adam steps with clipping that bites (0.5): every parameter, matched by
    /// PyTorch name, agrees to 1e-11 relative, and so do the losses (to 1e-12). Vanilla (two
    /// layers, one bias; ReLU one layer, bias-free), GRU, and a two-layer LSTM.
    @Test(arguments: ["tanh-2", "relu-none", "gru-1", "lstm-2"])
    func referenceStepMatchesTheBatchedSteps(_ kind: String) throws {
        let set = Self.ruleSet(count: 12), batch = set.batch(Array(0..<12), as: Double.self)
        func compare<Model: TrainableModel>(_ start: Model) throws where Model.Scalar == Double {
            var fast = start, reference = try start.engineNetwork()
            var fastStep = fast.makeTrainingStep(steps: 5, batchSize: 12, shards: 1), referenceStep = NetworkTrainingStep()
            var config = TrainingConfig(); config.optimizer = .adam; config.learningRate = 0.02
            var fastOptimizer = fast.makeOptimizer(config), referenceOptimizer = reference.makeOptimizer(config)
            for _ in 0..<4 {
                let a = fastStep.run(batch, model: &fast, optimizer: &fastOptimizer, clip: 0.5, lossReduction: .mean)
                let b = referenceStep.run(batch, model: &reference, optimizer: &referenceOptimizer, clip: 0.5, lossReduction: .mean)
                #expect(abs(a.loss - b.loss) < 1e-12 && a.correct == b.correct, "\(kind): loss \(a.loss) vs \(b.loss)")
            }
            let moved = try fast.engineNetwork().namedParameters
            #expect(moved.map(\.name) == reference.namedParameters.map(\.name))
            for (x, y) in zip(moved, reference.namedParameters) {
                #expect(relativeError(x.values, y.values) < 1e-11, "\(kind) \(x.name): \(relativeError(x.values, y.values))")
            }
            #expect(moved != (try start.engineNetwork().namedParameters), "\(kind): the steps moved nothing")
        }
        switch kind {
        case "tanh-2": try compare(RNNModel<Double>(inputSize: 3, hidden: 5, classes: 3, initialization: .xavierNormal, seed: 1, biasMode: .input, layers: 2))
        case "relu-none": try compare(RNNModel<Double>(inputSize: 3, hidden: 5, classes: 3, initialization: .xavierNormal, seed: 2, biasMode: .none, nonlinearity: .relu))
        case "gru-1": try compare(GatedModel<Double>(cell: .gru, inputSize: 3, hidden: 4, classes: 3, seed: 3))
        default: try compare(GatedModel<Double>(cell: .lstm, inputSize: 3, hidden: 4, classes: 3, seed: 4, layers: 2))
        }
    }

    /// `batchGradient` against central differences of the batch's mean loss along random
    /// directions of every parameter (a linear network's loss is smooth; ε = 1e-5, error
    /// O(ε²) ≈ 1e-9 relative; tolerance 1e-6), for one and two layers.
    @Test(arguments: [1, 2])
    func batchGradientMatchesCentralDifferences(_ layers: Int) throws {
        let network = try Self.linearNetwork(layers: layers)
        let batch = Self.ruleSet(count: 8).batch(Array(0..<8), as: Double.self)
        let (gradient, loss, _) = network.batchGradient(batch, lossScale: 1.0 / 8)
        #expect(abs(loss - CrossEntropy.evaluate(network.evaluationLogits(batch), labels: batch.labels).loss) < 1e-13)
        var rng = SeededRandom(seed: 11)
        for _ in 0..<3 {
            let direction = network.namedParameters.map { $0.values.map { _ in rng.nextNormal() } }
            func lossAt(_ epsilon: Double) throws -> Double {
                let blocks = zip(network.namedParameters, direction).map { block, d in
                    ParameterBlock(name: block.name, shape: block.shape, values: zip(block.values, d).map { $0 + epsilon * $1 })
                }
                let moved = try network.replacingParameters(blocks)
                return CrossEntropy.evaluate(moved.evaluationLogits(batch), labels: batch.labels).loss
            }
            let epsilon = 1e-5
            let differences = (try lossAt(epsilon) - lossAt(-epsilon)) / (2 * epsilon)
            let analytic = zip(gradient, direction).map { zip($0, $1).map { $0 * $1 }.reduce(0, +) }.reduce(0, +)
            #expect(abs(differences - analytic) < 1e-6 * max(1, abs(analytic)), "\(layers) layer(s): \(differences) vs \(analytic)")
        }
    }

    /// The foreign linear cell trains through the one loop (`ModelTrainer`) with no change to
    /// `Sources`: 4 epochs straight on 2 data-parallel shards, and the same run stopped at the
    /// 10th stop check and resumed from its checkpoint (read back through the registered
    /// loader), end with identical weights, optimizer state and test accuracy; the model file
    /// names the cell and reads back as the trained network; the test accuracy after training
    /// is far above the untrained network's and chance (1/3). One layer and a stack of two.
    @Test(arguments: [1, 2])
    func linearCellTrainsAndResumesThroughTheOneLoop(_ layers: Int) throws {
        try Self.registerLinearCell()
        let all = Self.ruleSet(count: 120), train = all.subset(Array(0..<100)), test = all.subset(Array(100..<120))
        let config = Self.config(layers: layers), start = try Self.linearNetwork(layers: layers)
        let straight = makeTemporaryDirectory("linear-straight"), split = makeTemporaryDirectory("linear-split")
        let a = try ModelTrainer<Network, SequenceSet>(config: config, train: train, test: test, outputDirectory: straight) { _ in start }
        #expect(try a.run() == .finished)
        var checks = 0
        let b = try ModelTrainer<Network, SequenceSet>(config: config, train: train, test: test, outputDirectory: split) { _ in start }
        #expect(try b.run(shouldStop: { checks += 1; return checks == 10 }) == .interrupted(step: 9))
        let c = try ModelTrainer<Network, SequenceSet>(resumingIn: split, epochs: nil, logEvery: nil, checkpointEvery: nil,
                                                       train: train, test: test)
        #expect(c.position == TrainingPosition(epoch: 1, batch: 2))
        #expect(try c.run() == .finished)
        #expect(a.model.trainedParameterArrays == c.model.trainedParameterArrays)
        #expect(a.optimizer == c.optimizer && a.optimizer.step == 28)
        #expect(a.model.metadata.testAccuracy == c.model.metadata.testAccuracy)

        let file = try SafeTensorsFile(contentsOf: split + "/model.safetensors")
        #expect(file.metadata["cell"] == "linear" && file.metadata["layers"] == (layers > 1 ? "2" : nil))
        let saved = try Network.load(from: split + "/model.safetensors")
        #expect(saved.trainedParameterArrays == c.model.trainedParameterArrays && saved.layers.allSatisfy { $0 is LinearCell })

        let before = evaluate(start, on: test).accuracy, after = a.model.metadata.testAccuracy ?? 0
        #expect(after >= 0.8 && after > before + 0.2, "test accuracy \(before) → \(after)")
        #expect(after == evaluate(a.model, on: test).accuracy)
    }

    /// A network run refuses f32 (its cells are Float64), in one line, before touching the folder.
    @Test func networkRunRefusesSinglePrecision() throws {
        var config = Self.config(layers: 1); config.precision = .f32
        let set = Self.ruleSet(count: 20), start = try Self.linearNetwork(layers: 1)
        #expect(throws: (any Error).self) {
            _ = try ModelTrainer<Network, SequenceSet>(config: config, train: set, test: nil, outputDirectory: makeTemporaryDirectory("f32")) { _ in start }
        }
        #expect(Network.unsupportedSetting(in: config) == "a network of any cell trains in f64, not f32")
    }

    /// A registered cell's file that does not fit gets one line naming the file and the problem:
    /// a tensor the cell does not read, a loader's refusal, a missing readout, a non-finite
    /// value, a readout that does not chain; a built-in name cannot be registered.
    @Test func registeredCellFilesAreChecked() throws {
        try Self.registerLinearCell()
        let good = try Self.linearNetwork(layers: 1).safeTensors()
        func problem(_ edit: (inout SafeTensorsFile) -> Void) -> String {
            var file = good
            edit(&file)
            do { _ = try Network.read(file, path: "m.safetensors"); return "read" } catch { return "\(error)" }
        }
        #expect(problem { $0.tensors["rnn.bias_ih_l0"] = Tensor(float64: [0, 0, 0, 0, 0, 0], shape: [6]) }
                == "m.safetensors: layer 0: a linear layer has exactly weight_ih and weight_hh (got [\"bias_ih\", \"weight_hh\", \"weight_ih\"])")
        #expect(problem { $0.tensors["extra"] = Tensor(float64: [1], shape: [1]) }
                == "m.safetensors: tensor \"extra\" is not part of a 1-layer linear network")
        #expect(problem { $0.tensors["fc.bias"] = nil } == "m.safetensors: missing tensor \"fc.bias\"")
        #expect(problem { $0.tensors["fc.weight"] = Tensor(float64: [Double](repeating: .nan, count: 18), shape: [3, 6]) }
                == "m.safetensors: tensor \"fc.weight\" holds a non-finite value")
        #expect(problem { $0.tensors["fc.weight"] = Tensor(float64: [Double](repeating: 0, count: 15), shape: [3, 5]) }
                == "m.safetensors: fc.weight is 3×5; expected C×6 with C ≥ 1")
        #expect(problem { $0.metadata["hidden"] = "7" } == "m.safetensors: metadata says hidden size \"7\" but layer 0 has H = 6")
        #expect(problem { _ in } == "read")
        #expect(throws: CellError("cell gru is built in")) { try RegisteredCells.register("gru") { _, _ in try Self.linearNetwork(layers: 1).layers[0] } }
    }
}
