import Linalg
import Foundation
import RNN
import TerminalUI

/// The explorer's run loop over a ``TerminalBackend``: reads keys (100 ms timeout when
/// idle), turns them into events, applies them to the state, performs the effects,
/// collects worker results, and redraws only when something changed. Owns the model
/// weights, the engine and training workers and the followed run.
///
/// Use from one thread (the terminal's).
public final class ExplorerApp {
    public enum Outcome: Equatable, Sendable {
        case quit
        case signal(Int32)
    }

    /// Where things live and how the app behaves.
    public struct Configuration: Sendable {
        public var modelPath: String
        public var dataDirectory: String
        /// The folder `t` trains into.
        public var trainingDirectory: String
        /// The folder `e` exports into.
        public var exportDirectory: String
        public var themeDirectory: URL?
        public var followDirectory: String?
        /// Milliseconds between play steps.
        public var playIntervalMs: Int
        /// Ask background training for its weights every this many batches (nil: only on `R`).
        /// They arrive at the trainer's next progress report (every 10 batches) and replace
        /// the loaded model as `R` would.
        public var reloadEveryBatches: Int?
        /// What `t` does with a run in `trainingDirectory` that this explorer did not start.
        public var existingRun: TrainingPlan.ExistingRun

        public init(modelPath: String, dataDirectory: String, trainingDirectory: String, exportDirectory: String,
                    themeDirectory: URL? = nil, followDirectory: String? = nil, playIntervalMs: Int = 60,
                    reloadEveryBatches: Int? = nil, existingRun: TrainingPlan.ExistingRun = .refuse) {
            self.existingRun = existingRun
            self.modelPath = modelPath
            self.dataDirectory = dataDirectory
            self.trainingDirectory = trainingDirectory
            self.exportDirectory = exportDirectory
            self.themeDirectory = themeDirectory
            self.followDirectory = followDirectory
            self.playIntervalMs = playIntervalMs
            self.reloadEveryBatches = reloadEveryBatches
        }
    }

    public internal(set) var state: ExplorerState
    public internal(set) var model: Network
    /// The last grid flushed.
    public private(set) var screen: Grid?
    /// Frames rendered so far.
    public private(set) var frameCount = 0
    public var configuration: Configuration

    let terminal: any TerminalBackend
    let engine = EngineWorker()
    let trainer = TrainingWorker()
    var follower: RunFollower?
    var needsRender = true
    /// The optimizer step at which weights were last requested automatically (nil until the
    /// first progress report of a run, whose step becomes the baseline).
    var lastAutomaticReloadStep: Int?
    var isStarted = false
    /// The status message on screen and since when.
    var statusShown: (message: StatusMessage, since: Double)?

    /// The app on a vanilla model.
    public convenience init(terminal: any TerminalBackend, state: ExplorerState, model: RNNModel<Double>, configuration: Configuration) {
        self.init(terminal: terminal, state: state, model: Network(model), configuration: configuration)
    }

    public init(terminal: any TerminalBackend, state: ExplorerState, model: Network, configuration: Configuration) {
        self.terminal = terminal
        self.state = state
        self.model = model
        self.configuration = configuration
        self.state.size = terminal.size
        follower = configuration.followDirectory.map(RunFollower.init(directory:))
    }

    deinit { engine.stop() }

    /// Starts the engine on the current model and image (idempotent).
    public func start() {
        guard !isStarted else { return }
        isStarted = true
        engine.start()
        perform(.analyze)
        pollFollower()
        if follower == nil { loadStoredRun(atStart: true) }
    }

    /// A run already in the training folder (`--out` of an earlier explorer or `ftle train`):
    /// its history and position at start-up, with what `t` will do with it; after `t` resumed
    /// it, the history again as the trainer repaired it (rows past the checkpoint dropped).
    private func loadStoredRun(atStart: Bool) {
        let directory = configuration.trainingDirectory
        guard FileManager.default.fileExists(atPath: directory + "/" + RunFiles.history) else { return }
        for case let .history(history, config) in RunFollower(directory: directory).poll() where !history.rows.isEmpty {
            var note: String?
            if atStart {
                let step = history.rows.last.map { "step \($0.step)" } ?? "no steps"
                let what = switch configuration.existingRun {
                case .resume: "\(ExplorerKeys.hint(.toggleTraining)) continues it"
                case .replace: "\(ExplorerKeys.hint(.toggleTraining)) replaces it (--force)"
                case .refuse: "restart with --resume to continue it"
                }
                // Short enough for an 80-column status line (the pane names the folder).
                note = "stored run in --out (\(step)): \(what)"
            }
            dispatch(.storedHistory(history, config: config, directory: directory, note: note))
        }
    }

