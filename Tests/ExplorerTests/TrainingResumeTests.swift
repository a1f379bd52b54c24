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
        let plan = TrainingPlan.forModel(Network(model), modelPath: "/elsewhere/m.safetensors", outputDirectory: output, dataDirectory: data,
                                         existingRun: .resume)
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
        let plan = TrainingPlan.forModel(Network(model), modelPath: modelPath, outputDirectory: elsewhere, dataDirectory: data)
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

    // MARK: Issue 30, D1: the run lock before any write; a run not started here is refused.

    /// Every regular file of `folder` and its bytes.
    static func snapshot(_ folder: String) -> [String: Data] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return Dictionary(uniqueKeysWithValues: names.map { ($0, FileManager.default.contents(atPath: folder + "/" + $0) ?? Data()) })
    }

    static func failure(_ updates: [TrainingUpdate]) -> String? {
        for case let .failed(message) in updates { return message }
        return nil
    }

    /// A run's model/best/history without a checkpoint, and a folder with another run's
    /// checkpoint: `t` on another run's model.safetensors is refused, every byte kept; with
    /// `--force` (`.replace`) the copied run trains there; with `--resume` the checkpoint there is continued.
    @Test func aFolderHoldingARunIsRefusedUnlessAsked() throws {
        let data = ExplorerFixtures.mnistDirectory
        var config = Self.smallConfig()
        config.epochs = 1
        let source = ExplorerFixtures.temporaryDirectory() + "/source"
        _ = Self.run(TrainingPlan(source: .fresh(config), outputDirectory: source, dataDirectory: data), pauseAtOnce: true)
        let modelPath = source + "/" + RunFiles.model
        let model = try RNNModel<Double>.load(from: modelPath)

        // Y: a finished run (another seed) whose checkpoint was deleted (model, best, history, initial).
        let y = ExplorerFixtures.temporaryDirectory() + "/y"
        var other = config
        other.seed = 3
        _ = Self.run(TrainingPlan(source: .fresh(other), outputDirectory: y, dataDirectory: data), pauseAtOnce: false)
        try FileManager.default.removeItem(atPath: y + "/" + RunFiles.checkpoint)
        let before = Self.snapshot(y)
        #expect(before.keys.contains(RunFiles.bestModel) && before.keys.contains(RunFiles.model))
        let refused = TrainingPlan.forModel(Network(model), modelPath: modelPath, outputDirectory: y, dataDirectory: data)
        #expect(refused.source == .continueRun(checkpoint: source + "/" + RunFiles.checkpoint))
        #expect(Self.failure(Self.run(refused, pauseAtOnce: false))
                == "\(y) already holds a training run; continue it with --resume or replace it with --force")
        #expect(Self.snapshot(y) == before)
        // A bare model (no sibling checkpoint): a new run from its weights, refused the same way.
        let bare = TrainingPlan.forModel(Network(model), modelPath: "/elsewhere/m.safetensors", outputDirectory: y, dataDirectory: data)
        #expect(Self.failure(Self.run(bare, pauseAtOnce: false))
                == "\(y) already holds a training run; continue it with --resume or replace it with --force")
        #expect(Self.snapshot(y) == before)

        // Z: another run's checkpoint in the folder; without --resume it is not continued.
        let z = ExplorerFixtures.temporaryDirectory() + "/z"
        _ = Self.run(TrainingPlan(source: .fresh(config), outputDirectory: z, dataDirectory: data), pauseAtOnce: true)
        let zBefore = Self.snapshot(z)
        let notResumed = TrainingPlan.forModel(Network(model), modelPath: "/elsewhere/m.safetensors", outputDirectory: z, dataDirectory: data)
        #expect(notResumed.source != .resume)
        #expect(Self.failure(Self.run(notResumed, pauseAtOnce: false)) != nil)
        #expect(Self.snapshot(z) == zBefore)
        #expect(TrainingPlan.forModel(Network(model), modelPath: "/elsewhere/m.safetensors", outputDirectory: z, dataDirectory: data,
                                      existingRun: .resume).source == .resume)

        // --force: the copied run replaces Y's; no file of the old run is left.
        let replaced = TrainingPlan.forModel(Network(model), modelPath: modelPath, outputDirectory: y, dataDirectory: data, existingRun: .replace)
        #expect(replaced.replacingExistingRun)
        let updates = Self.run(replaced, pauseAtOnce: false)
        #expect(Self.failure(updates) == nil)
        #expect(updates.contains { if case .finished = $0 { true } else { false } })
        #expect(Self.snapshot(y)[RunFiles.bestModel] != before[RunFiles.bestModel])
        #expect(Self.snapshot(y)[RunFiles.initialModel] == nil, "the replaced run's initial model is gone")
    }

    /// A folder another process holds (`flock`, as a running `ftle train` does): the copy of a
    /// run into it is refused naming that pid, and nothing is written there first.
    @Test func aLockedFolderGetsNothingWritten() throws {
        let data = ExplorerFixtures.mnistDirectory
        var config = Self.smallConfig()
        config.epochs = 1
        let source = ExplorerFixtures.temporaryDirectory() + "/source"
        _ = Self.run(TrainingPlan(source: .fresh(config), outputDirectory: source, dataDirectory: data), pauseAtOnce: true)
        let modelPath = source + "/" + RunFiles.model
        let model = try RNNModel<Double>.load(from: modelPath)
        let y = ExplorerFixtures.temporaryDirectory() + "/locked"
        try FileManager.default.createDirectory(atPath: y, withIntermediateDirectories: true)
        try "a history the other writer owns\n".write(toFile: y + "/" + RunFiles.history, atomically: false, encoding: .utf8)
        let before = Self.snapshot(y)
        // Another process holds the lock while the worker starts (the holder outlives the test's wait).
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["-n", y, "sleep", "60"]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        var pid: Int32?
        for _ in 0..<200 where pid == nil {
            pid = RunLock.holder(of: y)
            if pid == nil { usleep(10_000) }
        }
        let holderPid = try #require(pid)
        let plan = TrainingPlan.forModel(Network(model), modelPath: modelPath, outputDirectory: y, dataDirectory: data, existingRun: .replace)
        #expect(Self.failure(Self.run(plan, pauseAtOnce: false))
                == "\(y) is in use by another ftle process (pid \(holderPid)); wait for it to finish or stop it")
        #expect(Self.snapshot(y) == before)
    }
}
