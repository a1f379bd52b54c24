import Foundation
import RNN
import TestSupport
import Testing

/// The help overlay in a real terminal at the minimum size (issue #16, item 6).
@Suite("End to end: help (tmux)", .serialized)
struct EndToEndHelpTests {
    @Test(.enabled(if: EndToEndTests.isAvailable, "tmux or the built ftle binary is missing (run swift build first)"))
    func helpScrollsAtTheMinimumSize() throws {
        let directory = ExplorerFixtures.temporaryDirectory()
        let model = directory + "/rowwise-h16.safetensors"
        try ExplorerFixtures.rowwiseModel.save(to: model)
        let session = "ftle-e2e-help-\(getpid())"
        let command = "cd \(directory) && env -u NO_COLOR TERM=xterm-256color \(EndToEndTests.binary!) explore --model \(model) "
            + "--data \(ExplorerFixtures.mnistDirectory); echo FTLE_EXIT=$?; sleep 2"
        #expect(EndToEndTests.tmuxCommand(["new-session", "-d", "-s", session, "-x", "80", "-y", "24", command]).status == 0)
        defer { EndToEndTests.tmuxCommand(["kill-session", "-t", session]) }
        _ = EndToEndTests.waitFor(session) { $0.contains("FTLE spectrum") }

        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "?"])
        // Wait for the whole overlay (its footer is drawn last), not just its top edge: under load
        // tmux can capture a frame half drawn.
        var screen = EndToEndTests.waitFor(session) { $0.contains("┌ keys") && $0.contains("Esc ? q close") }
        #expect(screen.contains("quit") && screen.contains("Esc ? q close"), "\(screen)")
        #expect(!screen.contains("next theme"))
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "G"])
        screen = EndToEndTests.waitFor(session) { $0.contains("move t there") && $0.contains("next theme") && $0.contains("click") }
        #expect(screen.contains("next theme") && screen.contains("click"), "\(screen)")
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "k"])
        screen = EndToEndTests.waitFor(session) { !$0.contains("move t there") }
        #expect(screen.contains("open model"), "\(screen)")
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "g"])
        screen = EndToEndTests.waitFor(session) { $0.contains("q        quit") }
        #expect(screen.contains("q        quit"), "\(screen)")
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "Escape"])
        screen = EndToEndTests.waitFor(session) { !$0.contains("┌ keys") }
        #expect(!screen.contains("┌ keys"))
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "q"])
        screen = EndToEndTests.waitFor(session) { $0.contains("FTLE_EXIT=") }
        #expect(screen.contains("FTLE_EXIT=0"), "\(screen)")
    }
}
