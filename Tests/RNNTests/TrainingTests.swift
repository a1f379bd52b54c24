import Foundation
import Linalg
import MNIST
import RNN
import Testing
import TestSupport


/// The bundled data, loaded once for all training tests.
let bundledTrain = try! MNISTDataset.load(directory: samplesMNIST, split: .train)
let bundledTest = try! MNISTDataset.load(directory: samplesMNIST, split: .test)

@Suite(.serialized) struct TrainingTests {
    func config(epochs: Int) -> TrainingConfig {
        var c = TrainingConfig()
        c.task = .rowwise; c.hidden = 12; c.epochs = epochs; c.batchSize = 32
        c.trainLimit = 200; c.testLimit = 100; c.seed = 9; c.logEvery = 3
        return c
    }

    @Test func batchFromDatasetMatchesSequenceView() {
        for task in [SequenceTask.rowwise, .permuted(seed: 4)] {
            let batch = SequenceBatch<Double>(bundledTest, indices: [5, 17], task: task)
            let direct = SequenceBatch<Double>(sequences: [task.sequence(bundledTest.image(5)), task.sequence(bundledTest.image(17))],
                                               labels: [bundledTest.label(5), bundledTest.label(17)], steps: task.steps, inputSize: task.inputSize)
            #expect(batch.inputs == direct.inputs && batch.labels == direct.labels)
        }
    }

    @Test func resumeGivesIdenticalWeights() throws {
        let straight = makeTemporaryDirectory("ftle-straight"), split = makeTemporaryDirectory("ftle-split")
        let a = try Trainer<Float>(config: config(epochs: 2), train: bundledTrain, test: bundledTest, outputDirectory: straight)
        #expect(try a.run() == .finished)
        let b = try Trainer<Float>(config: config(epochs: 1), train: bundledTrain, test: bundledTest, outputDirectory: split)
        #expect(try b.run() == .finished)
        let c = try Trainer<Float>(resumingIn: split, epochs: 2, logEvery: nil, checkpointEvery: nil, train: bundledTrain, test: bundledTest)
        #expect(c.position == TrainingPosition(epoch: 1, batch: 0))
        #expect(try c.run() == .finished)
        let m1 = try RNNModel<Float>.load(from: straight + "/model.safetensors")
        let m2 = try RNNModel<Float>.load(from: split + "/model.safetensors")
        #expect(m1.u == m2.u && m1.v == m2.v && m1.b == m2.b && m1.w == m2.w && m1.c == m2.c)
        #expect(m1.metadata.testAccuracy == m2.metadata.testAccuracy)
        // The history of the split run has the same rows (bar throughput) as the straight one.
        func rows(_ d: String) throws -> [String] {
            try String(contentsOfFile: d + "/history.csv", encoding: .utf8).split(separator: "\n").map {
                let f = $0.split(separator: ",", omittingEmptySubsequences: false); return f.count > 5 ? f[0...4].joined(separator: ",") : String($0)
            }
        }
        #expect(try rows(straight) == rows(split))
    }

