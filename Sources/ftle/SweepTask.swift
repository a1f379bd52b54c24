import ArgumentParser
import Foundation
import RNN
import Sweep
import TerminalUI

/// `ftle sweep task DIR ID`: one job, start to end, in this process — the same `ftle train`,
/// `spectrum`, `align` and `perturb` code as those commands, parsed from the manifest's
/// arguments — then `DIR/results/ID.json`, atomically.
///
/// - a job with a result is skipped (exit 0);
/// - a job whose run folder has a checkpoint resumes from it (`ftle train --resume`), which gives
///   the same weights as an uninterrupted run; a finished training is not repeated;
/// - SIGTERM/SIGINT/SIGHUP stop training after the batch with a checkpoint (exit 130), the job
///   stays pending;
/// - a failure is recorded in `DIR/state/ID.failed` with its error line (exit 1);
/// - all output of the attempt is appended to `DIR/logs/ID.log`; the scheduler sees one line.
struct SweepTaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Run one job of a sweep: train into DIR/runs/ID (resuming), analyse, write DIR/results/ID.json.")

    @Argument(help: "The sweep folder (made by ftle sweep plan).") var dir: String
    @Argument(help: "The job ID (0-based, as in DIR/jobs.txt).") var id: Int

    func validate() throws {
        if id < 0 { throw ValidationError("the job ID must be ≥ 0 (got \(id))") }
    }

    func run() throws {
        installStopHandlers()
        let folder = SweepFolder(absolutePath(dir))
        var job: SweepJob?, manifest: SweepManifest?
        try reportingErrors {
            let m = try folder.readManifest()
            guard id < m.jobs.count else { throw UsageError("job \(id) does not exist: the sweep has \(m.jobs.count) jobs (0...\(m.jobs.count - 1))") }
            manifest = m
            job = m.jobs[id]
        }
        guard let job, let manifest else { return }
        do {
            if try folder.result(of: id) != nil {
                print("job \(id): done already (\(folder.resultPath(id)))")
                return
            }
        } catch {
            print("job \(id): \(error); running the job again")
        }
        try reportingErrors {
            if let marker = RunningMarker.read(folder.runningMarkerPath(id)), marker.pid != getpid(), marker.isAlive() == .alive {
                throw UsageError("job \(id) is already running (pid \(marker.pid) on \(marker.host), since \(marker.started))")
            }
            try RunningMarker().write(to: folder.runningMarkerPath(id))
        }
        defer {
            if RunningMarker.read(folder.runningMarkerPath(id))?.pid == getpid() { unlink(folder.runningMarkerPath(id)) }
        }
        unlink(folder.failureRecordPath(id))

        let log = try TaskLog(path: folder.logPath(id))
        let started = monotonicSeconds()
        let outcome = log.capture(header: "ftle sweep task \(folder.path) \(id) · ftle \(FTLE.version) · \(currentHostName()) pid \(getpid()) · \(isoTimestamp())") {
            try reportingErrors {
                if manifest.ftleVersion != FTLE.version {
                    print("note: the sweep was planned with ftle \(manifest.ftleVersion); this is ftle \(FTLE.version)")
                }
                try runJob(job, manifest: manifest, folder: folder, started: started)
            }
        }
        switch outcome {
        case .success:
            let result = try? JobResult(contentsOf: folder.resultPath(id))
            let accuracy = result?.testAccuracy.map { String(format: "test accuracy %.4f", $0) } ?? "no test accuracy"
            let lambda = result?.spectrum?.lambda.first.map { $0.map { String(format: ", λ1 %.4g", $0) } ?? ", λ1 -inf" } ?? ""
            print("job \(id) done in \(NumberFormat.duration(monotonicSeconds() - started)): \(accuracy)\(lambda) (\(folder.resultPath(id)))")
        case .failure(130):
            print("job \(id): stopped by a signal; its checkpoint is saved and the next run of the task resumes it")
            throw ExitCode(130)
        case let .failure(code):
            let line = log.lastErrorLine() ?? "exit code \(code) without an error message"
            try? FailureRecord(exitCode: code, error: line).write(to: folder.failureRecordPath(id))
            printError("job \(id) failed: \(line) (log: \(folder.logPath(id)))")
            throw ExitCode(code)
        }
    }

    /// Train (or resume), analyse, write the result.
    func runJob(_ job: SweepJob, manifest: SweepManifest, folder: SweepFolder, started: Double) throws {
        let runPath = folder.runPath(job.id), run = RunFolder(runPath)
        var result = JobResult(job: job, ftleVersion: FTLE.version)
        var train = try parseAsCommand(Train.self, job.trainArguments + ["--out", runPath])
        if run.hasCheckpoint {
            // Everything else comes from the checkpoint, as `ftle train --resume` does.
            train.resume = true
            train.initFrom = nil
            print("resuming job \(job.id) from \(run.checkpointPath)")
        }
        var clock = monotonicSeconds()
        try train.run()
        result.seconds["train"] = monotonicSeconds() - clock
        if stopRequested.load(ordering: .relaxed) { throw ExitCode(130) }

        result.trainingConfig = try run.readCheckpointConfig()
        if let last = run.readHistory().rows.last(where: { $0.testAccuracy != nil }) {
            result.testAccuracy = last.testAccuracy
            result.testLoss = last.testLoss
        }
        let data = job.options["data"].map { ["--data", $0] } ?? []
        for request in manifest.analyses {
            guard let analysis = SweepAnalysis(rawValue: request.name) else {
                throw SweepResultError("the manifest asks for an unknown analysis \"\(request.name)\"")
            }
            let output = "\(runPath)/\(analysis.rawValue).json"
            let args = ["--model", run.modelPath, "--format", "json", "--out", output] + request.arguments + data
            clock = monotonicSeconds()
            print("\(analysis.rawValue): \(args.joined(separator: " "))")
            switch analysis {
            case .spectrum:
                let command = try parseAsCommand(Spectrum.self, args)
                try command.run()
                result.spectrum = try SpectrumSummary(spectrumJSON: readJSONObject(output))
            case .align:
                let command = try parseAsCommand(Align.self, args)
                try command.run()
                result.align = try AlignmentSummary(alignJSON: readJSONObject(output))
            case .perturb:
                let command = try parseAsCommand(Perturb.self, args)
                try command.run()
                result.perturb = try PerturbationRow.rows(perturbJSON: readJSONObject(output))
            }
            result.seconds[analysis.rawValue] = monotonicSeconds() - clock
            if stopRequested.load(ordering: .relaxed) { throw ExitCode(130) }
        }
        result.seconds["total"] = monotonicSeconds() - started
        result.finished = isoTimestamp()
        try result.write(to: folder.resultPath(job.id))
    }
}

