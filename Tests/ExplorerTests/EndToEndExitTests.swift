import Foundation
import RNN
import TestSupport
import Testing

/// Quitting on terminals without an alternate screen (issue #16, item 12).
@Suite("End to end: exit (tmux)", .serialized)
struct EndToEndExitTests {
    @Test(.enabled(if: EndToEndTests.isAvailable, "tmux or the built ftle binary is missing (run swift build first)"),
          arguments: ["vt100", "linux"])
    func quittingClearsTheScreenWithoutAnAlternateScreen(term: String) throws {
        let directory = ExplorerFixtures.temporaryDirectory()
        let model = directory + "/rowwise-h16.safetensors"
        try ExplorerFixtures.rowwiseModel.save(to: model)
        let session = "ftle-e2e-exit-\(term)-\(getpid())"
        let command = "cd \(directory) && env -u NO_COLOR TERM=\(term) \(EndToEndTests.binary!) explore --model \(model) "
            + "--data \(ExplorerFixtures.mnistDirectory); echo FTLE_EXIT=$?; sleep 2"
        #expect(EndToEndTests.tmuxCommand(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", command]).status == 0)
        defer { EndToEndTests.tmuxCommand(["kill-session", "-t", session]) }
        var screen = EndToEndTests.waitFor(session) { $0.contains("FTLE spectrum") }
        #expect(screen.contains("FTLE spectrum"), "\(screen)")
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "q"])
        screen = EndToEndTests.waitFor(session) { $0.contains("FTLE_EXIT=") }
        #expect(screen.contains("FTLE_EXIT=0"), "\(screen)")
        #expect(!screen.contains("FTLE spectrum"), "\(screen)")
        #expect(!screen.contains("Digit 7"))
    }
}
