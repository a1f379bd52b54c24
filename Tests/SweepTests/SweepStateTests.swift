import Figures
import Foundation
import RNN
import Sweep
import Testing

/// The sweep folder's files: manifest round trip, job status precedence and the running check,
/// the results table.
@Suite struct SweepStateTests {
    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "ftle-sweep-state-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func manifest() throws -> SweepManifest {
        let planner = SweepPlanner(specs: [TrainOptionSpec("hidden"), TrainOptionSpec("seed")], reserved: [:]) { _ in nil }
        let plan = try planner.plan(grids: ["hidden=8,16", "seed=0,1"], trainArguments: [])
        return SweepManifest(ftleVersion: "9.9.9", plan: plan, analyses: [AnalysisRequest(name: "spectrum")])
    }

    @Test func manifestRoundTripAndRefusedOverwrite() throws {
        let folder = SweepFolder(Self.temporaryFolder() + "/sweep")
        let m = try Self.manifest()
        try folder.create(m) { "task \($0)" }
        #expect(try folder.readManifest() == m)
        #expect(try String(contentsOfFile: folder.jobsListPath, encoding: .utf8) == "task 0\ntask 1\ntask 2\ntask 3\n")
        #expect(throws: OutputFileError.self) { try folder.create(m) { "other \($0)" } }
        #expect(try String(contentsOfFile: folder.jobsListPath, encoding: .utf8) == "task 0\ntask 1\ntask 2\ntask 3\n")
        // A folder that is not a sweep, and a manifest of an unknown format, are named.
        #expect(throws: FileFormatError(path: "/nonexistent", "not a sweep folder (no sweep.json; make one with ftle sweep plan)")) {
            try SweepFolder("/nonexistent").readManifest()
        }
        let text = try String(contentsOfFile: folder.manifestPath, encoding: .utf8).replacingOccurrences(of: "ftle-sweep/1", with: "ftle-sweep/2")
        try text.write(toFile: folder.manifestPath, atomically: true, encoding: .utf8)
        #expect(throws: FileFormatError(path: folder.manifestPath, "sweep format \"ftle-sweep/2\" is not ftle-sweep/1 (planned by a newer ftle?)")) {
            try folder.readManifest()
        }
    }

    @Test func statusPrecedenceAndLiveness() throws {
        let folder = SweepFolder(Self.temporaryFolder())
        try folder.create(try Self.manifest()) { "task \($0)" }
        #expect(folder.status(of: 0) == .pending(interrupted: nil))

        // A marker whose process is gone: pending, interrupted.
        let dead = RunningMarker(pid: 999_999_999, started: "t")
        try dead.write(to: folder.runningMarkerPath(0))
        #expect(folder.status(of: 0) == .pending(interrupted: dead))
        // A live process that is not an ftle sweep task (this test runner): gone too.
        try RunningMarker(pid: getpid(), started: "t").write(to: folder.runningMarkerPath(0))
        #expect(folder.status(of: 0).name == "pending")
        // On another host: running, unverified.
        let remote = RunningMarker(pid: 1, host: "elsewhere.example", started: "t")
        try remote.write(to: folder.runningMarkerPath(1))
        #expect(folder.status(of: 1) == .running(remote, verified: false))
        // A live process whose command line reads "… sweep task …": running.
        let child = try spawnSleeper()
        defer { kill(child, SIGKILL); var s: Int32 = 0; waitpid(child, &s, 0) }
        let live = RunningMarker(pid: child, started: "t")
        try live.write(to: folder.runningMarkerPath(2))
        #expect(folder.status(of: 2) == .running(live, verified: true))
        #expect(!folder.status(of: 2).needsRun)

        // A failure record: failed, unless a result exists (done wins over everything).
        let failure = FailureRecord(exitCode: 1, error: "boom", host: "h", time: "t")
        try failure.write(to: folder.failureRecordPath(3))
        #expect(folder.status(of: 3) == .failed(failure))
        #expect(folder.status(of: 3).needsRun)
        // A result file that is not a whole result of job 3 does not count (issue 30, W3/W4).
        try "{}".write(toFile: folder.resultPath(3), atomically: true, encoding: .utf8)
        #expect(folder.status(of: 3) == .failed(failure))
        try Self.result(id: 2, hidden: "8", accuracy: 0.5, lambda: [0.1]).write(to: folder.resultPath(3))
        #expect(folder.status(of: 3) == .failed(failure))
        try Self.result(id: 3, hidden: "8", accuracy: 0.5, lambda: [0.1]).write(to: folder.resultPath(3))
        #expect(folder.status(of: 3) == .done)
    }

    /// `/bin/sh -c 'sleep 30' sweep task`: a process whose argv holds "sweep", "task".
    func spawnSleeper() throws -> pid_t {
        var pid: pid_t = 0
        let args = ["/bin/sh", "-c", "sleep 30", "sweep", "task"]
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let code = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
        try #require(code == 0)
        return pid
    }

    static func result(id: Int, hidden: String, accuracy: Double?, lambda: [Double?], align: Bool = false,
                       perturb: [PerturbationRow]? = nil) -> JobResult {
        let job = SweepJob(id: id, grid: ["hidden": hidden, "seed": "0"], options: [:], trainArguments: [])
        var r = JobResult(job: job, ftleVersion: "1")
        r.testAccuracy = accuracy
        r.testLoss = 2.5
        r.spectrum = try! SpectrumSummary(spectrumJSON: ["spectrum": lambda.map { $0.map { $0 as Any } ?? NSNull() }, "k": lambda.count,
                                                         "kaplan_yorke": 1.5, "entropy": NSNull(), "input": "test image 0"])
        if align { r.align = try! AlignmentSummary(alignJSON: ["std_first10": 0.2, "std_last10": 0.05, "std_random10": 0.08, "random_baseline": 0.09]) }
        r.perturb = perturb
        r.seconds = ["total": 3]
        return r
    }

    @Test func resultsTableColumnsAndValues() throws {
        let rows = [PerturbationRow(k: 5, kEffective: 5, meanDifference: 0.25, pWelch: 0.01, pZ: 0.02)]
        let table = ResultsTable(gridNames: ["hidden", "seed"], results: [
            Self.result(id: 1, hidden: "16", accuracy: nil, lambda: [0.5, nil, -1], align: true, perturb: rows),
            Self.result(id: 0, hidden: "8, wide", accuracy: 0.75, lambda: [-0.25, -0.5, -1, -2, -3, -4]),
        ])
        let lines = table.csv().split(separator: "\n").map(String.init)
        #expect(lines == [
            "id,hidden,seed,test_accuracy,test_loss,lambda1,lambda2,lambda3,lambda4,lambda5,kaplan_yorke,entropy,"
                + "align_std_first10,align_std_last10,align_std_random10,align_random_baseline,perturb_k5_mean_difference,perturb_k5_p_welch,seconds",
            "0,\"8, wide\",0,0.75,2.5,-0.25,-0.5,-1.0,-2.0,-3.0,1.5,,,,,,,,3.0",
            "1,16,0,,2.5,0.5,-inf,-1.0,,,1.5,,0.2,0.05,0.08,0.09,0.25,0.01,3.0",
        ])
        // The figure: only jobs with an accuracy and a finite λ1, one group per grid value.
        let figure = table.lambdaAccuracyFigure(colorBy: "hidden", values: ["8, wide", "16"])
        #expect(figure.groups.map(\.name) == ["hidden = 8, wide", "hidden = 16"])
        #expect(figure.groups[0].x == [0.75] && figure.groups[0].y == [-0.25] && figure.groups[1].x.isEmpty)
        #expect(figure.title == "λ1 against test accuracy by hidden (1 jobs, 1 without λ1 or accuracy)")
        #expect(!figure.svg().contains("class=\"mean-line"))
    }

    @Test func resultFileRoundTripAndReproducibleContent() throws {
        let path = Self.temporaryFolder() + "/0.json"
        var r = Self.result(id: 0, hidden: "8", accuracy: 0.5, lambda: [nil, 0.1])
        r.trainingConfig = TrainingConfig()
        try r.write(to: path)
        let back = try JobResult(contentsOf: path)
        #expect(back == r)
        #expect(back.spectrum?.lambda == [nil, 0.1])
        var later = r
        later.seconds = ["total": 99]
        later.host = "other"
        later.finished = "tomorrow"
        #expect(later.reproducibleContent == r.reproducibleContent && later != r)
        try "{\"id\": 0}".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: FileFormatError.self) { try JobResult(contentsOf: path) }
    }
}
