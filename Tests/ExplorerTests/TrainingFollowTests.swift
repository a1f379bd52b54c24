@testable import Explorer
import Foundation
import RNN
import Testing

@Suite("Training and following")
struct TrainingFollowTests {
    static let csv = """
        epoch,batch,step,loss,accuracy,samples_per_second,test_loss,test_accuracy
        0,10,10,2.0,0.3,100,,
        0,20,20,1.5,0.5,120,,
        0,20,20,,,,1.2,0.61
        1,10,30,1.1,0.7,
        """

    @Test func historyParsesProgressAndEpochRows() {
        let history = TrainingHistory(csv: Self.csv)
        #expect(history.rows.count == 3)   // the half-written last line is skipped
        #expect(history.progressRows.map(\.step) == [10, 20])
        #expect(history.lastTestAccuracy == 0.61)
    }

    @Test func followingDerivesPositionAndETA() {
        var config = TrainingConfig()
        config.epochs = 2
        config.batchSize = 10
        config.trainLimit = 200
        var status = TrainingStatus()
        status.follow(history: TrainingHistory(csv: Self.csv), config: config)
        #expect(status.phase == .following)
        #expect(status.batchesPerEpoch == 20)
        #expect(status.epoch == 1 && status.batch == 0)
        #expect(status.overallFraction == 0.5)
        #expect(status.etaSeconds.map { abs($0 - 20 * 10 / 120.0) < 1e-9 } == true)
    }

    @Test func followerReportsAppendedRowsAndNewWeights() throws {
        let directory = ExplorerFixtures.temporaryDirectory()
        try writeFileAtomically(directory + "/" + RunFiles.history, text: RunFiles.historyHeader + "\n0,10,10,2.0,0.3,100,,\n")
        let follower = RunFollower(directory: directory)
        var changes = follower.poll()
        guard case let .history(first, _) = changes.first else { Issue.record("no history"); return }
        #expect(first.rows.count == 1)
        #expect(follower.poll().isEmpty)
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/" + RunFiles.history))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("0,20,20,1.5,0.5,120,,\n".utf8))
        try handle.close()
        try ExplorerFixtures.rowwiseModel.save(to: directory + "/" + RunFiles.model)
        changes = follower.poll()
        #expect(changes.contains { if case let .history(h, _) = $0 { h.rows.count == 2 } else { false } })
        #expect(changes.contains { if case .model = $0 { true } else { false } })
    }

    @Test func trainingPlanContinuesARunOrStartsFromTheWeights() throws {
        let model = ExplorerFixtures.rowwiseModel
        let fresh = TrainingPlan.forModel(Network(model), modelPath: "/x/m.safetensors", outputDirectory: "/tmp/none-\(UUID())",
                                          dataDirectory: "d")
        guard case let .fromWeights(config, weights) = fresh.source else { Issue.record("expected a run from the weights"); return }
        #expect(weights == Network(model))
        #expect(config.task == .rowwise && config.hidden == 16 && config.initialization == .pytorch && config.seed == 1)
        #expect(config.learningRate == 1e-3 && config.batchSize == 64 && config.clip == 1)
        // The hyper-parameters a file records are the ones a run from its weights uses.
        var recorded = model
        recorded.metadata.extra = ["lr": "0.0001", "optimizer": "sgd", "batch_size": "32", "clip": "0.5", "momentum": "0.9"]
        guard case let .fromWeights(c2, _) = TrainingPlan.forModel(Network(recorded), modelPath: "/x/m.safetensors",
                                                                    outputDirectory: "/tmp/none-\(UUID())", dataDirectory: "d").source
        else { Issue.record("expected a run from the weights"); return }
        #expect(c2.learningRate == 1e-4 && c2.optimizer == .sgd && c2.batchSize == 32 && c2.clip == 0.5 && c2.momentum == 0.9)
        let run = ExplorerFixtures.temporaryDirectory()
        try model.save(to: run + "/" + RunFiles.model)
        try writeFileAtomically(run + "/" + RunFiles.checkpoint, text: "x")
        let continued = TrainingPlan.forModel(Network(model), modelPath: run + "/" + RunFiles.model,
                                              outputDirectory: "/tmp/none-\(UUID())", dataDirectory: "d")
        #expect(continued.source == .continueRun(checkpoint: run + "/" + RunFiles.checkpoint))
    }

