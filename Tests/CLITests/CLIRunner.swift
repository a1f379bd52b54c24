import Foundation
import Testing
import TestSupport

/// Runs the built `ftle` binary: the one next to this test bundle (the same `swift build` /
/// `swift test` configuration built both), else `.build/release/ftle` or `.build/debug/ftle`
/// under the repository root found from #filePath.
enum CLI {
    /// The repository root (Tests/CLITests/CLIRunner.swift → three levels up).
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let binary: String? = {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            // .build/<triple>/<config>/ftlePackageTests.xctest
            candidates.append((exe as NSString).deletingLastPathComponent + "/ftle")
        }
        candidates += [root + "/.build/release/ftle", root + "/.build/debug/ftle"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var available: Bool { binary != nil }

    typealias Result = Subprocess.Result

    /// Runs `ftle args` (or `executable args` when given) with stdin from /dev/null, stdout and
    /// stderr captured; kills it after `timeout` seconds. See ``Subprocess`` for why this does
    /// not use Foundation's `Process`.
    static func run(_ args: [String], environment: [String: String]? = nil, executable: String? = nil,
                    timeout: Double = 120) throws -> Result {
        try Subprocess.run(executable ?? binary!, args, environment: environment, timeout: timeout)
    }

    /// A shell command's status and output (for tmux, mount, ulimit).
    @discardableResult
    static func shell(_ command: String, timeout: Double = 120) throws -> Result {
        try Subprocess.shell(command, timeout: timeout)
    }
}

/// A fresh temporary folder.
func temporaryFolder(_ tag: String) -> String { makeTemporaryDirectory("ftle-\(tag)") }


/// The test runner's own child handling: a timeout holds and takes the child's process group
/// (grandchildren included) with it; exit codes and signals are decoded as a shell does.
@Suite struct SubprocessTests {
    @Test func timeoutKillsTheWholeProcessGroup() throws {
        let pidFile = temporaryFolder("subprocess") + "/pid"
        let started = Date()
        let r = try Subprocess.shell("sleep 60 & echo $! > '\(pidFile)'; wait", timeout: 4)
        #expect(r.timedOut)
        #expect(r.status == 128 + SIGKILL)
        #expect(Date().timeIntervalSince(started) < 15)
        let grandchild = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        // Gone, or a zombie waiting for its new parent to reap it — not sleeping on.
        var alive = true
        for _ in 0..<100 where alive {
            let stat = (try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8)) ?? ""
            alive = !stat.isEmpty && !stat.contains(") Z ")
            if alive { usleep(20_000) }
        }
        #expect(!alive, "the grandchild sleep \(grandchild) survived the timeout")
    }

    @Test func exitCodesSignalsAndOutput() throws {
        var r = try Subprocess.shell("echo out; echo err >&2; exit 3")
        #expect(r.status == 3 && r.signal == nil && r.stdout == "out\n" && r.stderr == "err\n" && !r.timedOut)
        r = try Subprocess.shell("kill -TERM $$")
        #expect(r.status == 128 + SIGTERM && r.signal == SIGTERM)
        #expect(throws: Subprocess.SpawnError.self) { try Subprocess.run("/nonexistent/ftle-xyz", []) }
    }
}

/// One row of the bad-input tables (docs/bad-inputs.md): its number and what is wrong, the
/// arguments, the exact stderr and the exit status.
struct BadInputCase: Sendable, CustomTestStringConvertible {
    var name: String
    var args: [String]
    var stderr: String
    var status: Int32
    var testDescription: String { name }

    /// Runs the binary with the row's arguments and expects exactly its stderr and status.
    func expectExactly() throws {
        let r = try CLI.run(args)
        #expect(!r.timedOut)
        #expect(r.stderr == stderr)
        #expect(r.status == status)
    }
}
