import ArgumentParser
import Figures
import Foundation
import RNN
import Sweep

struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a sweep's pending jobs with GNU parallel (a joblog in DIR) or xargs -P.",
        discussion: """
        Pending jobs are those without a result that are not running on this machine (failed ones \
        included). With --hosts, GNU parallel runs them over ssh (--sshloginfile FILE; add --local to \
        use this machine too): DIR and the ftle binary must be at the same paths on every host (a \
        shared file system). OPENBLAS_NUM_THREADS defaults to cores / --jobs. Exit 1 when a job failed.
        """)

    @Argument(help: "The sweep folder.") var dir: String
    @Flag(help: "Run tasks on this machine.") var local = false
    @Option(parsing: .unconditional, help: "Tasks at once (per host with --hosts; default: the number of cores).") var jobs: Int?
    @Option(help: "A GNU parallel ssh login file (--sshloginfile): run tasks on these hosts.") var hosts: String?
    @Option(help: "parallel or xargs (default: parallel when installed, else xargs).") var runner: String?

    func validate() throws {
        guard local || hosts != nil else {
            throw ValidationError("say where to run: --local (this machine) and/or --hosts FILE (ssh hosts); for Slurm use ftle sweep slurm")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1 (got \(jobs))") }
        if let runner, LocalRunner(rawValue: runner) == nil {
            throw ValidationError("--runner must be parallel or xargs (got \"\(runner)\")")
        }
        if hosts != nil && runner == "xargs" { throw ValidationError("--hosts needs GNU parallel (xargs runs on this machine only)") }
    }

    func run() throws {
        let folder = SweepFolder(absolutePath(dir))
        var status: Int32 = 0, ran: [Int] = []
        try reportingErrors {
            let manifest = try folder.readManifest()
            let statuses = folder.statuses(manifest)
            ran = manifest.jobs.map(\.id).filter { statuses[$0].needsRun }
            guard !ran.isEmpty else {
                print("nothing to run: \(summary(statuses))")
                return
            }
            let chosen = runner.flatMap(LocalRunner.init(rawValue:)) ?? (isOnPath("parallel") ? .parallel : .xargs)
            if chosen == .parallel && !isOnPath("parallel") {
                throw UsageError("GNU parallel is not on PATH (scripts/install-deps installs it); use --runner xargs")
            }
            if let hosts { _ = try readInputFile(hosts) }
            let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            let width = jobs ?? cores
            var environment = ProcessInfo.processInfo.environment
            if environment["OPENBLAS_NUM_THREADS"] == nil { environment["OPENBLAS_NUM_THREADS"] = "\(max(1, cores / width))" }
            let idsFile = folder.statePath + "/run-ids.txt"
            try writeFileAtomically(idsFile, text: ran.map { "\($0)\n" }.joined())
            let args = chosen.arguments(ftle: currentExecutablePath(), folder: folder, idsFile: idsFile, jobs: width,
                                        hostsFile: hosts.map(absolutePath), alsoLocal: local, forward: ["OPENBLAS_NUM_THREADS"])
            print("running \(ran.count) of \(manifest.jobs.count) jobs with \(chosen == .parallel ? "GNU parallel" : "xargs -P"), "
                  + "\(width) at a time" + (chosen == .parallel ? " (joblog \(folder.parallelJobLogPath))" : ""))
            fflush(nil)
            status = try runForwardingSignals(args, environment: environment)
        }
        guard !ran.isEmpty else { return }
        try reportingErrors {
            let statuses = folder.statuses(try folder.readManifest())
            print(summary(statuses))
            let failed = ran.filter { statuses[$0].name == "failed" }
            if !failed.isEmpty {
                throw UsageError("\(failed.count) job(s) failed (\(compressedRanges(failed))); ftle sweep status \(shellQuoted(folder.path)) shows why")
            }
            if status >= 128 { throw ExitCode(status) }
            let missing = ran.filter { statuses[$0].needsRun }
            if !missing.isEmpty {
                throw UsageError("the scheduler stopped (exit \(status)) with \(missing.count) job(s) not done; run again to continue")
            }
        }
    }
}

