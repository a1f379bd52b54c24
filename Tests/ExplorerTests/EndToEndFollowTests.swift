import Foundation
import RNN
import TestSupport
import Testing

/// Issue 29, item 5, in the real binary: `--follow DIR` before the run has written weights
/// says it waits for them — it never opens a bundled model in their place — and opens the
/// run's own model once it appears.
@Suite("End to end: follow before the first weights (tmux)", .serialized)
struct EndToEndFollowTests {
    @Test(.enabled(if: EndToEndTests.isAvailable, "tmux or the built ftle binary is missing (run swift build first)"))
    func followWaitsForTheRunsFirstWeights() throws {
        let directory = ExplorerFixtures.temporaryDirectory()
        let run = directory + "/run"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        let session = "ftle-e2e-follow-\(getpid())"
        let command = "cd \(directory) && env -u NO_COLOR TERM=xterm-256color FTLE_THEMES=\(ExplorerFixtures.themesDirectory.path) "
            + "\(EndToEndTests.binary!) explore --follow \(run) --data \(ExplorerFixtures.mnistDirectory); echo FTLE_EXIT=$?; sleep 2"
        #expect(EndToEndTests.tmuxCommand(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", command]).status == 0)
        defer { EndToEndTests.tmuxCommand(["kill-session", "-t", session]) }
        var screen = EndToEndTests.waitFor(session) { $0.contains("waiting for the run's first weights") }
        // The long path wraps in the pane: compare the texts with all white space taken out.
        func squeezed(_ text: String) -> String { text.filter { !$0.isWhitespace } }
        #expect(squeezed(screen).contains(squeezed("ftle: waiting for the run's first weights: \(run)/model.safetensors (Ctrl-C stops)")),
                "\(screen)")
        usleep(500_000)
        screen = EndToEndTests.tmuxCommand(["capture-pane", "-p", "-t", session]).output
        #expect(!screen.contains("FTLE spectrum") && !screen.contains(".safetensors ·"), "no model opened: \(screen)")
        // The run writes its first weights (atomically, as the trainer does).
        try ExplorerFixtures.rowwiseModel.save(to: run + "/.model.tmp")
        try FileManager.default.moveItem(atPath: run + "/.model.tmp", toPath: run + "/" + RunFiles.model)
        screen = EndToEndTests.waitFor(session) { $0.contains("FTLE spectrum") && $0.contains("model.safetensors") }
        #expect(screen.contains("model.safetensors") && screen.contains("H 16"), "\(screen)")
        #expect(!screen.contains("permuted-h512") && !screen.contains("rowwise-h128"), "\(screen)")
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "q"])
        screen = EndToEndTests.waitFor(session) { $0.contains("FTLE_EXIT=") }
        #expect(screen.contains("FTLE_EXIT=0"), "\(screen)")
    }
}
