import Foundation
import RNN

/// `DIR/state/ID.running`: which process is running job ID. Written when a task starts, removed
/// when it ends (done, failed or stopped by a signal); a task killed outright leaves it behind,
/// so a reader checks that the process still exists before believing it.
///
/// This is the sweep's own, small "is it running" check, kept behind ``isAlive()`` so it can give
/// way to the run folder's lock once runs are locked: on the same host, the pid must exist and be
/// an `ftle sweep task` (Linux: `/proc/PID/cmdline`); on another host it cannot be checked and is
/// reported as unverified.
public struct RunningMarker: Codable, Sendable, Equatable {
    public var pid: Int32
    public var host: String
    public var started: String

    public init(pid: Int32 = getpid(), host: String = currentHostName(), started: String = isoTimestamp()) {
        self.pid = pid
        self.host = host
        self.started = started
    }

    public enum Liveness: Sendable, Equatable {
        case alive
        case gone
        /// On another host: not checkable from here.
        case unverified
    }

    /// Whether the process the marker names is still an `ftle sweep task`.
    public func isAlive() -> Liveness {
        guard host == currentHostName() else { return .unverified }
        guard kill(pid, 0) == 0 || errno == EPERM else { return .gone }
        if let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") {
            let words = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            let isTask = zip(words, words.dropFirst()).contains { $0 == "sweep" && $1 == "task" }
            return isTask ? .alive : .gone
        }
        return .alive
    }

    public static func read(_ path: String) -> RunningMarker? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(RunningMarker.self, from: data)
    }

    public func write(to path: String) throws {
        try writeFileAtomically(path, Array(try JSONEncoder().encode(self)))
    }
}

/// `DIR/state/ID.failed`: the last failed attempt of job ID (removed when an attempt starts).
public struct FailureRecord: Codable, Sendable, Equatable {
    public var exitCode: Int32
    /// The attempt's last error line (`ftle: …`), or its last output line.
    public var error: String
    public var host: String
    public var time: String

    enum CodingKeys: String, CodingKey {
        case error, host, time
        case exitCode = "exit_code"
    }

    public init(exitCode: Int32, error: String, host: String = currentHostName(), time: String = isoTimestamp()) {
        self.exitCode = exitCode
        self.error = error
        self.host = host
        self.time = time
    }

    public static func read(_ path: String) -> FailureRecord? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(FailureRecord.self, from: data)
    }

    public func write(to path: String) throws {
        try writeFileAtomically(path, Array(try JSONEncoder().encode(self)))
    }
}

/// Where one job stands. Precedence: a valid result file means done (whatever else is lying around);
/// then a live marker means running; then a failure record means failed; else pending.
public enum JobStatus: Sendable, Equatable {
    case done
    case running(RunningMarker, verified: Bool)
    case failed(FailureRecord)
    /// Not started, or stopped; `interrupted` names a marker whose process is gone.
    case pending(interrupted: RunningMarker?)

    public var name: String {
        switch self {
        case .done: return "done"
        case .running: return "running"
        case .failed: return "failed"
        case .pending: return "pending"
        }
    }

    /// Whether `sweep run` should start the job: not done, and not running here.
    public var needsRun: Bool {
        switch self {
        case .done, .running: return false
        case .failed, .pending: return true
        }
    }
}

extension SweepFolder {
    /// Job `id`'s result: nil when it has none; throws when `results/ID.json` is there but is not
    /// a whole result of this job (truncated, empty, not JSON, or another job's `id`), which
    /// then counts as not done — its job runs again and rewrites it.
    public func result(of id: Int) throws -> JobResult? {
        let path = resultPath(id)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let result = try JobResult(contentsOf: path)
        guard result.id == id else {
            throw FileFormatError(path: path, "holds the result of job \(result.id), not of job \(id)")
        }
        return result
    }

    /// Whether job `id` has a valid result (see `result(of:)`).
    public func hasValidResult(_ id: Int) -> Bool { ((try? result(of: id)) ?? nil) != nil }

    public func status(of id: Int) -> JobStatus {
        if hasValidResult(id) { return .done }
        let marker = RunningMarker.read(runningMarkerPath(id))
        if let marker {
            switch marker.isAlive() {
            case .alive: return .running(marker, verified: true)
            case .unverified: return .running(marker, verified: false)
            case .gone: break
            }
        }
        if let failure = FailureRecord.read(failureRecordPath(id)) { return .failed(failure) }
        return .pending(interrupted: marker)
    }

    /// The status of every job of `manifest`, by ID.
    public func statuses(_ manifest: SweepManifest) -> [JobStatus] { manifest.jobs.map { status(of: $0.id) } }
}

/// The IDs as a Slurm `--array` list: runs of consecutive IDs as `a-b`, others alone, joined by
/// commas (`0-3,5,7-9`). Precondition: `ids` sorted ascending, no repeats.
public func compressedRanges(_ ids: [Int]) -> String {
    var parts: [String] = []
    var i = 0
    while i < ids.count {
        var j = i
        while j + 1 < ids.count && ids[j + 1] == ids[j] + 1 { j += 1 }
        parts.append(j == i ? "\(ids[i])" : "\(ids[i])-\(ids[j])")
        i = j + 1
    }
    return parts.joined(separator: ",")
}

/// This machine's host name (`gethostname`).
public func currentHostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "unknown-host" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