/// "4 jobs: 2 done, 1 running, 0 failed, 1 pending".
func summary(_ statuses: [JobStatus]) -> String {
    let names = ["done", "running", "failed", "pending"]
    return "\(statuses.count) jobs: " + names.map { n in "\(statuses.filter { $0.name == n }.count) \(n)" }.joined(separator: ", ")
}

struct SweepSlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write DIR/sweep.sbatch, a Slurm job array of the jobs not done, and print the sbatch command.",
        discussion: """
        Array task i runs ftle sweep task DIR i. A task skips a finished job and resumes a \
        half-trained one, so resubmitting after failures, time limits or preemption runs only what is \
        missing; running sweep slurm again lists only the jobs not done, and keeps the --partition, \
        --time, --cpus and --max-parallel of the sweep.sbatch it replaces unless given anew. Slurm's output goes to \
        DIR/logs/slurm-JOB_TASK.out, each task's own log to DIR/logs/ID.log.
        """)

    @Argument(help: "The sweep folder (on a file system the compute nodes share).") var dir: String
    @Option(help: "Slurm partition.") var partition: String?
    @Option(help: "Time limit per task, in Slurm's format (M, M:S, H:M:S, D-H, D-H:M, D-H:M:S).") var time: String?
    @Option(parsing: .unconditional, help: "CPUs per task (also OPENBLAS_NUM_THREADS; default 1).") var cpus: Int?
    @Option(parsing: .unconditional, help: "At most M array tasks at once (the array's %M).") var maxParallel: Int?

    func validate() throws {
        if let partition, !SlurmScript.isPlainWord(partition) {
            throw ValidationError("--partition must be one word without spaces, quotes, '$' or '%' (got \"\(partition)\")")
        }
        if let time, !SlurmScript.isValidTime(time) {
            throw ValidationError("--time must be M, M:S, H:M:S, D-H, D-H:M or D-H:M:S (got \"\(time)\")")
        }
        if let cpus, cpus < 1 { throw ValidationError("--cpus must be at least 1 (got \(cpus))") }
        if let maxParallel, maxParallel < 1 { throw ValidationError("--max-parallel must be at least 1 (got \(maxParallel))") }
        if !SlurmScript.isPlainWord(absolutePath(dir)) {
            throw ValidationError("the sweep folder's path \(absolutePath(dir)) cannot stand in an #SBATCH line (spaces, quotes, '$' or '%')")
        }
    }

    func run() throws {
        try reportingErrors {
            let folder = SweepFolder(absolutePath(dir))
            let manifest = try folder.readManifest()
            let statuses = folder.statuses(manifest)
            let ids = manifest.jobs.map(\.id).filter { statuses[$0] != .done }
            guard !ids.isEmpty else {
                print("nothing to submit: all \(manifest.jobs.count) jobs are done")
                return
            }
            // A rewrite keeps the options of the script it replaces unless they are given anew.
            let earlier = (try? String(contentsOfFile: folder.slurmScriptPath, encoding: .utf8))
                .map(SlurmScript.recordedOptions(in:)) ?? SlurmScript.RecordedOptions()
            var kept: [String] = []
            func keep<V>(_ given: V?, _ old: V?, _ flag: String) -> V? {
                if given == nil, let old { kept.append("--\(flag) \(old)"); return old }
                return given
            }
            let script = SlurmScript(ftle: currentExecutablePath(), folder: folder, ids: ids,
                                     maxParallel: keep(maxParallel, earlier.maxParallel, "max-parallel"),
                                     partition: keep(partition, earlier.partition, "partition"), time: keep(time, earlier.time, "time"),
                                     cpus: keep(cpus, earlier.cpus, "cpus") ?? 1, ftleVersion: FTLE.version)
            if !kept.isEmpty { print("kept \(kept.joined(separator: " ")) from the earlier \(folder.slurmScriptPath)") }
            try writeFileAtomically(folder.slurmScriptPath, text: script.text)
            print("wrote \(folder.slurmScriptPath): a job array of \(ids.count) of \(manifest.jobs.count) jobs (--array=\(script.arraySpec))")
            print("sbatch \(shellQuoted(folder.slurmScriptPath))")
        }
    }
}

