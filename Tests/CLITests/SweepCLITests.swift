import Foundation
import TestSupport
import Testing

/// `ftle sweep` end to end with the real binary, GNU parallel, xargs and bash: tiny row-wise
/// models (H = 8 or 12, 512 training images, one epoch), so each job takes about a second.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct SweepCLITests {
    static let hasParallel = FileManager.default.isExecutableFile(atPath: "/usr/bin/parallel")
    static let tiny = ["--task", "rowwise", "--train-limit", "512", "--epochs", "1", "--batch", "32", "--test-limit", "200",
                       "--checkpoint-every", "2", "--log-every", "4"]
    static let grid = ["--grid", "hidden=8,12", "--grid", "seed=0,1"]

    static func plan(_ dir: String, _ extra: [String] = grid) throws {
        let r = try CLI.run(["sweep", "plan"] + tiny + extra + ["--out", dir])
        #expect(r.status == 0 && r.stderr == "", "\(r)")
    }

    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// A result without the fields that depend on when and where it ran.
    static func reproducible(_ path: String) throws -> NSDictionary {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        return object.filter { !["seconds", "host", "finished"].contains($0.key) } as NSDictionary
    }

    /// Job IDs named in the GNU parallel joblog lines (header skipped).
    static func joblogIDs(_ lines: ArraySlice<Substring>) -> [Int] {
        lines.compactMap { line in line.split(separator: " ").last.flatMap { Int($0) } }.sorted()
    }

    /// A reference sweep runs uninterrupted; a second one is killed (SIGKILL, scheduler and
    /// task, as a crashed node) while job 1 is half-trained, then run again: only the missing jobs
    /// run, the finished one is untouched, job 1 resumes from its checkpoint, and every result
    /// and model equals the reference's. Then collect's CSV is checked against independent
    /// `ftle eval` / `ftle spectrum` runs of the models.
    @Test(.enabled(if: hasParallel, "GNU parallel is not installed (scripts/install-deps)"))
    func killedSweepResumesToTheSameResults() throws {
        let root = temporaryFolder("sweep-e2e"), reference = root + "/reference", cut = root + "/cut"
        try Self.plan(reference)
        try Self.plan(cut)
        #expect(Self.text(cut + "/jobs.txt").split(separator: "\n").map { String($0.split(separator: " ", maxSplits: 1)[1]) }
                == (0..<4).map { "sweep task \(cut) \($0)" })

        var r = try CLI.run(["sweep", "run", reference, "--local", "--jobs", "2"], timeout: 300)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.hasSuffix("4 jobs: 4 done, 0 running, 0 failed, 0 pending\n"), "\(r.stdout)")

        let killer = """
            setsid '\(CLI.binary!)' sweep run '\(cut)' --local --jobs 1 > '\(root)/cut-run.out' 2>&1 &
            leader=$!
            for i in $(seq 1 6000); do [ -e '\(cut)/runs/1/checkpoint.safetensors' ] && break; sleep 0.01; done
            kill -KILL -- -$leader
            for m in '\(cut)'/state/*.running; do
              [ -e "$m" ] && kill -KILL "$(grep -o '"pid":[0-9]*' "$m" | cut -d: -f2)" 2>/dev/null
            done
            sleep 0.2
            """
        r = try CLI.shell(killer, timeout: 120)
        #expect(r.status == 0, "\(r)")
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: cut + "/results/0.json"))
        #expect(!fm.fileExists(atPath: cut + "/results/1.json"), "job 1 finished before the kill; the test needs it half-trained")
        #expect(!fm.fileExists(atPath: cut + "/results/2.json") && !fm.fileExists(atPath: cut + "/results/3.json"))
        let finishedBefore = try Data(contentsOf: URL(fileURLWithPath: cut + "/results/0.json"))

        r = try CLI.run(["sweep", "status", cut])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("\(cut): 4 jobs: 1 done, 0 running, 0 failed, 3 pending\n"), "\(r.stdout)")
        #expect(r.stdout.contains("pending 1: interrupted (pid "), "\(r.stdout)")
        #expect(r.stdout.contains("pending: 2-3\n"), "\(r.stdout)")

        let joblogBefore = Self.text(cut + "/parallel.joblog").split(separator: "\n").count
        r = try CLI.run(["sweep", "run", cut, "--local", "--jobs", "2"], timeout: 300)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.hasPrefix("running 3 of 4 jobs with GNU parallel, 2 at a time"), "\(r.stdout)")
        let newLines = Self.text(cut + "/parallel.joblog").split(separator: "\n").dropFirst(max(joblogBefore, 1))
        #expect(Self.joblogIDs(newLines) == [1, 2, 3], "\(newLines)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: cut + "/results/0.json")) == finishedBefore)
        #expect(Self.text(cut + "/logs/0.log").components(separatedBy: "=== ftle sweep task").count == 2, "job 0 ran twice")
        #expect(Self.text(cut + "/logs/1.log").contains("resuming job 1 from \(cut)/runs/1/checkpoint.safetensors"))

        for id in 0..<4 {
            #expect(try Self.reproducible(cut + "/results/\(id).json") == Self.reproducible(reference + "/results/\(id).json"), "job \(id)")
            let model = "/runs/\(id)/model.safetensors"
            #expect(try Data(contentsOf: URL(fileURLWithPath: cut + model)) == Data(contentsOf: URL(fileURLWithPath: reference + model)),
                    "job \(id)'s weights differ from the uninterrupted run")
        }
        r = try CLI.run(["sweep", "run", cut, "--local"])
        #expect(r.status == 0 && r.stdout == "nothing to run: 4 jobs: 4 done, 0 running, 0 failed, 0 pending\n", "\(r)")

        r = try CLI.run(["sweep", "collect", cut, "--color-by", "seed"])
        #expect(r.status == 0, "\(r)")
        let rows = Self.text(cut + "/results.csv").split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.first == ["id", "hidden", "seed", "test_accuracy", "test_loss", "lambda1", "lambda2", "lambda3", "lambda4", "lambda5",
                               "kaplan_yorke", "entropy", "seconds"])
        #expect(rows.count == 5)
        for id in 0..<4 {
            let row = rows[id + 1]
            #expect(row[0] == "\(id)" && row[1] == ["8", "12"][id / 2] && row[2] == ["0", "1"][id % 2], "\(row)")
            // Independent paths: ftle eval on the same 200 test images, ftle spectrum on test image 0.
            let model = cut + "/runs/\(id)/model.safetensors"
            let eval = try CLI.run(["eval", "--model", model, "--limit", "200", "--format", "json"])
            let accuracy = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])["accuracy"] as! Double
            #expect(abs(Double(row[3])! - accuracy) < 1e-6, "job \(id): CSV accuracy \(row[3]), eval \(accuracy)")
            let spectrum = try CLI.run(["spectrum", "--model", model, "--image", "0"])
            let lambda = (try JSONSerialization.jsonObject(with: Data(spectrum.stdout.utf8)) as! [String: Any])["spectrum"] as! [Double]
            for k in 0..<5 { #expect(Double(row[5 + k])! == lambda[k], "job \(id) λ\(k + 1)") }
        }
        let svg = Self.text(cut + "/lambda1-accuracy.svg")
        #expect(svg.components(separatedBy: "class=\"data-point\"").count - 1 == 4)
        #expect(svg.contains("seed = 0") && svg.contains("seed = 1"))
    }

    /// The Slurm script passes `bash -n`, names the pending jobs as the array, and runs one job
    /// when SLURM_ARRAY_TASK_ID is set by hand; written again, it lists only what is missing.
    @Test func slurmScriptRunsATaskByHand() throws {
        let dir = temporaryFolder("sweep-slurm") + "/s"
        try Self.plan(dir, ["--grid", "seed=0,1"])
        var r = try CLI.run(["sweep", "slurm", dir, "--partition", "short", "--time", "0:10:00", "--max-parallel", "2"])
        #expect(r.status == 0, "\(r)")
        let script = dir + "/sweep.sbatch"
        #expect(r.stdout.hasSuffix("\nsbatch \(script)\n"), "\(r.stdout)")
        #expect(try CLI.shell("bash -n '\(script)'").status == 0)
        let lines = Self.text(script).split(separator: "\n").map(String.init)
        #expect(lines.contains("#SBATCH --array=0-1%2") && lines.contains("#SBATCH --partition=short") && lines.contains("#SBATCH --time=0:10:00"))

        r = try CLI.shell("env -u SLURM_ARRAY_TASK_ID bash '\(script)'")
        #expect(r.status != 0 && r.stderr.contains("submit this script with sbatch"), "\(r)")
        r = try CLI.shell("SLURM_ARRAY_TASK_ID=1 bash '\(script)'", timeout: 120)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.hasPrefix("job 1 done in "), "\(r.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir + "/results/1.json"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/results/0.json"))
        r = try CLI.shell("SLURM_ARRAY_TASK_ID=1 bash '\(script)'")
        #expect(r.status == 0 && r.stdout == "job 1: done already (\(dir)/results/1.json)\n", "\(r)")

        r = try CLI.run(["sweep", "slurm", dir])
        #expect(r.status == 0)
        // Written again without options: the first call's --max-parallel, --partition and --time stay (issue 30, D4).
        let rewritten = Self.text(script).split(separator: "\n").map(String.init)
        #expect(rewritten.contains("#SBATCH --array=0%2") && rewritten.contains("#SBATCH --partition=short")
                && rewritten.contains("#SBATCH --time=0:10:00"), "\(rewritten)")
    }

    /// xargs runs the jobs too; a job that fails at run time (its MNIST folder is missing) is
    /// reported by `run` (exit 1) and by `status` with its error line, and does not stop the others.
    @Test func xargsRunnerAndAFailedJob() throws {
        let root = temporaryFolder("sweep-xargs"), dir = root + "/s", missing = root + "/no-mnist"
        try Self.plan(dir, ["--grid", "data=\(CLI.root)/Samples/mnist,\(missing)"])
        var r = try CLI.run(["sweep", "run", dir, "--local", "--runner", "xargs", "--jobs", "2"], timeout: 300)
        #expect(r.status == 1)
        #expect(r.stderr.hasSuffix("ftle: 1 job(s) failed (1); ftle sweep status \(dir) shows why\n"), "\(r.stderr)")
        #expect(r.stderr.contains("ftle: job 1 failed: \(missing): no such file (log: \(dir)/logs/1.log)\n"), "\(r.stderr)")
        r = try CLI.run(["sweep", "status", dir])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("\(dir): 2 jobs: 1 done, 0 running, 1 failed, 0 pending\n"), "\(r.stdout)")
        #expect(r.stdout.contains("failed 1: \(missing): no such file (exit 1 on "), "\(r.stdout)")
        r = try CLI.run(["sweep", "collect", dir])
        #expect(r.status == 0 && r.stdout.contains("(1 of 2 jobs)"), "\(r)")
    }

    /// A task runs align and perturb too (with their --analysis-args): the result holds the same
    /// summaries as `ftle align` / `ftle perturb` run by hand on the job's model, and collect adds
    /// their columns.
    @Test func alignAndPerturbInTheResult() throws {
        let dir = temporaryFolder("sweep-analyses") + "/s"
        try Self.plan(dir, ["--grid", "hidden=32", "--analyses", "spectrum,align,perturb", "--analysis-args", "align=--samples 3",
                            "--analysis-args", "perturb=--images 2 --random 3 --k 1,5"])
        var r = try CLI.run(["sweep", "task", dir, "0"], timeout: 300)
        #expect(r.status == 0, "\(r)")
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/results/0.json"))) as! [String: Any]
        let model = dir + "/runs/0/model.safetensors"
        r = try CLI.run(["align", "--model", model, "--samples", "3"])
        let align = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let summary = try #require(result["align"] as? [String: Any])
        // The same numbers, read back through JSON twice on the sweep's side: Foundation's JSON
        // reader on Linux is not always correctly rounded (seen one ulp off), hence 2 ulp.
        func same(_ a: Double?, _ b: Double?) -> Bool {
            guard let a, let b else { return false }
            return abs(a - b) <= 2 * max(a.ulp, b.ulp)
        }
        for key in ["std_first10", "std_last10", "std_random10", "random_baseline"] {
            #expect(same(summary[key] as? Double, align[key] as? Double), "\(key)")
        }
        r = try CLI.run(["perturb", "--model", model, "--images", "2", "--random", "3", "--k", "1,5"])
        let table = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["table"] as! [[String: Any]]
        let rows = try #require(result["perturb"] as? [[String: Any]])
        #expect(rows.map { $0["k"] as? Int } == [1, 5])
        for (mine, theirs) in zip(rows, table) {
            #expect(same(mine["mean_difference"] as? Double, theirs["mean_difference"] as? Double))
            #expect(same(mine["p_welch"] as? Double, theirs["p_welch"] as? Double))
        }
        // perturb's rows carry the paired test and its Holm adjustment over the k (in [0, 1],
        // the adjusted value never below the raw one).
        for row in table {
            let paired = try #require(row["p_paired"] as? Double), holm = try #require(row["p_holm"] as? Double)
            #expect((0...1).contains(paired) && (0...1).contains(holm) && holm >= paired, "\(row)")
            #expect(row["effect_size"] is Double)
        }
        r = try CLI.run(["sweep", "collect", dir])
        #expect(r.status == 0)
        let header = Self.text(dir + "/results.csv").split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.hasSuffix(",entropy,align_std_first10,align_std_last10,align_std_random10,align_random_baseline,"
                                 + "perturb_k1_mean_difference,perturb_k1_p_welch,perturb_k5_mean_difference,perturb_k5_p_welch,seconds"), "\(header)")
    }

    /// SIGTERM (a Slurm time limit) stops a task after the batch with a checkpoint: exit 130, no
    /// failure, the job pending; `run --hosts FILE` (here FILE names only ':', GNU parallel's
    /// local login, so no ssh is needed) then resumes it to the end.
    @Test(.enabled(if: hasParallel, "GNU parallel is not installed (scripts/install-deps)"))
    func sigtermLeavesTheJobPendingAndHostsRunResumesIt() throws {
        let root = temporaryFolder("sweep-term"), dir = root + "/s"
        try Self.plan(dir, ["--grid", "seed=3"])
        let script = """
            '\(CLI.binary!)' sweep task '\(dir)' 0 > '\(root)/out' 2> '\(root)/err' &
            pid=$!
            for i in $(seq 1 6000); do [ -e '\(dir)/runs/0/checkpoint.safetensors' ] && break; sleep 0.01; done
            kill -TERM $pid
            wait $pid
            echo "status=$?"
            """
        var r = try CLI.shell(script)
        #expect(r.stdout == "status=130\n", "\(r)")
        #expect(Self.text(root + "/out") == "job 0: stopped by a signal; its checkpoint is saved and the next run of the task resumes it\n")
        #expect(Self.text(root + "/err") == "")
        let fm = FileManager.default
        #expect(!fm.fileExists(atPath: dir + "/state/0.failed") && !fm.fileExists(atPath: dir + "/state/0.running"))
        r = try CLI.run(["sweep", "status", dir])
        #expect(r.stdout == "\(dir): 1 jobs: 0 done, 0 running, 0 failed, 1 pending\npending: 0\n", "\(r)")

        try ":\n".write(toFile: root + "/hosts", atomically: true, encoding: .utf8)
        r = try CLI.run(["sweep", "run", dir, "--hosts", root + "/hosts"], timeout: 300)
        #expect(r.status == 0, "\(r)")
        #expect(fm.fileExists(atPath: dir + "/results/0.json"))
        #expect(Self.text(dir + "/logs/0.log").contains("resuming job 0 from \(dir)/runs/0/checkpoint.safetensors"))
    }

    /// A job whose task is alive on this host is not started again: `run` leaves it out,
    /// `task` refuses it, `status` shows it running; once its process is gone it is pending.
    @Test func aLiveTaskIsNotStartedTwice() throws {
        let dir = temporaryFolder("sweep-live") + "/s"
        try Self.plan(dir, ["--grid", "seed=0"])
        // A process whose command line reads "… sweep task …", standing in for a running task.
        let started = try CLI.shell("bash -c 'sleep 60; true' sweep task > /dev/null 2>&1 & echo $!")
        let pid = try #require(Int32(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(pid, SIGKILL) }
        try "{\"pid\":\(pid),\"host\":\"\(Self.hostName())\",\"started\":\"t\"}"
            .write(toFile: dir + "/state/0.running", atomically: true, encoding: .utf8)
        var r = try CLI.run(["sweep", "status", dir])
        #expect(r.stdout.contains("1 jobs: 0 done, 1 running, 0 failed, 0 pending") && r.stdout.contains("running 0: pid \(pid) on "), "\(r)")
        r = try CLI.run(["sweep", "task", dir, "0"])
        #expect(r.status == 1 && r.stderr.hasPrefix("ftle: job 0 is already running (pid \(pid) on "), "\(r)")
        r = try CLI.run(["sweep", "run", dir, "--local"])
        #expect(r.status == 0 && r.stdout == "nothing to run: 1 jobs: 0 done, 1 running, 0 failed, 0 pending\n", "\(r)")
        kill(pid, SIGKILL)
        for _ in 0..<100 where kill(pid, 0) == 0 { usleep(20_000) }
        r = try CLI.run(["sweep", "status", dir])
        #expect(r.stdout.contains("pending 0: interrupted (pid \(pid) on "), "\(r)")
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Every option `ftle train --help` lists is known to `sweep plan`: either sweepable or set
    /// by the sweep itself (so a new train option without its line in the table fails here).
    @Test func everyTrainOptionIsKnownToSweepPlan() throws {
        var env = ProcessInfo.processInfo.environment
        env["COLUMNS"] = "200"
        let help = try CLI.run(["train", "--help"], environment: env).stdout
        // Option lines are indented by two spaces; wrapped descriptions by more.
        let names = help.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  --"), let first = line.dropFirst(2).split(separator: " ").first else { return nil }
            // A flag with an inversion is listed as --name/--no-name: the option is --name.
            let name = String(first.dropFirst(2).split(separator: "/").first ?? "")
            return name == "version" || name == "help" ? nil : name
        }
        #expect(names.count >= 25 && names.contains("hidden") && names.contains("init-from"))
        let out = temporaryFolder("sweep-options")
        for name in names {
            // Refused as a bad value or combination, or planned (a path is only read by the task).
            let r = try CLI.run(["sweep", "plan", "--grid", "\(name)=not-a-value", "--out", out + "/" + name])
            #expect(r.status == 2 || r.status == 0, "\(name): \(r)")
            #expect(!r.stderr.contains("has no option"), "--\(name) is an ftle train option missing from sweepTrainOptions: \(r.stderr)")
        }
    }
}
