import Foundation
import Synchronization
import TestSupport
import Testing

/// The explorer's rows of the matrix, through the binary in tmux (120×40). A refusal here is
/// the text the explorer shows (status line or pane) instead of a line on stderr.
extension ModelMatrixTests {
    /// Opens on test image 0: header, logits and the spectrum of the whole state.
    static let exploreImage: [Cell] = all
    /// The alignment pane (`v` shows it for a gated model, which opens on its gate pane).
    static let exploreAlignment: [Cell] = all
    /// `t`: background training of the loaded model.
    static let exploreTrain: [Cell] = all
    /// `--input x0.npy`: the Input pane, header and spectrum.
    static let exploreSequence: [Cell] = all

    static let tmuxAvailable = CLI.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")

    /// The screen's text with each bordered row reduced to its rightmost pane, whitespace
    /// collapsed: a message wrapped inside the right-hand pane, or over the status lines, reads
    /// as one line.
    static func flattened(_ screen: String) -> String {
        screen.split(separator: "\n").map { line -> Substring in
            let parts = line.split(omittingEmptySubsequences: false) { $0 == "│" || $0 == "┃" }
            return parts.count >= 3 ? parts[parts.count - 2] : line
        }.joined(separator: " ").split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Starts `ftle explore arguments` in a tmux session of its own folder (background training into `run`).
    static func session(_ tag: String, _ arguments: [String]) throws -> TmuxSession {
        let dir = zoo.dir + "/explore-" + tag
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let command = "cd \(dir) && env -u NO_COLOR TERM=xterm-256color FTLE_THEMES=\(CLI.root)/Themes \(CLI.binary!) explore "
            + arguments.joined(separator: " ") + " --out \(dir)/run; sleep 2"
        let name = "matrix-\(tag)-\(getpid())"
        // One at a time, and again after a moment when the private server was starting or
        // exiting (its last session closed) as this one asked.
        try tmuxLock.withLock { _ in
            var started = false
            for _ in 0..<5 where !started {
                started = try TmuxSession.tmux(["new-session", "-d", "-s", name, "-x", "120", "-y", "40", command]).status == 0
                    || TmuxSession.tmux(["has-session", "-t", name]).status == 0
                if !started { usleep(200_000) }
            }
            #expect(started, "tmux new-session \(name) failed")
        }
        return TmuxSession(name: name)
    }
    static let tmuxLock = Mutex(())

    @Test(.enabled(if: tmuxAvailable, "tmux or the built ftle binary is missing"), arguments: ModelKind.allCases)
    func exploreAnImage(_ kind: ModelKind) throws {
        let i = ModelKind.allCases.firstIndex(of: kind)!
        let s = try Self.session(kind.rawValue, ["--model", Self.zoo.models[kind]!, "--data", CLI.root + "/Samples/mnist"])
        defer { s.close() }
        let header = "test #0 · label 7 · model.safetensors · rowwise · \(kind.shapeText)" + (kind.layers > 1 ? " · N \(kind.stateSize)" : "")
        let screen = s.waitFor { $0.contains(header) && $0.contains("pred ") && $0.contains("λ1 ") }
        #expect(screen.contains(header) && screen.contains("λ1 "), "\(screen)")
        #expect(Self.exploreImage[i].isWorks)

        if kind.isGated { s.send("v") }
        Self.waitForCell(Self.exploreAlignment[i], s) { $0.contains("q1 ") && $0.contains("rank ") }
        s.send("t")
        // The trainer itself must run (a resumed zoo run may finish at once), never fail.
        let trained = Self.waitForCell(Self.exploreTrain[i], s) {
            ($0.contains("state running") || $0.contains("state done") || $0.contains("state paused")) && !$0.contains("failed")
        }
        #expect(!trained.contains("training failed"), "\(trained)")
    }

    @Test(.enabled(if: tmuxAvailable, "tmux or the built ftle binary is missing"), arguments: ModelKind.allCases)
    func exploreASequence(_ kind: ModelKind) throws {
        let s = try Self.session("sequence-" + kind.rawValue, ["--model", Self.zoo.models[kind]!, "--input", Self.zoo.input])
        defer { s.close() }
        let header = "x0.npy · no label · model.safetensors · I 28 C 10 · \(kind.shapeText)"
        let screen = s.waitFor { $0.contains(header) && $0.contains("┌ Input") && $0.contains("pred ") && $0.contains("λ1 ") }
        #expect(screen.contains(header) && screen.contains("┌ Input") && screen.contains("λ1 "), "\(screen)")
        #expect(Self.exploreSequence[ModelKind.allCases.firstIndex(of: kind)!].isWorks)
    }

    /// Waits until the cell's outcome shows: `works` for a working cell, the refusal's text otherwise.
    @discardableResult
    static func waitForCell(_ cell: Cell, _ s: TmuxSession, works: @escaping (String) -> Bool) -> String {
        switch cell {
        case .works:
            let screen = s.waitFor(works)
            #expect(works(screen), "\(screen)")
            return screen
        case let .partialToday(note):
            let screen = s.waitFor { works($0) && flattened($0).contains(note) }
            #expect(works(screen) && flattened(screen).contains(note), "\(screen)")
            return screen
        case let .refusedToday(message), let .refusedByDesign(message):
            let screen = s.waitFor { flattened($0).contains(message) }
            #expect(flattened(screen).contains(message), "\(screen)")
            #expect(!works(screen))
            return screen
        }
    }
}

/// A tmux session on a server of these tests' own (socket `ftle-matrix-<pid>`, no config), so
/// that its sessions closing never takes the other tests' server down under them.
struct TmuxSession {
    let name: String
    @discardableResult
    static func tmux(_ arguments: [String]) throws -> Subprocess.Result {
        try Subprocess.run("tmux", ["-L", "ftle-matrix-\(getpid())", "-f", "/dev/null"] + arguments,
                           stdout: arguments.first == "capture-pane" ? .capture : .discard, stderr: .discard, timeout: 30)
    }
    func capture() -> String { (try? Self.tmux(["capture-pane", "-p", "-t", name]).stdout) ?? "" }
    func send(_ keys: String...) { _ = try? Self.tmux(["send-keys", "-t", name] + keys) }
    func close() { _ = try? Self.tmux(["kill-session", "-t", name]) }
    /// Captures until `predicate` holds or 30 s pass; the last capture.
    func waitFor(_ predicate: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(30)
        var screen = capture()
        while !predicate(screen) && Date() < deadline { usleep(50_000); screen = capture() }
        return screen
    }
}
