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
/// - peak RSS of the process (getrusage).
public enum ExplorerBenchmark {
    public static func run(_ options: ExplorerOptions) throws {
        let prepared = try ExplorerLauncher.prepare(options, environment: ProcessInfo.processInfo.environment,
                                                    currentDirectory: FileManager.default.currentDirectoryPath,
                                                    executableURL: Bundle.main.executableURL)
        let terminal = MemoryTerminal(size: TerminalSize(width: 200, height: 60))
        let app = ExplorerApp(terminal: terminal, state: prepared.state, model: prepared.model,
                              configuration: prepared.configuration)
        let model = prepared.state.model
        print("model \(model.path): \(model.task.name), H \(model.hidden), T \(model.steps), K \(prepared.state.directions)")
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
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        print(String(format: "peak RSS: %.0f MB", Double(usage.ru_maxrss) / 1024))
    }
}
