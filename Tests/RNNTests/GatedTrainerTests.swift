import Foundation
import Linalg
import MNIST
import RNN
import Testing
import TestSupport

/// `GatedTrainer`: a resumed run is bit-identical to a straight one, the model file loads as a
/// `GatedNetwork` with the trainer's logits and carries the run's metadata, and training
/// lowers the loss.
@Suite(.serialized) struct GatedTrainerTests {
    func config(_ cell: CellKind, epochs: Int) -> TrainingConfig {
        var c = TrainingConfig()
        c.cell = cell
        c.task = .rowwise; c.hidden = 12; c.epochs = epochs; c.batchSize = 32
        c.trainLimit = 200; c.testLimit = 100; c.seed = 9; c.logEvery = 3
        return c
    }

    @Test(arguments: [CellKind.gru, .lstm])
    func resumeGivesIdenticalWeights(cell: CellKind) throws {
        let straight = makeTemporaryDirectory("ftle-gated-straight"), split = makeTemporaryDirectory("ftle-gated-split")
        let a = try GatedTrainer<Float>(config: config(cell, epochs: 2), train: bundledTrain, test: bundledTest, outputDirectory: straight)
        #expect(try a.run() == .finished)
        // Split mid-epoch: a stop request after batch 3 of epoch 1 (a report boundary, so the
        // history's averaging windows agree too) saves a checkpoint there.
        var batches = 0
        let b = try GatedTrainer<Float>(config: config(cell, epochs: 2), train: bundledTrain, test: bundledTest, outputDirectory: split)
        #expect(try b.run(shouldStop: { batches += 1; return batches == 3 }) == .interrupted(step: 3))
        let c = try GatedTrainer<Float>(resumingIn: split, epochs: nil, logEvery: nil, checkpointEvery: nil, train: bundledTrain, test: bundledTest)
        #expect(c.position == TrainingPosition(epoch: 0, batch: 3))
        #expect(try c.run() == .finished)
        let m1 = try GatedModel<Float>.load(from: straight + "/model.safetensors")
        let m2 = try GatedModel<Float>.load(from: split + "/model.safetensors")
        #expect(m1.parameterArrays == m2.parameterArrays)
        #expect(m1.parameterArrays == a.model.parameterArrays)
        #expect(m1.metadata.testAccuracy == m2.metadata.testAccuracy)
        func rows(_ d: String) throws -> [String] {
            try String(contentsOfFile: d + "/history.csv", encoding: .utf8).split(separator: "\n").map {
                let f = $0.split(separator: ",", omittingEmptySubsequences: false); return f.count > 5 ? f[0...4].joined(separator: ",") : String($0)
            }
        }
        #expect(try rows(straight) == rows(split))
    }