    /// Issue 30, D5: a run stopped in the middle of a log window (after batch 4 of windows of
    /// 3) and resumed writes the same history rows — loss and accuracy averaged over the whole
    /// window, batches before the stop included — as one never stopped; the weights are identical.
    @Test func aStopMidWindowKeepsTheWindowsRow() throws {
        let straight = makeTemporaryDirectory("ftle-window-straight"), split = makeTemporaryDirectory("ftle-window-split")
        #expect(try Trainer<Float>(config: config(epochs: 1), train: bundledTrain, test: nil, outputDirectory: straight).run() == .finished)
        let first = try Trainer<Float>(config: config(epochs: 1), train: bundledTrain, test: nil, outputDirectory: split)
        var batches = 0
        #expect(try first.run(shouldStop: { batches += 1; return batches == 4 }) == .interrupted(step: 4))
        #expect(first.logWindow.batches == 1)
        let resumed = try Trainer<Float>(resumingIn: split, epochs: nil, logEvery: nil, checkpointEvery: nil, train: bundledTrain, test: nil)
        #expect(resumed.logWindow.lossSum == first.logWindow.lossSum && resumed.logWindow.samples == first.logWindow.samples
                 && resumed.logWindow.correct == first.logWindow.correct && resumed.logWindow.batches == 1)
        #expect(try resumed.run() == .finished)
        func rows(_ d: String) -> [[String]] {
            RunFolder(d).readHistory().rows.map { [String($0.step), $0.csvLine.split(separator: ",", omittingEmptySubsequences: false)[3...4].joined(separator: ",")] }
        }
        #expect(rows(straight).count == 3)
        #expect(rows(straight) == rows(split))
        let m1 = try RNNModel<Float>.load(from: straight + "/model.safetensors")
        let m2 = try RNNModel<Float>.load(from: split + "/model.safetensors")
        #expect(m1.v == m2.v && m1.w == m2.w)
    }

    /// Issue 30, D2 and D3: a checkpoint whose optimizer_step disagrees with its epoch/batch
    /// position is refused before the history is touched; another run's checkpoint (another
    /// seed, another H) copied into a run folder is refused naming the difference; rows past the
    /// checkpoint are reported when dropped.
    @Test func checkpointsThatDoNotFitTheirFolderAreRefused() throws {
        let run = makeTemporaryDirectory("ftle-d2")
        #expect(try Trainer<Float>(config: config(epochs: 1), train: bundledTrain, test: nil, outputDirectory: run).run() == .finished)
        let history = try Data(contentsOf: URL(fileURLWithPath: run + "/history.csv"))
        let checkpoint = run + "/checkpoint.safetensors"
        let good = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        var file = try SafeTensorsFile(contentsOf: checkpoint)
        file.metadata["optimizer_step"] = "3"
        try file.write(to: checkpoint)
        #expect {
            try Trainer<Float>(resumingIn: run, epochs: 2, logEvery: nil, checkpointEvery: nil, train: bundledTrain, test: nil)
        } throws: { String(describing: $0) == "\(run)/checkpoint.safetensors: checkpoint field optimizer_step is 3, but position epoch 1, batch 0 (7 batches an epoch) is step 7" }
        #expect(try Data(contentsOf: URL(fileURLWithPath: run + "/history.csv")) == history)

        for (name, edit) in [("seed", { (c: inout TrainingConfig) in c.seed = 10 }), ("hidden", { (c: inout TrainingConfig) in c.hidden = 6 })] {
            let other = makeTemporaryDirectory("ftle-d3-\(name)")
            var c = config(epochs: 1)
            edit(&c)
            #expect(try Trainer<Float>(config: c, train: bundledTrain, test: nil, outputDirectory: other).run() == .finished)
            try FileManager.default.removeItem(atPath: checkpoint)
            try FileManager.default.copyItem(atPath: other + "/checkpoint.safetensors", toPath: checkpoint)
            let expected = name == "seed"
                ? "its metadata \"seed\" is \"10\" but \(run)/initial.safetensors records \"9\""
                : "its metadata \"hidden\" is \"6\" but \(run)/initial.safetensors records \"12\""
            #expect {
                try Trainer<Float>(resumingIn: run, epochs: 2, logEvery: nil, checkpointEvery: nil, train: bundledTrain, test: nil)
            } throws: { String(describing: $0) == "\(run)/checkpoint.safetensors: is not this folder's run: \(expected) (resume a run in its own folder, or start afresh with --force)" }
            #expect(try Data(contentsOf: URL(fileURLWithPath: run + "/history.csv")) == history)
        }
        // The run's own checkpoint again, with history rows written after it (a kill between checkpoints).
        try good.write(to: URL(fileURLWithPath: checkpoint))
        try (String(decoding: history, as: UTF8.self) + "1,3,10,2.3,0.1,100,,\n1,6,13,2.3,0.1,100,,\n").write(toFile: run + "/history.csv", atomically: true, encoding: .utf8)
        let resumed = try Trainer<Float>(resumingIn: run, epochs: 2, logEvery: nil, checkpointEvery: nil, train: bundledTrain, test: nil)
        #expect(resumed.historyRepair?.description == "dropped 2 rows written after the checkpoint")
        #expect(try Data(contentsOf: URL(fileURLWithPath: run + "/history.csv")) == history)
    }

    /// `flushSubnormals` (train --flush-subnormals) is part of the run: the model file records
    /// it, a resume keeps it unless told otherwise, a flushing run split in two is bit-identical
    /// to one straight flushing run, and the calling thread's mode is restored after each run.
    /// An old checkpoint's config (no key) decodes as false.
    @Test func flushingSubnormalsIsRecordedAndResumed() throws {
        var flushing = config(epochs: 2)
        flushing.flushSubnormals = true
        let straight = makeTemporaryDirectory("ftle-ftz-straight"), split = makeTemporaryDirectory("ftle-ftz-split")
        let modeBefore = SubnormalMode.isFlushing
        #expect(try Trainer<Float>(config: flushing, train: bundledTrain, test: nil, outputDirectory: straight).run() == .finished)
        #expect(SubnormalMode.isFlushing == modeBefore)
        var firstEpoch = flushing
        firstEpoch.epochs = 1
        #expect(try Trainer<Float>(config: firstEpoch, train: bundledTrain, test: nil, outputDirectory: split).run() == .finished)
        let resumed = try Trainer<Float>(resumingIn: split, epochs: 2, logEvery: nil, checkpointEvery: nil, train: bundledTrain, test: nil)
        #expect(resumed.config.flushSubnormals)
        #expect(try resumed.run() == .finished)
        let m1 = try RNNModel<Float>.load(from: straight + "/model.safetensors")
        let m2 = try RNNModel<Float>.load(from: split + "/model.safetensors")
        #expect(m1.u == m2.u && m1.v == m2.v && m1.b == m2.b && m1.w == m2.w && m1.c == m2.c)
        #expect(m1.metadata.extra["flush_subnormals"] == "true")
        var adopted = TrainingConfig()
        adopted.adoptRecordedSettings(from: m1.metadata)
        #expect(adopted.flushSubnormals)
        // An explicit choice on resume replaces the stored one.
        let off = try Trainer<Float>(resumingIn: split, epochs: 3, logEvery: nil, checkpointEvery: nil, flushSubnormals: false,
                                     train: bundledTrain, test: nil)
        #expect(!off.config.flushSubnormals)
        // A checkpoint config written before the key existed.
        let old = try JSONDecoder().decode(TrainingConfig.self, from: Data(#"{"hidden": 7}"#.utf8))
        #expect(old.hidden == 7 && !old.flushSubnormals)
    }

    /// A run started from given weights is a run whose initialisation happens to be those
    /// weights: starting from a fresh run's `initial.safetensors` reproduces that run bit
    /// for bit. Weights that do not fit the run's task or H are refused.
    @Test func startingFromWeightsReproducesTheRunWithThatInitialisation() throws {
        let fresh = makeTemporaryDirectory("ftle-fresh"), fromWeights = makeTemporaryDirectory("ftle-from-weights")
        let a = try Trainer<Float>(config: config(epochs: 1), train: bundledTrain, test: nil, outputDirectory: fresh)
        #expect(try a.run() == .finished)
        let start = try RNNModel<Float>.load(from: fresh + "/" + RunFiles.initialModel)
        // A different initialisation setting (the seed also orders the data, so it stays):
        // only the starting weights can make the runs agree.
        var other = config(epochs: 1)
        other.initialization = .orthogonal
        let b = try Trainer<Float>(config: other, train: bundledTrain, test: nil, outputDirectory: fromWeights,
                                   startingWeights: start)
        #expect(b.model.v == start.v)
        #expect(try b.run() == .finished)
        let m1 = try RNNModel<Float>.load(from: fresh + "/model.safetensors")
        let m2 = try RNNModel<Float>.load(from: fromWeights + "/model.safetensors")
        #expect(m1.u == m2.u && m1.v == m2.v && m1.b == m2.b && m1.w == m2.w && m1.c == m2.c)
        #expect(m2.v != start.v)

        var wrongSize = config(epochs: 1)
        wrongSize.hidden += 1
        #expect(throws: TrainingError.self) {
            _ = try Trainer<Float>(config: wrongSize, train: bundledTrain, test: nil,
                                   outputDirectory: makeTemporaryDirectory("ftle-wrong"), startingWeights: start)
        }
    }

    /// A kill between the checkpoint write and the model write (the model file is written
    /// second) leaves `model.safetensors` one checkpoint behind; at the end of a run nothing
    /// would overwrite it again. `--resume` rewrites it from the checkpoint — even for a run
    /// that has already finished. (Found by `SignalTests`, whose chains occasionally ended
    /// with a stale model under load.)
    @Test func resumeRepairsAModelFileLeftBehindTheCheckpoint() throws {
        let dir = makeTemporaryDirectory("ftle-stale-model")
        let a = try Trainer<Float>(config: config(epochs: 1), train: bundledTrain, test: bundledTest, outputDirectory: dir)
        #expect(try a.run() == .finished)
        let finished = try RNNModel<Float>.load(from: dir + "/" + RunFiles.model)
        // Simulate the kill: the model file holds older weights than the checkpoint.
        let stale = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + RunFiles.initialModel))
        try stale.write(to: URL(fileURLWithPath: dir + "/" + RunFiles.model))
        #expect(try RNNModel<Float>.load(from: dir + "/" + RunFiles.model).v != finished.v)
        let resumed = try Trainer<Float>(resumingIn: dir, epochs: nil, logEvery: nil, checkpointEvery: nil,
                                         train: bundledTrain, test: bundledTest)
        #expect(try resumed.run() == .finished)
        let repaired = try RNNModel<Float>.load(from: dir + "/" + RunFiles.model)
        #expect(repaired.u == finished.u && repaired.v == finished.v && repaired.b == finished.b
                && repaired.w == finished.w && repaired.c == finished.c)
        #expect(repaired.metadata.testAccuracy == finished.metadata.testAccuracy)
        #expect(repaired.metadata.extra["optimizer_step"] == nil && repaired.metadata.extra["training_config"] == nil)
    }

    @Test func interruptedMidEpochResumesExactly() throws {
        let straight = makeTemporaryDirectory("ftle-mid-a"), split = makeTemporaryDirectory("ftle-mid-b")
        let a = try Trainer<Float>(config: config(epochs: 1), train: bundledTrain, test: nil, outputDirectory: straight)
        _ = try a.run()
        let b = try Trainer<Float>(config: config(epochs: 1), train: bundledTrain, test: nil, outputDirectory: split)
        var calls = 0
        // Stop after the 4th batch, as a signal would.
        #expect(try b.run(shouldStop: { calls += 1; return calls == 4 }) == .interrupted(step: 4))
        let c = try Trainer<Float>(resumingIn: split, epochs: nil, logEvery: nil, checkpointEvery: nil, train: bundledTrain, test: nil)
        #expect(c.position == TrainingPosition(epoch: 0, batch: 4))
        _ = try c.run()
        #expect(c.model.v == a.model.v && c.model.u == a.model.u && c.model.w == a.model.w)
    }

    @Test func trainingReducesLoss() throws {
        var cfg = config(epochs: 3)
        cfg.trainLimit = 640; cfg.hidden = 32; cfg.learningRate = 5e-3
        let dir = makeTemporaryDirectory("ftle-learn")
        let t = try Trainer<Float>(config: cfg, train: bundledTrain, test: nil, outputDirectory: dir)
        var losses: [Double] = []
        _ = try t.run(onEvent: { if case let .progress(p) = $0 { losses.append(p.loss) } })
        #expect(losses.count >= 6)
        // From chance (ln 10 ≈ 2.30) the mean loss of the last reports is clearly lower.
        #expect(losses.first! > 2.0 && losses.suffix(2).reduce(0, +) / 2 < 0.8 * losses.first!)
    }

    @Test func invalidConfigurationsAreRejected() {
        var c = config(epochs: 1); c.batchSize = 0
        #expect(throws: TrainingError.invalid(.batchSize, "must be at least 1 (got 0)")) {
            try Trainer<Float>(config: c, train: bundledTrain, test: nil, outputDirectory: makeTemporaryDirectory())
        }
        #expect(TrainingError.invalid(.batchSize, "must be at least 1 (got 0)").description == "the batch size must be at least 1 (got 0)")
        // An unknown task can no longer be set in code (the task is an enum); a stored config
        // naming one does not decode.
        let spiral = #"{"task":"spiral","hidden":12}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TrainingConfig.self, from: Data(spiral.utf8)) }
    }

    @Test func nonFiniteLossStopsAndKeepsLastCheckpoint() throws {
        var c = config(epochs: 2)
        c.learningRate = 3e38; c.clip = 0; c.optimizer = .sgd  // Float32 overflows within a few steps
        let dir = makeTemporaryDirectory("ftle-nan")
        let t = try Trainer<Float>(config: c, train: bundledTrain, test: nil, outputDirectory: dir)
        do { _ = try t.run(); Issue.record("training with lr 1e30 should blow up") } catch let e as TrainingError {
            // The weights pass ±1e6 (issue 30, W1) at the same step or before the loss overflows.
            switch e {
            case .nonFiniteLoss, .nonFiniteWeights: break
            default: Issue.record("wrong error \(e)"); return
            }
        }
        // Whatever checkpoint exists is loadable and finite.
        if FileManager.default.fileExists(atPath: dir + "/model.safetensors") {
            #expect(try RNNModel<Float>.load(from: dir + "/model.safetensors").allFinite)
        }
        #expect(try RNNModel<Float>.load(from: dir + "/initial.safetensors").allFinite)
    }

    /// `best.safetensors` holds the epoch-end model with the highest test accuracy (as
    /// history.csv records it; the first such epoch on a tie), whatever the order of the
    /// accuracies: checked against every epoch-end model captured as the run goes, for a run
    /// straight through and one split by a resume; a lone best model is a run to keep (refused
    /// without --force, removed with it).
    @Test func bestModelIsTheEpochEndWithTheHighestTestAccuracy() throws {
        var c = config(epochs: 5)
        c.learningRate = 0.03  // Adam this fast makes the accuracy go up and down
        let straight = makeTemporaryDirectory("ftle-best-a"), split = makeTemporaryDirectory("ftle-best-b")
        // A best model left alone in a folder (the rest deleted) is a run kept: refused without
        // replacingExistingRun (--force), untouched; with it, removed when the new run starts.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: straight + "/" + RunFiles.bestModel))
        #expect(throws: RunFolderError.existingRun(folder: straight)) {
            try Trainer<Float>(config: c, train: bundledTrain, test: bundledTest, outputDirectory: straight)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: straight + "/" + RunFiles.bestModel)) == Data([1, 2, 3]))
        let a = try Trainer<Float>(config: c, train: bundledTrain, test: bundledTest, outputDirectory: straight, replacingExistingRun: true)
        #expect(!FileManager.default.fileExists(atPath: straight + "/" + RunFiles.bestModel))
        var epochModels: [RNNModel<Float>] = [], accuracies: [Double] = [], announced: [Int] = []
        let outcome = try a.run(onEvent: { event in
            switch event {
            case let .epochEnd(_, _, accuracy): epochModels.append(a.model); accuracies.append(accuracy)
            case let .bestModel(_, epoch, _):
                announced.append(epoch)
                #expect(epochModels.count == epoch + 1, "announced after its epoch's end")
            default: break
            }
        })
        #expect(outcome == .finished)
        #expect(epochModels.count == 5)
        let recorded = accuracies.map { Double(String(format: "%.6g", $0))! }
        let bestEpoch = recorded.firstIndex(of: recorded.max()!)!
        // Announced exactly at the epochs that beat every earlier one.
        let records = recorded.indices.filter { e in recorded[..<e].allSatisfy { $0 < recorded[e] } }
        #expect(announced == records && announced.last == bestEpoch)
        let best = try RNNModel<Float>.load(from: straight + "/" + RunFiles.bestModel)
        let expected = epochModels[bestEpoch]
        #expect(best.u == expected.u && best.v == expected.v && best.b == expected.b && best.w == expected.w && best.c == expected.c)
        #expect(best.metadata.testAccuracy == accuracies[bestEpoch] && best.metadata.epochsTrained == Double(bestEpoch + 1))
        // Split after two epochs and resumed: the same best model.
        var first = c; first.epochs = 2
        #expect(try Trainer<Float>(config: first, train: bundledTrain, test: bundledTest, outputDirectory: split).run() == .finished)
        let resumed = try Trainer<Float>(resumingIn: split, epochs: 5, logEvery: nil, checkpointEvery: nil, train: bundledTrain, test: bundledTest)
        #expect(try resumed.run() == .finished)
        let splitBest = try RNNModel<Float>.load(from: split + "/" + RunFiles.bestModel)
        #expect(splitBest.v == best.v && splitBest.u == best.u && splitBest.metadata.testAccuracy == best.metadata.testAccuracy)
        print("best-model test: accuracies \(recorded), best epoch \(bestEpoch + 1), announced \(announced.map { $0 + 1 })")
    }
}
