import Foundation

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

    struct Result: CustomStringConvertible {
        var status: Int32
        /// Terminated by this signal (then `status` is 128 + signal, as a shell reports it).
        var signal: Int32?
        var stdout: String
        var stderr: String
        var timedOut: Bool
        var description: String { "status \(status)\(timedOut ? " (timed out)" : "") stderr: \(stderr)" }
    }

    /// Runs `ftle args` (or `executable args` when given) with stdin from /dev/null, stdout and
    /// stderr captured; kills it after `timeout` seconds.
    static func run(_ args: [String], environment: [String: String]? = nil, executable: String? = nil,
                    directory: String? = nil, timeout: Double = 120) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable ?? binary!)
        p.arguments = args
        if let environment { p.environment = environment }
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let collected = Collected()
        out.fileHandleForReading.readabilityHandler = { h in collected.append(h.availableData, err: false) }
        err.fileHandleForReading.readabilityHandler = { h in collected.append(h.availableData, err: true) }
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while p.isRunning {
            if Date() > deadline { timedOut = true; kill(p.processIdentifier, SIGKILL); break }
            usleep(10_000)
        }
        p.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        err.fileHandleForReading.readabilityHandler = nil
        collected.append(out.fileHandleForReading.readDataToEndOfFile(), err: false)
        collected.append(err.fileHandleForReading.readDataToEndOfFile(), err: true)
        let (o, e) = collected.text
        let bySignal = p.terminationReason == .uncaughtSignal
        return Result(status: bySignal ? 128 + p.terminationStatus : p.terminationStatus,
                      signal: bySignal ? p.terminationStatus : nil, stdout: o, stderr: e, timedOut: timedOut)
    }

    /// A shell command's status and output (for tmux, mount, ulimit).
    @discardableResult
    static func shell(_ command: String, timeout: Double = 120) throws -> Result {
        try run(["-c", command], executable: "/bin/bash", timeout: timeout)
    }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var out = Data(), err = Data()
        func append(_ d: Data, err isErr: Bool) {
            lock.lock(); defer { lock.unlock() }
            if isErr { err.append(d) } else { out.append(d) }
        }
        var text: (String, String) {
            lock.lock(); defer { lock.unlock() }
            return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
        }
    }
}

/// A fresh temporary folder.
func temporaryFolder(_ tag: String) -> String {
    var bytes = Array("/tmp/ftle-\(tag)-XXXXXX".utf8CString)
    let ok = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
    precondition(ok, "mkdtemp failed")
    return String(cString: bytes)
}
