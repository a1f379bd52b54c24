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
        let (values, labels) = largestSumSequences(count: count, seed: seed)
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
    /// same batch, 4 Adam steps with clipping that bites (0.25): every parameter, matched by
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
            var firstGradient = reference.batchGradient(batch, lossScale: 1.0 / 12).gradients
            let firstNorm = clipGradientNorm(arrays: &firstGradient, maxNorm: 0)
            #expect(firstNorm > 0.25, "\(kind): the clip must bite (first gradient norm \(firstNorm))")
            for _ in 0..<4 {
                let a = fastStep.run(batch, model: &fast, optimizer: &fastOptimizer, clip: 0.25, lossReduction: .mean)
                let b = referenceStep.run(batch, model: &reference, optimizer: &referenceOptimizer, clip: 0.25, lossReduction: .mean)
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

    /// One shard and three give the same step to rounding (the shards' sums are split: 1e-12
    /// relative), under the mean and the sum of the losses, for a two-layer linear network.
    @Test(arguments: [LossReduction.mean, .sum])
    func shardsGiveTheSameStep(_ reduction: LossReduction) throws {
        let start = try Self.linearNetwork(layers: 2), batch = Self.ruleSet(count: 10).batch(Array(0..<10), as: Double.self)
        var config = TrainingConfig(); config.optimizer = .sgd; config.learningRate = 0.01
        var one = start, three = start
        var oneStep = NetworkTrainingStep(shards: 1), threeStep = NetworkTrainingStep(shards: 3)
        var oneOptimizer = one.makeOptimizer(config), threeOptimizer = three.makeOptimizer(config)
        let a = oneStep.run(batch, model: &one, optimizer: &oneOptimizer, clip: 0, lossReduction: reduction)
        let b = threeStep.run(batch, model: &three, optimizer: &threeOptimizer, clip: 0, lossReduction: reduction)
        #expect(abs(a.loss - b.loss) < 1e-12 * abs(a.loss) && a.correct == b.correct)
        let moved = zip(one.trainedParameterArrays, start.trainedParameterArrays).map { zip($0, $1).map { $0 - $1 } }.flatMap { $0 }
        let movedThree = zip(three.trainedParameterArrays, start.trainedParameterArrays).map { zip($0, $1).map { $0 - $1 } }.flatMap { $0 }
        #expect(relativeError(moved, movedThree) < 1e-12, "\(reduction): \(relativeError(moved, movedThree))")
        // The sum's step is B = 10 times the mean's (SGD is linear in the gradient).
        if reduction == .sum {
            var mean = start, meanStep = NetworkTrainingStep(shards: 1), meanOptimizer = start.makeOptimizer(config)
            _ = meanStep.run(batch, model: &mean, optimizer: &meanOptimizer, clip: 0, lossReduction: .mean)
            let meanMoved = zip(mean.trainedParameterArrays, start.trainedParameterArrays).map { zip($0, $1).map { 10 * ($0 - $1) } }.flatMap { $0 }
            #expect(relativeError(moved, meanMoved) < 1e-9, "sum vs 10 × mean: \(relativeError(moved, meanMoved))")
        }
    }

    /// A network of built-in cells gives back exactly the model it was made from
    /// (`vanillaModel`, `gatedNetwork`), and its file form reads back as the same network.
    @Test func builtInModelsRoundTrip() throws {
        let vanilla = RNNModel<Double>(inputSize: 3, hidden: 5, classes: 3, initialization: .xavierNormal, seed: 1, biasMode: .input,
                                       nonlinearity: .relu, layers: 2)
        #expect(Network(vanilla).vanillaModel == vanilla && Network(vanilla).gatedNetwork == nil)
        let gated = try GatedModel<Double>(cell: .lstm, inputSize: 3, hidden: 4, classes: 3, seed: 4, layers: 2).engineNetwork()
        let g = try #require(gated.gatedNetwork)
        #expect(Network(g) == gated && gated.vanillaModel == nil)
        for network in [Network(vanilla), gated] {
            #expect(try Network.read(network.safeTensors(), path: "m") == network)
        }
        #expect(Network(vanilla) != gated)
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

    /// A network run refuses f32 (its cells are Float64) and an unregistered foreign cell (its
    /// checkpoints could not be read back), in one line, before writing anything; a fresh run
    /// whose model does not fit its config is refused at the start, not at its first resume;
    /// and a network checkpoint is not resumed as a vanilla run, nor a vanilla one as a network
    /// run (their optimizer slots differ in order).
    @Test func networkRunsRefuseWhatCouldNotResume() throws {
        try Self.registerLinearCell()
        let set = Self.ruleSet(count: 20), start = try Self.linearNetwork(layers: 1)
        func refusal(_ config: TrainingConfig, _ model: Network) -> (String, [String]) {
            let dir = makeTemporaryDirectory("refused")
            do { _ = try ModelTrainer<Network, SequenceSet>(config: config, train: set, test: nil, outputDirectory: dir) { _ in model }; return ("trained", []) }
            catch { return ("\(error)", (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? ["?"]) }
        }
        var f32 = Self.config(layers: 1); f32.precision = .f32
        #expect(refusal(f32, start) == ("a network of any cell trains in f64, not f32", []))
        var unregistered = Self.config(layers: 1); unregistered.cell = CellKind(rawValue: "tree")
        #expect(refusal(unregistered, start)
                == ("cell \"tree\" is not registered (RegisteredCells.register), so its checkpoints could not be read", []))
        let wide = Self.config(layers: 1, hidden: 8)
        #expect(refusal(wide, start).0 == "(the new run's model): training_config says hidden 8, layers 1 but the weights have H = 6, 1 layers")

        let vanilla = RNNModel<Double>(inputSize: 3, hidden: 6, classes: 3, initialization: .xavierNormal, seed: 1, biasMode: .input)
        #expect(throws: FileFormatError(path: "c", "a network run's checkpoint (ftle-network-1, written by a program training a Network): its optimizer state is in another order than ftle train's")) {
            _ = try RNNModel<Double>.checkpointModel(in: Network(vanilla).safeTensors(), path: "c", config: TrainingConfig())
        }
        var rnn = Self.config(layers: 1); rnn.cell = .rnn
        #expect(throws: FileFormatError(path: "c", "the weights are format \"ftle-rnn-1\", not a network run's (ftle-network-1): resume it with the trainer that wrote it")) {
            _ = try Network.checkpointModel(in: vanilla.safeTensors(), path: "c", config: rnn)
        }
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
        #expect(problem { $0.tensors["rnn.weight_ih_l2"] = Tensor(float64: [0], shape: [1, 1]) }
                == "m.safetensors: tensor \"rnn.weight_ih_l2\" is not part of a 1-layer linear network")
        #expect(problem { $0.tensors["fc.bias"] = Tensor(int64: [0, 0, 0], shape: [3]) } == "m.safetensors: tensor \"fc.bias\" is I64; expected F32 or F64")
        #expect(problem { $0.tensors["fc.bias"] = Tensor(float64: [0, 0, 0], shape: [3, 1]) } == "m.safetensors: fc.weight must be a matrix and fc.bias a vector")
        #expect(problem { $0.tensors["fc.bias"] = Tensor(float64: [2e6, 0, 0], shape: [3]) }
                == "m.safetensors: tensor \"fc.bias\" holds a value of magnitude 2000000.0, beyond ±1e6: the logits' differences would be lost in rounding")
        #expect(problem {
            $0.tensors["rnn.weight_ih_l0"] = Tensor(float64: [], shape: [0, 3]); $0.tensors["rnn.weight_hh_l0"] = Tensor(float64: [], shape: [0, 0])
            $0.tensors["fc.weight"] = Tensor(float64: [], shape: [3, 0])
        } == "m.safetensors: layer 0 has H = 0, I = 3, S = 0; expected H ≥ 1, I ≥ 1, S ≥ H")
        #expect(problem { _ in } == "read")
        #expect(throws: CellError("cell gru is built in")) { try RegisteredCells.register("gru") { _, _ in try Self.linearNetwork(layers: 1).layers[0] } }
    }
}