    /// The saved model is what PyTorch's `load_state_dict` takes (PyTorch names and shapes),
    /// and `GatedNetwork` — the analysis loader — reads it and gives the trained model's logits.
    @Test(arguments: [CellKind.gru, .lstm])
    func modelFileLoadsAsGatedNetwork(cell: CellKind) throws {
        let dir = makeTemporaryDirectory("ftle-gated-model")
        var c = config(cell, epochs: 1)
        c.learningRate = 3e-3
        let trainer = try GatedTrainer<Float>(config: c, train: bundledTrain, test: bundledTest, outputDirectory: dir)
        #expect(try trainer.run() == .finished)
        let path = dir + "/model.safetensors"
        let file = try SafeTensorsFile(contentsOf: path)
        let g = cell == .gru ? 3 : 4
        #expect(file.tensors["rnn.weight_ih_l0"]?.shape == [g * 12, 28] && file.tensors["rnn.weight_hh_l0"]?.shape == [g * 12, 12])
        #expect(file.tensors["rnn.bias_ih_l0"]?.shape == [g * 12] && file.tensors["rnn.bias_hh_l0"]?.shape == [g * 12])
        #expect(file.tensors["fc.weight"]?.shape == [10, 12] && file.tensors["fc.bias"]?.shape == [10])
        #expect(file.tensors["rnn.weight_hh_l0"]?.dtype == .f32)
        let meta = file.metadata
        #expect(meta["cell"] == cell.rawValue && meta["task"] == "rowwise" && meta["hidden"] == "12" && meta["init"] == "pytorch")
        #expect(meta["seed"] == "9" && meta["epochs_trained"] == "1.0" && meta["optimizer"] == "adam" && meta["lr"] == "0.003")
        #expect(meta["test_accuracy"].flatMap(Double.init) == trainer.model.metadata.testAccuracy)
        let network = try GatedNetwork(file: file, path: path)
        #expect(network.cell.rawValue == cell.rawValue)
        // Float32 weights widen exactly: the Float64 model of the file is the trained one.
        let model = try GatedModel<Double>.load(from: path)
        #expect(model.parameterArrays == trainer.model.parameterArrays.map { $0.map(Double.init) })
        let batch = SequenceBatch<Double>(bundledTest, indices: Array(0..<5), task: .rowwise)
        let logits = model.finalLogits(batch)
        var worst = 0.0
        for n in 0..<5 {
            let x = (0..<28).flatMap { batch.input(step: $0, sample: n) }
            let reference = network.finalLogits(sequence: x, steps: 28)
            for k in 0..<10 { worst = max(worst, abs(logits[k, n] - reference[k])) }
        }
        #expect(worst < 1e-12, "max |GatedModel − GatedNetwork| logits = \(worst)")
        // And the trainer's Float32 arithmetic agrees with that to Float32 rounding.
        let f32 = trainer.model.finalLogits(SequenceBatch<Float>(bundledTest, indices: Array(0..<5), task: .rowwise))
        for n in 0..<5 { for k in 0..<10 { #expect(abs(Double(f32[k, n]) - logits[k, n]) < 1e-4) } }
    }

    /// Models trained by `ftle train --cell gru|lstm` (Tests/Fixtures/pytorch-gated-trained),
    /// loaded by PyTorch with `load_state_dict(strict=True)` and run in float64 by
    /// `check_in_pytorch.py`: PyTorch's logits of test images 0..<8 equal ftle's to 1e-10.
    @Test(arguments: ["gru", "lstm"])
    func pytorchLoadsTheTrainedModelWithTheSameLogits(cell: String) throws {
        struct Expected: Decodable { var images: Int; var logits: [[Double]] }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/pytorch-gated-trained").path
        let model = try GatedModel<Double>.load(from: "\(fixtures)/\(cell)-trained.safetensors")
        #expect(model.cell.rawValue == cell && model.task == .rowwise)
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(cell)-pytorch-logits.json")))
        let logits = model.finalLogits(SequenceBatch<Double>(bundledTest, indices: Array(0..<expected.images), task: .rowwise))
        var worst = 0.0
        for n in 0..<expected.images { for k in 0..<10 { worst = max(worst, abs(logits[k, n] - expected.logits[n][k])) } }
        print("ftle vs PyTorch, \(cell): max |Δ logit| = \(worst) over \(expected.images) images")
        #expect(worst < 1e-10, "max |ftle − PyTorch| logits = \(worst)")
    }

    @Test(arguments: [CellKind.gru, .lstm])
    func trainingReducesLoss(cell: CellKind) throws {
        let dir = makeTemporaryDirectory("ftle-gated-loss")
        var c = config(cell, epochs: 2)
        c.learningRate = 2e-2; c.threads = 2; c.trainLimit = 1000; c.batchSize = 20; c.logEvery = 10
        let trainer = try GatedTrainer<Float>(config: c, train: bundledTrain, test: nil, outputDirectory: dir)
        var losses: [Double] = []
        #expect(try trainer.run(onEvent: { event in if case let .progress(p) = event { losses.append(p.loss) } }) == .finished)
        #expect(losses.count >= 4)
        #expect(losses.last! < 0.8 * losses.first!, "losses \(losses)")
    }

    /// `checkpointEvery` saves mid-epoch (steps 2, 4, 6 of a 7-batch epoch, then the epoch's
    /// end); `flushSubnormals` is recorded in the model and the thread's mode restored.
    @Test func checkpointsEveryNBatchesAndFlushesSubnormals() throws {
        let dir = makeTemporaryDirectory("ftle-gated-every")
        var c = config(.lstm, epochs: 1)
        c.checkpointEvery = 2; c.flushSubnormals = true
        let modeBefore = SubnormalMode.isFlushing
        let trainer = try GatedTrainer<Float>(config: c, train: bundledTrain, test: nil, outputDirectory: dir)
        var steps: [Int] = []
        #expect(try trainer.run(onEvent: { if case let .checkpoint(_, step) = $0 { steps.append(step) } }) == .finished)
        #expect(steps == [2, 4, 6, 7])
        #expect(SubnormalMode.isFlushing == modeBefore)
        let file = try SafeTensorsFile(contentsOf: dir + "/model.safetensors")
        #expect(file.metadata["flush_subnormals"] == "true" && file.metadata["step"] == "7")
    }

    @Test func unsupportedSettingsAreRefused() {
        var c = config(.gru, epochs: 1)
        c.bias = .input
        #expect(GatedTrainer<Float>.unsupportedSetting(in: c) != nil)
        c.bias = .pair; c.initialization = .orthogonal
        #expect(GatedTrainer<Float>.unsupportedSetting(in: c) != nil)
        c.initialization = .pytorch
        #expect(GatedTrainer<Float>.unsupportedSetting(in: c) == nil)
        let dir = makeTemporaryDirectory("ftle-gated-refused")
        #expect(throws: (any Error).self) { try Trainer<Float>(config: c, train: bundledTrain, test: nil, outputDirectory: dir) }
    }
}
