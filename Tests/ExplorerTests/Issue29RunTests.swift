@testable import Explorer
import Foundation
import RNN
import Testing
import TerminalUI

/// Issue 29, items 5 and 6: `--follow` before the run's first weights never opens another
/// model, and a run stored in `--out` shows its history and position.
@Suite("Issue 29 runs", .serialized)
struct Issue29RunTests {
    /// Item 5: a followed folder without weights resolves to no model (never a bundled one),
    /// and `run` has the path to wait for; once the weights are there, they are the model.
    @Test func followBeforeTheFirstWeightsNeverOpensAnotherModel() throws {
        let run = ExplorerFixtures.temporaryDirectory()
        var options = ExplorerOptions(followDirectory: run, dataDirectory: ExplorerFixtures.mnistDirectory,
                                      bundleRoot: ExplorerFixtures.repositoryRoot.path)
        let path = run + "/" + RunFiles.model
        #expect(ExplorerLauncher.firstWeightsToWaitFor(options) == path)
        let error = #expect(throws: ExplorerSetupError.self) { try ExplorerLauncher.resolveModelPath(options) }
        #expect(error?.description == "--follow \(run): the run has no weights yet (\(path)); waiting for the run's first weights needs a terminal")
        try ExplorerFixtures.rowwiseModel.save(to: path)
        #expect(ExplorerLauncher.firstWeightsToWaitFor(options) == nil)
        #expect(try ExplorerLauncher.resolveModelPath(options) == path)
        options.modelPath = "/elsewhere/m.safetensors"
        try FileManager.default.removeItem(atPath: path)
        #expect(ExplorerLauncher.firstWeightsToWaitFor(options) == nil, "--model given: nothing to wait for")
    }

    /// Item 5: a followed history before the run's checkpoint (no totals yet) reads
    /// "epoch 1/?", never "epoch 1/0" / "batch 0/0".
    @Test func aHistoryWithoutItsCheckpointHasNoMadeUpTotals() {
        var state = ExplorerFixtures.state()
        var history = TrainingHistory()
        history.rows = [.init(epoch: 0, batch: 10, step: 10, loss: 2.1, accuracy: 0.2, samplesPerSecond: 900)]
        _ = state.handle(.followedHistory(history, config: nil, directory: "/runs/x"))
        let text = ExplorerScreen.render(state, size: TerminalSize(width: 120, height: 40)).plainText()
        #expect(text.contains("epoch 1/?") && text.contains("batch 10/?"), "\(text)")
        #expect(!text.contains("epoch 1/0") && !text.contains("batch 0/0"))
    }

    /// Item 6: reopening the folder of an earlier run (`--out`) shows its stored history —
    /// position, curves, the last test accuracy — and says how to continue it, instead of
    /// "state idle" with nothing.
    @Test func reopeningARunShowsItsStoredHistory() throws {
        let output = ExplorerFixtures.temporaryDirectory() + "/run"
        var config = TrainingResumeTests.smallConfig()
        config.epochs = 1
        let updates = TrainingResumeTests.run(TrainingPlan(source: .fresh(config), outputDirectory: output,
                                                           dataDirectory: ExplorerFixtures.mnistDirectory), pauseAtOnce: false)
        #expect(updates.contains { if case .finished = $0 { true } else { false } })
        let stored = TrainingHistory(csv: try String(contentsOfFile: output + "/" + RunFiles.history, encoding: .utf8))
        let lastStep = try #require(stored.rows.last?.step)
        #expect(stored.lastTestAccuracy != nil)

        let (app, _) = ExplorerFixtures.settledApp(trainingDirectory: output)
        let training = app.state.training
        #expect(training.isStored && training.phase == .idle)
        #expect(training.history == stored)
        #expect(training.step == lastStep && training.epochs == 1 && training.batchesPerEpoch == 10)
        #expect(app.state.status?.text == "stored run in --out (step \(lastStep)): restart with --resume to continue it")
        #expect(training.directory == output)
        let text = try #require(app.screen).plainText()
        #expect(text.contains("state stored run"), "\(text)")
        let row = try #require(text.split(separator: "\n").first { $0.contains("test acc") })
        let value = row[row.range(of: "test acc")!.upperBound...].prefix { $0 != "│" }
        #expect(value.contains { $0.isNumber }, "the stored test accuracy: \(row)")
        // After `t` resumed it, the history is the file again (as the trainer repaired it).
        var state = app.state
        var longer = stored
        longer.rows.append(.init(epoch: 1, batch: 1, step: lastStep + 1, loss: 1))
        _ = state.handle(.storedHistory(longer, config: nil, directory: output, note: nil))
        #expect(state.training.history == longer)
    }
}
