import Foundation
import TestSupport
import Testing

/// Background training paused and resumed in the real binary keeps the epochs it planned
/// (issue #16): `t`, `t` (pause), `t` (resume) must still read "epoch 1/5", not "1/1".
@Suite("End to end: training pause/resume (tmux)", .serialized)
struct EndToEndTrainingTests {
    @Test(.enabled(if: EndToEndTests.isAvailable, "tmux or the built ftle binary is missing (run swift build first)"))
    func pauseAndResumeKeepThePlannedEpochs() throws {
        let directory = ExplorerFixtures.temporaryDirectory()
        let model = ExplorerFixtures.repositoryRoot.appendingPathComponent("Samples/models/rowwise-h128.safetensors").path
        let session = "ftle-e2e-train-\(getpid())"
        let command = "cd \(directory) && env -u NO_COLOR TERM=xterm-256color \(EndToEndTests.binary!) explore --model \(model) "
            + "--data \(ExplorerFixtures.mnistDirectory) --out \(directory)/run; sleep 2"
        #expect(EndToEndTests.tmuxCommand(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", command]).status == 0)
        defer { EndToEndTests.tmuxCommand(["kill-session", "-t", session]) }
        var screen = EndToEndTests.waitFor(session) { $0.contains("FTLE spectrum") && $0.contains("q1 ") }
        #expect(screen.contains("state idle"), "\(screen)")
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "t"])
        screen = EndToEndTests.waitFor(session, timeout: 60) { $0.contains("state running") && $0.contains("epoch 1/5") }
        #expect(screen.contains("epoch 1/5"), "\(screen)")
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "t"])
        screen = EndToEndTests.waitFor(session, timeout: 60) { $0.contains("state paused") }
        #expect(screen.contains("state paused"), "\(screen)")
        #expect(screen.contains("epoch 1/5"), "\(screen)")
        let pausedStep = Self.step(in: screen)
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "t"])
        // Wait for the resumed run's own progress (a step past the paused one).
        screen = EndToEndTests.waitFor(session, timeout: 60) { $0.contains("state running") && Self.step(in: $0) > pausedStep }
        #expect(screen.contains("state running"), "\(screen)")
        #expect(screen.contains("epoch 1/5"), "\(screen)")
        #expect(!screen.contains("epoch 1/1 "), "\(screen)")
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "t"])
        _ = EndToEndTests.waitFor(session, timeout: 30) { $0.contains("state paused") }
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "q"])
    }

    /// The "step N" in the Training pane's header (0 without one).
    static func step(in screen: String) -> Int {
        guard let range = screen.range(of: "state [a-z]+ . step [0-9]+", options: .regularExpression) else { return 0 }
        return Int(screen[range].split(separator: " ").last ?? "") ?? 0
    }
}
