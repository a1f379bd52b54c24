import Foundation
import RNN
import TestSupport
import Testing

/// Runs the built `ftle` binary inside tmux: `new-session -d -x 120 -y 40`, `send-keys`,
/// `capture-pane -p`, `resize-window`, polling for text instead of sleeping. Skipped (with
/// the reason recorded) when tmux or the binary is missing.
@Suite("End to end (tmux)", .serialized)
struct EndToEndTests {
    /// The `ftle` next to the test bundle (same build configuration), else a debug or
    /// release build in the repository.
    static let binary: String? = {
        var candidates: [String] = []
        if let bundle = Bundle.main.executableURL?.deletingLastPathComponent() {
            candidates.append(bundle.appendingPathComponent("ftle").path)
            candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("ftle").path)
        }
        let build = ExplorerFixtures.repositoryRoot.appendingPathComponent(".build")
        candidates += ["debug/ftle", "release/ftle"].map { build.appendingPathComponent($0).path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static let tmux: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static var isAvailable: Bool { binary != nil && tmux != nil }

    /// Runs tmux on the tests' private server (see ``Subprocess/tmux(_:timeout:)``).
    @discardableResult
    static func tmuxCommand(_ arguments: [String]) -> (status: Int32, output: String) {
        guard let r = try? Subprocess.tmux(arguments) else { return (-1, "") }
        return (r.status, r.status == 0 ? r.stdout : r.stdout + r.stderr)   // tmux's reason when it fails
    }

    /// Captures the pane until `predicate` holds or `timeout` seconds pass; returns the last capture.
    static func waitFor(_ session: String, timeout: Double = 30, _ predicate: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var capture = ""
        while Date() < deadline {
            capture = tmuxCommand(["capture-pane", "-p", "-t", session]).output
            if predicate(capture) { return capture }
            usleep(50_000)
        }
        return capture
    }

    @Test(.enabled(if: EndToEndTests.isAvailable, "tmux or the built ftle binary is missing (run swift build first)"))
    func explorerRunsResizesAndQuitsCleanly() throws {
        let directory = ExplorerFixtures.temporaryDirectory()
        let model = directory + "/rowwise-h16.safetensors"
        try ExplorerFixtures.rowwiseModel.save(to: model)
        let session = "ftle-e2e-\(getpid())"
        let command = "cd \(directory) && env -u NO_COLOR TERM=xterm-256color FTLE_THEMES=\(ExplorerFixtures.themesDirectory.path) "
            + "\(Self.binary!) explore --model \(model) --data \(ExplorerFixtures.mnistDirectory); "
            + "echo FTLE_EXIT=$?; sleep 2"
        #expect(Self.tmuxCommand(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", command]).status == 0)
        defer { Self.tmuxCommand(["kill-session", "-t", session]) }

        var screen = Self.waitFor(session) { $0.contains("FTLE spectrum") && $0.contains("pred ") && $0.contains("q1 ") }
        #expect(screen.contains("t 28/28"), "\(screen)")
        #expect(screen.contains("rowwise-h16.safetensors"))
        #expect(screen.contains("R trace"))
        #expect(screen.contains("Training"))

        Self.tmuxCommand(["send-keys", "-t", session, "g", "l", "l", "u"])
        screen = Self.waitFor(session) { $0.contains("t 3/28") && $0.contains("R-flipped") }
        #expect(screen.contains("t 3/28") && screen.contains("R-flipped"), "\(screen)")
        try? screen.write(toFile: directory + "/capture-120x40.txt", atomically: true, encoding: .utf8)

        Self.tmuxCommand(["resize-window", "-t", session, "-x", "80", "-y", "24"])
        screen = Self.waitFor(session) { capture in
            capture.split(separator: "\n").allSatisfy { $0.count <= 80 } && capture.contains("R trace") && !capture.contains("Training")
        }
        #expect(screen.split(separator: "\n").count <= 24)
        #expect(screen.contains("FTLE spectrum"), "\(screen)")
        Self.tmuxCommand(["resize-window", "-t", session, "-x", "70", "-y", "20"])
        screen = Self.waitFor(session) { $0.contains("terminal too small") }
        #expect(screen.contains("terminal too small: need 80×24"), "\(screen)")
        Self.tmuxCommand(["resize-window", "-t", session, "-x", "120", "-y", "40"])
        screen = Self.waitFor(session) { $0.contains("Training") && $0.contains("Alignment") }
        #expect(screen.contains("Alignment"))

        Self.tmuxCommand(["send-keys", "-t", session, "?"])
        // Poll for the row itself: "┌ keys" is painted before the rest of the overlay.
        screen = Self.waitFor(session) { $0.contains("┌ keys") && $0.contains("reload newest training weights") }
        #expect(screen.contains("reload newest training weights"))
        Self.tmuxCommand(["send-keys", "-t", session, "Escape"])
        screen = Self.waitFor(session) { !$0.contains("┌ keys") }

        Self.tmuxCommand(["send-keys", "-t", session, "q"])
        screen = Self.waitFor(session) { $0.contains("FTLE_EXIT=") }
        #expect(screen.contains("FTLE_EXIT=0"), "\(screen)")
        // The alternate screen is gone: the shell's screen is back.
        #expect(!screen.contains("FTLE spectrum"))
        let ended = Self.waitFor(session, timeout: 10) { _ in Self.tmuxCommand(["has-session", "-t", session]).status != 0 }
        _ = ended
        #expect(Self.tmuxCommand(["has-session", "-t", session]).status != 0)
    }

    @Test(.enabled(if: EndToEndTests.isAvailable, "tmux or the built ftle binary is missing (run swift build first)"))
    func unknownTermIsAOneLineError() throws {
        let model = ExplorerFixtures.temporaryDirectory() + "/m.safetensors"
        try ExplorerFixtures.rowwiseModel.save(to: model)
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "no-such-terminal-xyz"
        let r = try Subprocess.run(Self.binary!, ["explore", "--model", model, "--data", ExplorerFixtures.mnistDirectory],
                                   environment: environment, timeout: 60)
        let message = r.stderr
        #expect(r.status == 1)
        #expect(message.hasPrefix("ftle: TERM=no-such-terminal-xyz"), "\(message)")
        #expect(message.split(separator: "\n").count == 1)
    }

    @Test(.enabled(if: EndToEndTests.isAvailable, "tmux or the built ftle binary is missing (run swift build first)"))
    func sigtermRestoresTheTerminal() throws {
        let directory = ExplorerFixtures.temporaryDirectory()
        let model = directory + "/m.safetensors"
        try ExplorerFixtures.rowwiseModel.save(to: model)
        let session = "ftle-e2e-term-\(getpid())"
        let command = "cd \(directory); TERM=xterm-256color \(Self.binary!) explore --model \(model) "
            + "--data \(ExplorerFixtures.mnistDirectory) </dev/tty & echo $! > \(directory)/pid; wait $!; echo FTLE_EXIT=$?; sleep 2"
        #expect(Self.tmuxCommand(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", command]).status == 0)
        defer { Self.tmuxCommand(["kill-session", "-t", session]) }
        _ = Self.waitFor(session) { $0.contains("FTLE spectrum") }
        let pid = try #require(Int32(String(contentsOfFile: directory + "/pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGTERM)
        let screen = Self.waitFor(session) { $0.contains("FTLE_EXIT=") }
        #expect(screen.contains("FTLE_EXIT=143"), "\(screen)")
        #expect(!screen.contains("FTLE spectrum"))
    }
}
