import Foundation
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
func temporaryFolder(_ tag: String) -> String {
    var bytes = Array("/tmp/ftle-\(tag)-XXXXXX".utf8CString)
    let ok = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
    precondition(ok, "mkdtemp failed")
    return String(cString: bytes)
}