struct SweepStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "How many jobs of a sweep are done, running, failed and pending; failed jobs' last error line.",
        discussion: """
        done: DIR/results/ID.json exists. running: DIR/state/ID.running names a live ftle sweep task \
        (on another host it cannot be checked and is shown as unverified). failed: the last attempt \
        ended with an error (DIR/state/ID.failed). pending: anything else, including a task that was \
        killed (shown as interrupted).
        """)

    @Argument(help: "The sweep folder.") var dir: String

    func run() throws {
        try reportingErrors {
            let folder = SweepFolder(absolutePath(dir))
            let manifest = try folder.readManifest()
            let statuses = folder.statuses(manifest)
            print("\(folder.path): \(summary(statuses))")
            for (id, status) in statuses.enumerated() {
                switch status {
                case let .running(marker, verified):
                    print("running \(id): pid \(marker.pid) on \(marker.host) since \(marker.started)\(verified ? "" : " (another host: not checked)")")
                case let .failed(record):
                    print("failed \(id): \(record.error) (exit \(record.exitCode) on \(record.host) at \(record.time); log \(folder.logPath(id)))")
                case let .pending(interrupted?):
                    print("pending \(id): interrupted (pid \(interrupted.pid) on \(interrupted.host) is gone; a task resumes it)")
                default: break
                }
            }
            let pending = statuses.indices.filter { statuses[$0] == .pending(interrupted: nil) }
            if !pending.isEmpty { print("pending: \(compressedRanges(pending))") }
        }
    }
}

struct SweepCollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Gather the finished jobs into DIR/results.csv and DIR/lambda1-accuracy.svg.",
        discussion: """
        results.csv: one row per finished job: id, one column per grid option (named as the option), \
        test_accuracy, test_loss, lambda1 … lambda5, kaplan_yorke, entropy, then the alignment and \
        Table 1 summaries of jobs that ran them, and seconds. A λ that is −∞ is written -inf. The \
        figure plots λ1 against test accuracy, one colour per value of --color-by.
        """)

    @Argument(help: "The sweep folder.") var dir: String
    @Option(help: "The grid option that colours the figure (default: the first --grid).") var colorBy: String?

    func run() throws {
        try reportingErrors {
            let folder = SweepFolder(absolutePath(dir))
            let manifest = try folder.readManifest()
            let axis = colorBy.map { name in manifest.grid.first { $0.name == name } } ?? manifest.grid.first
            guard let axis else {
                throw UsageError("--color-by \(colorBy ?? ""): not a grid option of this sweep (grid: \(manifest.gridNames.joined(separator: ", ")))")
            }
            // Only whole results of their own job count; a broken one is named and its job is not done.
            var results: [JobResult] = []
            for id in manifest.jobs.map(\.id) {
                do { if let r = try folder.result(of: id) { results.append(r) } } catch {
                    print("skipped \(error) (job \(id) is not done: sweep task \(id) runs it again)")
                }
            }
            let done = results.map(\.id)
            guard !done.isEmpty else { throw UsageError("no job is done yet (0 of \(manifest.jobs.count)); nothing to collect") }
            let table = ResultsTable(gridNames: manifest.gridNames, results: results)
            try writeFileAtomically(folder.csvPath, text: table.csv())
            try writeFileAtomically(folder.figurePath, text: table.lambdaAccuracyFigure(colorBy: axis.name, values: axis.values).svg())
            print("wrote \(folder.csvPath) (\(done.count) of \(manifest.jobs.count) jobs) and \(folder.figurePath) (coloured by \(axis.name))")
        }
    }
}