    /// A tiny real run: 64 training images, one epoch, driven through the app.
    @Test func backgroundTrainingFeedsTheTrainingPane() throws {
        let (app, _) = ExplorerFixtures.settledApp()
        let output = app.configuration.trainingDirectory
        // A fresh run from the model's settings, limited to keep the test fast.
        var config = TrainingConfig()
        config.hidden = 16
        config.epochs = 1
        config.batchSize = 16
        config.trainLimit = 64
        config.testLimit = 50
        config.logEvery = 1
        let worker = TrainingWorker()
        worker.start(TrainingPlan(source: .fresh(config), outputDirectory: output, dataDirectory: ExplorerFixtures.mnistDirectory))
        worker.requestWeights()
        worker.waitUntilStopped(timeout: 120)
        let updates = worker.drainUpdates()
        for update in updates where !(update.isWeights) { app.dispatch(.training(update)) }
        #expect(app.state.training.phase == .done)
        #expect(app.state.training.history.progressRows.count == 4)
        #expect(app.state.training.history.lastTestAccuracy != nil)
        #expect(updates.contains { $0.isWeights })
        #expect(FileManager.default.fileExists(atPath: output + "/" + RunFiles.model))
        app.renderIfNeeded()
        let text = try #require(app.screen).plainText()
        #expect(text.contains("state done"))
        #expect(text.contains("batch 4/4"))
    }
}

extension TrainingUpdate {
    var isWeights: Bool { if case .weights = self { true } else { false } }
}

@Suite("Training from the app", .serialized)
struct AppTrainingTests {
    /// `t` on a bare model file (no checkpoint beside it) trains from the loaded weights, and
    /// with `reloadEveryBatches` the panes receive the new weights without `R`. A second `t`
    /// pauses (checkpoint saved, trainer thread gone).
    @Test func trainsFromTheLoadedWeightsAndReloadsEveryNBatches() throws {
        let (app, _) = ExplorerFixtures.settledApp()
        app.configuration.reloadEveryBatches = 20
        let before = try #require(app.model.vanillaModel)
        app.handle(.char("t"))
        let deadline = Date().addingTimeInterval(120)
        func reloaded() -> Bool { app.state.status?.text.hasPrefix("loaded the training weights") == true }
        while Date() < deadline && !reloaded() {
            app.processWorkerResults()
            usleep(20_000)
        }
        #expect(reloaded(), "status: \(app.state.status?.text ?? "none")")
        #expect(app.model.vanillaModel?.v != before.v)
        #expect(app.state.training.step >= 20)
        let output = app.configuration.trainingDirectory
        let initial = try RNNModel<Double>.load(from: output + "/" + RunFiles.initialModel)
        #expect(initial.v == before.converted(to: Float.self).converted(to: Double.self).v)

        app.handle(.char("t"))
        let stopDeadline = Date().addingTimeInterval(60)
        while Date() < stopDeadline && app.state.training.phase != .paused {
            app.processWorkerResults()
            usleep(20_000)
        }
        #expect(app.state.training.phase == .paused)
        #expect(FileManager.default.fileExists(atPath: output + "/" + RunFiles.checkpoint))
    }

    /// Issue 30, B7 (row 629): the follower says once when the folder is gone, when
    /// history.csv is a FIFO (never opened, so nothing blocks) and when it holds no rows.
    @Test func followerWarnsAboutAMissingFolderAFIFOAndGarbage() throws {
        func problems(_ changes: [RunFollower.Change]) -> [String] {
            changes.compactMap { if case let .problem(text) = $0 { text } else { nil } }
        }
        let directory = ExplorerFixtures.temporaryDirectory() + "/followed"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let follower = RunFollower(directory: directory)
        try "garbage\nmore garbage\n".write(toFile: directory + "/history.csv", atomically: false, encoding: .utf8)
        #expect(problems(follower.poll()) == ["following \(directory): history.csv holds no training history rows"])
        #expect(problems(follower.poll()) == [], "said once")
        try FileManager.default.removeItem(atPath: directory + "/history.csv")
        #expect(mkfifo(directory + "/history.csv", 0o644) == 0)
        #expect(problems(follower.poll()) == ["following \(directory): history.csv is not a regular file; the history is not shown"])
        try FileManager.default.removeItem(atPath: directory + "/history.csv")
        try TrainingFollowTests.csv.write(toFile: directory + "/history.csv", atomically: false, encoding: .utf8)
        let fine = follower.poll()
        #expect(problems(fine) == [] && fine.contains { if case .history = $0 { true } else { false } })
        try FileManager.default.removeItem(atPath: directory)
        #expect(problems(follower.poll()) == ["following \(directory): the folder no longer exists; what is shown is its last state"])
        #expect(problems(follower.poll()) == [])
    }
}
