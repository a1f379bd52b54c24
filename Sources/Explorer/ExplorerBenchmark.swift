import Linalg
import Foundation
import RNN
import TerminalUI

/// `ftle explore --benchmark`: times the explorer on an in-memory 200×60 terminal with the
/// real model and engine, and prints one line per measurement. A benchmark, not a test.
///
/// - trace: seconds until the engine has the whole trace (K directions), flips and the
///   alignment at T;
/// - full redraw: render + flush of a fresh 200×60 screen (every cell changes);
/// - keystroke to frame: key handling + render + diff flush for → / ← alternately;
/// - holding →: steps per second from t = 1 to T with a frame per step while the engine
///   recomputes the alignment in the background;
/// - keystroke to frame while training: the same, paced like a held key (one every 20 ms),
///   while the explorer's own background training (`t`) runs its batches on the cores;
/// - peak RSS of the process (getrusage).
public enum ExplorerBenchmark {
    public static func run(_ options: ExplorerOptions) throws {
        var options = options
        // Background training writes its run here (removed at the end) unless a folder is given.
        let scratchRun = options.trainingDirectory == nil ? NSTemporaryDirectory() + "/ftle-explore-benchmark-\(getpid())" : nil
        if let scratchRun { options.trainingDirectory = scratchRun }
        defer { if let scratchRun { try? FileManager.default.removeItem(atPath: scratchRun) } }
        let prepared = try ExplorerLauncher.prepare(options, environment: ProcessInfo.processInfo.environment,
                                                    currentDirectory: FileManager.default.currentDirectoryPath,
                                                    executableURL: ExplorerLauncher.runningExecutable())
        let terminal = MemoryTerminal(size: TerminalSize(width: 200, height: 60))
        let app = ExplorerApp(terminal: terminal, state: prepared.state, model: prepared.model,
                              configuration: prepared.configuration)
        let model = prepared.state.model
        print("model \(model.path): \(model.task?.name ?? "sequences"), \(model.shapeText), T \(prepared.state.steps), K \(prepared.state.directions)")
        var start = monotonicSeconds()
        app.start()
        app.settle(timeout: 600)
        print(String(format: "trace + flips + alignment at T: %.2f s", monotonicSeconds() - start))

        let redraws = 50
        start = monotonicSeconds()
        for _ in 0..<redraws {
            terminal.invalidate()
            app.dispatch(.status("redraw", isWarning: false))
            app.renderIfNeeded()
        }
        print(String(format: "full redraw 200x60: %.2f ms", (monotonicSeconds() - start) / Double(redraws) * 1000))

        var latencies: [Double] = []
        for index in 0..<200 {
            let begin = monotonicSeconds()
            app.handle(index % 2 == 0 ? .left : .right)
            app.renderIfNeeded()
            latencies.append(monotonicSeconds() - begin)
        }
        latencies.sort()
        print(String(format: "keystroke to frame: mean %.2f ms, p95 %.2f ms", latencies.reduce(0, +) / Double(latencies.count) * 1000,
                     latencies[latencies.count * 95 / 100] * 1000))

        app.handle(.home)
        app.renderIfNeeded()
        start = monotonicSeconds()
        var steps = 0
        while app.state.t < app.state.steps {
            app.handle(.right)
            app.processWorkerResults()
            app.renderIfNeeded()
            steps += 1
        }
        let elapsed = monotonicSeconds() - start
        print(String(format: "holding right: %d steps in %.2f s = %.0f steps/s (frames %d)", steps, elapsed,
                     Double(steps) / elapsed, app.frameCount))
        app.settle(timeout: 120)
        keystrokesWhileTraining(app)
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        print(String(format: "peak RSS: %.0f MB", Double(usage.ru_maxrss) / 1024))
    }

    /// Starts background training (`t`), waits for its first batches, then times 150
    /// keystrokes (← / → alternately, one every 20 ms; each: key handling, the workers'
    /// results, render + diff flush) while it runs, and pauses it again.
    static func keystrokesWhileTraining(_ app: ExplorerApp) {
        app.handle(.char("t"))
        let deadline = monotonicSeconds() + 120
        while app.state.training.phase != .running || app.state.training.step < 2 {
            app.processWorkerResults()
            let phase = app.state.training.phase
            let stopped: Bool
            switch phase { case .starting, .running: stopped = false; default: stopped = true }
            if monotonicSeconds() > deadline || stopped {
                print("keystroke to frame while training: training did not start (\(phase.label))")
                return
            }
            usleep(10_000)
        }
        let firstStep = app.state.training.step
        var latencies: [Double] = []
        for index in 0..<150 {
            usleep(20_000)
            let begin = monotonicSeconds()
            app.handle(index % 2 == 0 ? .left : .right)
            app.processWorkerResults()
            app.renderIfNeeded()
            latencies.append(monotonicSeconds() - begin)
        }
        let batches = app.state.training.step - firstStep
        latencies.sort()
        print(String(format: "keystroke to frame while training (%d batches meanwhile): mean %.2f ms, p95 %.2f ms, max %.2f ms",
                     batches, latencies.reduce(0, +) / Double(latencies.count) * 1000,
                     latencies[latencies.count * 95 / 100] * 1000, latencies.last! * 1000))
        app.handle(.char("t"))
        let pauseDeadline = monotonicSeconds() + 120
        while app.state.training.phase == .pausing || app.state.training.phase == .running, monotonicSeconds() < pauseDeadline {
            app.processWorkerResults()
            usleep(10_000)
        }
    }
}
