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

    /// 24-bit colour reaches the terminal when COLORTERM says so or `--color truecolor` asks
    /// (issue #16, item 11); TERM=linux asked for truecolor says what it uses instead.
    @Test(.enabled(if: EndToEndTests.isAvailable, "tmux or the built ftle binary is missing (run swift build first)"),
          arguments: [("COLORTERM=truecolor TERM=xterm-256color", ""), ("TERM=xterm-256color", "--color truecolor"),
                      ("TERM=linux", "--color truecolor")])
    func truecolorIsSentWhenAsked(environment: String, flag: String) throws {
        let directory = ExplorerFixtures.temporaryDirectory()
        let model = directory + "/rowwise-h16.safetensors"
        try ExplorerFixtures.rowwiseModel.save(to: model)
        let session = "ftle-e2e-colour-\(getpid())"
        let command = "cd \(directory) && env -u NO_COLOR -u COLORTERM \(environment) \(EndToEndTests.binary!) explore \(flag) "
            + "--model \(model) --data \(ExplorerFixtures.mnistDirectory); sleep 2"
        #expect(EndToEndTests.tmuxCommand(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", command]).status == 0)
        defer { EndToEndTests.tmuxCommand(["kill-session", "-t", session]) }
        let screen = EndToEndTests.waitFor(session) { $0.contains("FTLE spectrum") && $0.contains("q1 ") }
        let coloured = EndToEndTests.tmuxCommand(["capture-pane", "-e", "-p", "-t", session]).output
        if environment.contains("linux") {
            #expect(screen.contains("colours: 8 (truecolor asked; TERM=linux describes 8 colours)"), "\(screen)")
            #expect(!coloured.contains("38;2;"))
        } else {
            #expect(coloured.contains("38;2;"), "\(coloured.prefix(400))")
            #expect(!coloured.contains("38;5;"))
        }
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "q"])
    }
}

/// `q` while a pane is computing (issue 29, item 1): the explorer exits within a second, every
/// time, pressed during each kind of background computation — the start-up analyses, a new
/// image (`n`) and a change of convention (`J`) — on the bundled permuted H = 512 model, whose
/// analyses take seconds. 20 tries of each kind; each waits until a pane says "computing".
@Suite("End to end: q during computation (tmux)", .serialized)
struct EndToEndQuitWhileComputingTests {
    static let model = ExplorerFixtures.repositoryRoot.appendingPathComponent("Samples/models/permuted-h512.safetensors").path

    @Test(.enabled(if: EndToEndTests.isAvailable && FileManager.default.fileExists(atPath: model),
                   "tmux, the built ftle binary or the bundled permuted model is missing"),
          arguments: [[], ["n"], ["J"]])
    func quitExitsWithinASecondWhileComputing(before: [String]) throws {
        var slowest = 0.0, exits: [String] = []
        for attempt in 0..<20 {
            let session = "ftle-e2e-quit-\(before.first ?? "start")-\(attempt)-\(getpid())"
            let command = "cd \(ExplorerFixtures.temporaryDirectory()) && env -u NO_COLOR TERM=xterm-256color \(EndToEndTests.binary!) explore "
                + "--model \(Self.model) --data \(ExplorerFixtures.mnistDirectory); echo FTLE_EXIT=$?; sleep 5"
            let started = EndToEndTests.tmuxCommand(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", command])
            #expect(started.status == 0, "tmux new-session: \(started.output)")
            defer { EndToEndTests.tmuxCommand(["kill-session", "-t", session]) }
            if !before.isEmpty {
                // Let the start-up finish, then start the computation the key asks for.
                _ = EndToEndTests.waitFor(session, timeout: 60) { $0.contains("FTLE spectrum") && !$0.contains("computing") }
                EndToEndTests.tmuxCommand(["send-keys", "-t", session] + before)
            }
            let busy = EndToEndTests.waitFor(session, timeout: 30) { $0.contains("computing") }
            #expect(busy.contains("computing"), "attempt \(attempt): no pane was computing")
            let start = Date()
            EndToEndTests.tmuxCommand(["send-keys", "-t", session, "q"])
            let screen = EndToEndTests.waitFor(session, timeout: 10) { $0.contains("FTLE_EXIT=") }
            slowest = max(slowest, Date().timeIntervalSince(start))
            exits.append(screen.split(separator: "\n").first { $0.contains("FTLE_EXIT=") }.map(String.init) ?? "no exit")
        }
        #expect(exits.allSatisfy { $0 == "FTLE_EXIT=0" }, "\(exits)")
        #expect(slowest < 1, "slowest exit \(slowest) s")
    }
}
