@testable import Explorer
import Foundation
import RNN
import Testing
import TerminalUI

/// Pausing and resuming keeps a run's planned epochs (issue #16, item 1).
@Suite("Training resume", .serialized)
struct TrainingResumeTests {
    /// A small fresh run: 2 epochs of 10 batches of 16 images, a report every batch.
    static func smallConfig() -> TrainingConfig {
        var config = TrainingConfig()
        config.hidden = 16
        config.epochs = 2
        config.batchSize = 16
        config.trainLimit = 160
        config.testLimit = 20
        config.logEvery = 1
        return config
    }

    /// Runs `plan` to its end (pausing after the first batch when `pauseAtOnce`) and returns the updates.
    static func run(_ plan: TrainingPlan, pauseAtOnce: Bool) -> [TrainingUpdate] {
        let worker = TrainingWorker()
        worker.start(plan)
        if pauseAtOnce { worker.pause() }
        worker.waitUntilStopped(timeout: 120)
        return worker.drainUpdates()
    }

    static func startedEpochs(_ updates: [TrainingUpdate]) -> Int? {
        for case let .started(_, epochs, _, _) in updates { return epochs }
        return nil
    }

    static func recordedEpochs(_ checkpoint: String) throws -> (planned: Int, epoch: Int) {
        let file = try SafeTensorsFile(contentsOf: checkpoint)
        let config = try JSONDecoder().decode(TrainingConfig.self, from: Data(try #require(file.metadata["training_config"]).utf8))
        return (config.epochs, try #require(file.metadata["position_epoch"].flatMap { Int($0) }))
    }

    @Test func pausedRunsResumeToTheirPlannedEpochs() throws {
        let output = ExplorerFixtures.temporaryDirectory() + "/run"
        let data = ExplorerFixtures.mnistDirectory
        let first = Self.run(TrainingPlan(source: .fresh(Self.smallConfig()), outputDirectory: output, dataDirectory: data),
                             pauseAtOnce: true)
        #expect(first.contains { if case .paused = $0 { true } else { false } })
        let checkpoint = output + "/" + RunFiles.checkpoint
        #expect(try Self.recordedEpochs(checkpoint) == (2, 0))

        // Paused twice mid-epoch, then run to the end: always 2 epochs.
        let model = try RNNModel<Double>.load(from: output + "/" + RunFiles.model)
        let plan = TrainingPlan.forModel(model, modelPath: "/elsewhere/m.safetensors", outputDirectory: output, dataDirectory: data)
        #expect(plan.source == .resume)
        #expect(Self.startedEpochs(Self.run(plan, pauseAtOnce: true)) == 2)
        #expect(try Self.recordedEpochs(checkpoint).planned == 2)
        let last = Self.run(plan, pauseAtOnce: false)
        #expect(Self.startedEpochs(last) == 2)
        #expect(last.contains { if case .finished = $0 { true } else { false } })
        #expect(try Self.recordedEpochs(checkpoint) == (2, 2))
    }

    /// Opening a paused run's model.safetensors and training it into a new folder continues to
    /// its planned epochs; a finished run's model trains one more epoch.
    @Test func continuedRunsKeepTheirPlanUntilDone() throws {
        let output = ExplorerFixtures.temporaryDirectory() + "/run"
        let data = ExplorerFixtures.mnistDirectory
        _ = Self.run(TrainingPlan(source: .fresh(Self.smallConfig()), outputDirectory: output, dataDirectory: data),
                     pauseAtOnce: true)
        let checkpoint = output + "/" + RunFiles.checkpoint
        #expect(try TrainingPlan.resumedEpochs(checkpoint: checkpoint) == nil)
        let modelPath = output + "/" + RunFiles.model
        let model = try RNNModel<Double>.load(from: modelPath)
        let elsewhere = ExplorerFixtures.temporaryDirectory() + "/continued"
        let plan = TrainingPlan.forModel(model, modelPath: modelPath, outputDirectory: elsewhere, dataDirectory: data)
        #expect(plan.source == .continueRun(checkpoint: checkpoint))
        let updates = Self.run(plan, pauseAtOnce: false)
        #expect(Self.startedEpochs(updates) == 2)
        #expect(try Self.recordedEpochs(elsewhere + "/" + RunFiles.checkpoint) == (2, 2))
        #expect(try TrainingPlan.resumedEpochs(checkpoint: elsewhere + "/" + RunFiles.checkpoint) == 3)
        #expect(throws: FileFormatError.self) { try TrainingPlan.resumedEpochs(checkpoint: modelPath) }
    }

    /// After a finished run, `t` asks for more epochs; the extension continues the run
    /// exactly: the same weights as one run planned that long (issue #16, item 16).
    @Test func moreEpochsContinueAFinishedRunExactly() throws {
        let data = ExplorerFixtures.mnistDirectory
        var oneEpoch = Self.smallConfig()
        oneEpoch.epochs = 1
        let extended = ExplorerFixtures.temporaryDirectory() + "/extended"
        _ = Self.run(TrainingPlan(source: .fresh(oneEpoch), outputDirectory: extended, dataDirectory: data), pauseAtOnce: false)
        let updates = Self.run(TrainingPlan(source: .extend(moreEpochs: 1), outputDirectory: extended, dataDirectory: data),
                               pauseAtOnce: false)
        #expect(Self.startedEpochs(updates) == 2)
        #expect(updates.contains { if case .finished = $0 { true } else { false } })
        let whole = ExplorerFixtures.temporaryDirectory() + "/whole"
        _ = Self.run(TrainingPlan(source: .fresh(Self.smallConfig()), outputDirectory: whole, dataDirectory: data), pauseAtOnce: false)
        let a = try RNNModel<Double>.load(from: extended + "/" + RunFiles.model)
        let b = try RNNModel<Double>.load(from: whole + "/" + RunFiles.model)
        #expect(a.v == b.v && a.u == b.u && a.b == b.b && a.w == b.w && a.c == b.c)
        #expect(try TrainingPlan.checkpointEpochs(extended + "/" + RunFiles.checkpoint) == (2, 2))
    }

    @Test func tAfterAFinishedRunAsksForMoreEpochs() {
        var state = ExplorerFixtures.state()
        _ = state.handle(.training(.finished))
        #expect(state.status?.text == "training finished; t trains more epochs")
        _ = state.handle(.action(.toggleTraining))
        #expect(state.prompt == .moreEpochs(text: ""))
        for key in [Key.char("2"), .char("x"), .char("5"), .backspace] { _ = state.handle(state.event(for: key)!) }
        #expect(state.prompt == .moreEpochs(text: "2"))
        let line = ExplorerScreen.render(state, size: state.size).rowText(state.size.height - 2)
        #expect(line.contains("train how many more epochs? It continues the run exactly (Enter trains, Esc cancels): 2_"))
        #expect(state.handle(state.event(for: .enter)!) == [.trainMore(epochs: 2)])
        #expect(state.training.phase == .starting && state.prompt == nil)
        // Bad input is a one-line message, not a run.
        state.training.phase = .done
        _ = state.handle(.action(.toggleTraining))
        _ = state.handle(state.event(for: .char("0"))!)
        #expect(state.handle(state.event(for: .enter)!) == [])
        #expect(state.status == StatusMessage("more epochs: give a whole number from 1 to 1000", isWarning: true))
        _ = state.handle(.action(.toggleTraining))
        _ = state.handle(state.event(for: .escape)!)
        #expect(state.status?.text == "training stays finished")
    }
}
