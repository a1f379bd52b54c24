import Foundation
import RNN

/// An analysis a sweep runs on each trained model, with the extra arguments of its command
/// (`ftle spectrum`, `ftle align`, `ftle perturb`; `--model`, `--format` and `--out` are set
/// by the task).
public struct AnalysisRequest: Codable, Sendable, Equatable {
    public var name: String
    public var arguments: [String]
    public init(name: String, arguments: [String] = []) {
        self.name = name
        self.arguments = arguments
    }
}

/// `DIR/sweep.json`: everything a task needs to run its job, written once by `ftle sweep plan`.
///
/// Keys: `format` ("ftle-sweep/1"), `ftle_version`, `created` (ISO 8601, UTC), `grid` (the axes in
/// order, each `{name, values}`), `fixed` (the options every job shares), `analyses` (each
/// `{name, arguments}`), `jobs` (each `{id, grid, options, train_arguments}`).
public struct SweepManifest: Codable, Sendable, Equatable {
    public static let currentFormat = "ftle-sweep/1"

    public var format: String
    public var ftleVersion: String
    public var created: String
    public var grid: [GridAxis]
    public var fixed: [String: String]
    public var analyses: [AnalysisRequest]
    public var jobs: [SweepJob]

    enum CodingKeys: String, CodingKey {
        case format, created, grid, fixed, analyses, jobs
        case ftleVersion = "ftle_version"
    }

    public init(ftleVersion: String, created: Date = Date(), plan: SweepPlanner.Plan, analyses: [AnalysisRequest]) {
        format = Self.currentFormat
        self.ftleVersion = ftleVersion
        self.created = isoTimestamp(created)
        grid = plan.axes
        fixed = Dictionary(uniqueKeysWithValues: plan.fixed.map { ($0.name, $0.value) })
        self.analyses = analyses
        jobs = plan.jobs
    }

    /// Reads and checks `DIR/sweep.json`: the format, and job IDs 0..<N in order.
    public init(contentsOf path: String) throws {
        let bytes = try readInputFile(path)
        let manifest: SweepManifest
        do { manifest = try JSONDecoder().decode(SweepManifest.self, from: Data(bytes)) } catch {
            throw FileFormatError(path: path, "not an ftle sweep manifest (\(decodingProblem(error)))")
        }
        guard manifest.format == Self.currentFormat else {
            throw FileFormatError(path: path, "sweep format \"\(manifest.format)\" is not \(Self.currentFormat) (planned by a newer ftle?)")
        }
        guard manifest.jobs.enumerated().allSatisfy({ $0.offset == $0.element.id }), !manifest.jobs.isEmpty else {
            throw FileFormatError(path: path, "job IDs must run 0, 1, 2, … in order")
        }
        self = manifest
    }

    /// The JSON text (sorted keys, indented).
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// The grid option names, in the order the grids were given (the CSV's columns).
    public var gridNames: [String] { grid.map(\.name) }
}

/// A sweep's folder and the files in it:
///
///     DIR/sweep.json          the manifest          DIR/jobs.txt       one task command per line
///     DIR/runs/ID/            job ID's run folder (an ordinary `ftle train --out` folder)
///     DIR/results/ID.json     job ID's result, written atomically when the job is done
///     DIR/state/ID.running    a running task's pid and host; DIR/state/ID.failed: its last failure
///     DIR/logs/ID.log         every attempt's output, appended
///     DIR/results.csv, DIR/lambda1-accuracy.svg   written by `ftle sweep collect`
public struct SweepFolder: Sendable, Equatable {
    public let path: String
    public init(_ path: String) { self.path = path }

    public var manifestPath: String { path + "/sweep.json" }
    public var jobsListPath: String { path + "/jobs.txt" }
    public var runsPath: String { path + "/runs" }
    public var resultsPath: String { path + "/results" }
    public var statePath: String { path + "/state" }
    public var logsPath: String { path + "/logs" }
    public var csvPath: String { path + "/results.csv" }
    public var figurePath: String { path + "/lambda1-accuracy.svg" }
    public var slurmScriptPath: String { path + "/sweep.sbatch" }
    public var parallelJobLogPath: String { path + "/parallel.joblog" }

    public func runPath(_ id: Int) -> String { "\(runsPath)/\(id)" }
    public func resultPath(_ id: Int) -> String { "\(resultsPath)/\(id).json" }
    public func runningMarkerPath(_ id: Int) -> String { "\(statePath)/\(id).running" }
    public func failureRecordPath(_ id: Int) -> String { "\(statePath)/\(id).failed" }
    public func logPath(_ id: Int) -> String { "\(logsPath)/\(id).log" }

    /// The manifest; a folder without one is named in the error.
    public func readManifest() throws -> SweepManifest {
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            throw FileFormatError(path: path, "not a sweep folder (no sweep.json; make one with ftle sweep plan)")
        }
        return try SweepManifest(contentsOf: manifestPath)
    }

    /// Creates the folder and its subfolders and writes `sweep.json` and `jobs.txt` (each atomic).
    /// A folder that already holds a sweep is refused, never overwritten.
    public func create(_ manifest: SweepManifest, taskCommand: (Int) -> String) throws {
        if FileManager.default.fileExists(atPath: manifestPath) {
            throw OutputFileError(path: manifestPath, reason: "a sweep is already planned here; plan into a new folder")
        }
        for folder in [path, runsPath, resultsPath, statePath, logsPath] { try ensureWritableDirectory(folder) }
        let lines = manifest.jobs.map { taskCommand($0.id) + "\n" }.joined()
        try writeFileAtomically(jobsListPath, text: lines)
        try writeFileAtomically(manifestPath, text: try manifest.encoded())
    }
}

/// `date` as ISO 8601 in UTC, to the second.
public func isoTimestamp(_ date: Date = Date()) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.string(from: date)
}

/// A short description of a JSON decoding failure (the missing key or the bad value's path).
func decodingProblem(_ error: Error) -> String {
    switch error {
    case let DecodingError.keyNotFound(key, context):
        return "missing \"\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))\""
    case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
        return "bad value at \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\""
    case DecodingError.dataCorrupted:
        return "not valid JSON"
    default:
        return "\(error)"
    }
}