    /// Runs until `q` (or `y` at the quit prompt) or a signal. The terminal is not restored
    /// here: the caller owns it and restores it on every path.
    public func run(signalCheck: () -> Int32? = SignalMonitor.received) -> Outcome {
        start()
        var nextTick = monotonicSeconds()
        var nextFollowPoll = monotonicSeconds() + 1
        while !state.shouldQuit {
            if let signalNumber = signalCheck() {
                shutdown()
                return .signal(signalNumber)
            }
            if terminal.inputHasHungUp {
                // The ssh connection or tmux pane is gone; behave as on SIGHUP.
                shutdown()
                return .signal(SIGHUP)
            }
            processWorkerResults()
            let now = monotonicSeconds()
            if follower != nil, now >= nextFollowPoll {
                pollFollower()
                nextFollowPoll = now + 1
            }
            if state.isPlaying, now >= nextTick {
                dispatch(.tick)
                nextTick = now + Double(configuration.playIntervalMs) / 1000
            }
            expireStatus()
            renderIfNeeded()
            let timeout: Int
            if state.isPlaying {
                timeout = max(1, Int((nextTick - monotonicSeconds()) * 1000))
            } else {
                timeout = engine.isBusy || trainer.isRunning ? 40 : 100
            }
            guard let key = terminal.readKey(timeoutMs: timeout) else { continue }
            handle(key)
            // Keys already waiting (key repeat, paste) are applied before the next frame.
            while !state.shouldQuit, let more = terminal.readKey(timeoutMs: 0) { handle(more) }
        }
        shutdown()
        return .quit
    }

    /// Applies one key as the run loop would.
    public func handle(_ key: Key) {
        if key == .resize {
            dispatch(.resize(terminal.size))
            terminal.invalidate()
            return
        }
        if let event = state.event(for: key) { dispatch(event) }
    }

    /// Applies an event and performs its effects.
    public func dispatch(_ event: ExplorerEvent) {
        let effects = state.handle(event)
        needsRender = true
        for effect in effects { perform(effect) }
    }

    /// Clears the status line once its message has shown ``StatusMessage/lifetime`` seconds
    /// (`now` in monotonic seconds; the run loop passes the clock, tests a later time).
    public func expireStatus(now: Double = monotonicSeconds()) {
        if state.status != statusShown?.message { statusShown = state.status.map { ($0, now) } }
        guard let shown = statusShown, now - shown.since >= StatusMessage.lifetime else { return }
        statusShown = nil
        dispatch(.statusExpired(shown.message))
    }

    /// Renders and flushes if anything changed since the last frame.
    public func renderIfNeeded() {
        guard needsRender else { return }
        needsRender = false
        let grid = ExplorerScreen.render(state, size: state.size)
        terminal.flush(grid)
        screen = grid
        frameCount += 1
    }

    /// Applies everything the workers have reported; returns whether there was anything.
    @discardableResult
    public func processWorkerResults() -> Bool {
        var any = false
        for event in engine.drainEvents() {
            dispatch(.engine(event))
            any = true
        }
        for update in trainer.drainUpdates() {
            any = true
            if case let .weights(weights) = update {
                installWeights(weights, path: configuration.trainingDirectory + "/" + RunFiles.model,
                               message: "loaded the training weights (step \(state.training.step))")
            } else {
                if case .started = update {
                    lastAutomaticReloadStep = nil
                    // The folder now holds this explorer's own run: `t` after a pause resumes it.
                    configuration.existingRun = .resume
                }
                if case let .progress(progress) = update, let every = configuration.reloadEveryBatches {
                    // N batches are counted from the run's first report (a resumed run starts
                    // at a large step).
                    if let last = lastAutomaticReloadStep {
                        if progress.step - last >= every {
                            lastAutomaticReloadStep = progress.step
                            trainer.requestWeights()
                        }
                    } else {
                        lastAutomaticReloadStep = progress.step
                    }
                }
                dispatch(.training(update))
                if case let .started(_, _, _, resumed) = update, resumed { loadStoredRun(atStart: false) }
            }
        }
        return any
    }

    /// Waits (processing results) until the engine has nothing left to do, at most
    /// `timeout` seconds; for tests and benchmarks. Returns whether it settled.
    @discardableResult
    public func settle(timeout: Double = 30) -> Bool {
        let deadline = monotonicSeconds() + timeout
        while monotonicSeconds() < deadline {
            let busy = engine.isBusy
            processWorkerResults()
            if !busy && !engine.isBusy { return true }
            usleep(2_000)
        }
        return false
    }

    private func shutdown() {
        engine.stop()
        if trainer.isRunning {
            trainer.pause()
            trainer.waitUntilStopped(timeout: 60)
        }
    }
}