/// An attempt's output, appended to `DIR/logs/ID.log`: while `capture` runs, stdout and stderr
/// (file descriptors 1 and 2, so the training and analysis code print there unchanged) point at
/// the log; afterwards they are restored and the attempt's last `ftle:` line can be read back.
final class TaskLog {
    let path: String
    private var attemptStart: UInt64 = 0

    init(path: String) throws {
        self.path = path
        try ensureWritableDirectory((path as NSString).deletingLastPathComponent)
    }

    enum Outcome { case success, failure(Int32) }

    func capture(header: String, _ body: () throws -> Void) -> Outcome {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            printError("\(path): cannot write: \(String(cString: strerror(errno)))")
            return .failure(1)
        }
        attemptStart = UInt64(lseek(fd, 0, SEEK_END))
        _ = ("=== " + header + " ===\n").withCString { write(fd, $0, strlen($0)) }
        fflush(nil)
        let savedOut = dup(1), savedErr = dup(2)
        dup2(fd, 1)
        dup2(fd, 2)
        close(fd)
        var outcome = Outcome.success
        do { try body() } catch let e as ExitCode { outcome = .failure(e.rawValue) } catch {
            printError(String(describing: error))
            outcome = .failure(1)
        }
        fflush(nil)
        dup2(savedOut, 1)
        dup2(savedErr, 2)
        close(savedOut)
        close(savedErr)
        return outcome
    }

    /// The last `ftle: …` line of the latest attempt (without the prefix), else its last line.
    func lastErrorLine() -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        try? handle.seek(toOffset: attemptStart)
        let text = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("=== ") }
        if let error = lines.last(where: { $0.hasPrefix("ftle: ") }) { return String(error.dropFirst(6)) }
        return lines.last
    }
}
