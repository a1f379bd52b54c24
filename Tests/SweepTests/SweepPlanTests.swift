import Foundation
import Sweep
import Testing

/// Grid parsing, the Cartesian product and the planner's checks, with a stand-in for
/// `ftle train`'s parser (the real one is exercised through the binary in CLITests).
@Suite struct SweepPlanTests {
    static let specs = [TrainOptionSpec("hidden"), TrainOptionSpec("seed"), TrainOptionSpec("lr"), TrainOptionSpec("init"),
                        TrainOptionSpec("standardize", .flag), TrainOptionSpec("data", .path)]
    static let reserved = ["out": "set by the sweep"]

    /// Accepts integers for --hidden/--seed, numbers for --lr, and refuses --lr with --init pytorch
    /// (a combination rule, as `ftle train`'s validate() has).
    static func fakeTrain(_ args: [String]) -> String? {
        var i = 0, options: [String: String] = [:]
        while i < args.count {
            let name = String(args[i].dropFirst(2))
            if name == "standardize" { options[name] = "true"; i += 1; continue }
            options[name] = args[i + 1]
            i += 2
        }
        for key in ["hidden", "seed"] { if let v = options[key], Int(v) == nil { return "The value '\(v)' is invalid for '--\(key) <\(key)>'" } }
        if let v = options["lr"], Double(v) == nil { return "The value '\(v)' is invalid for '--lr <lr>'" }
        if options["init"] == "pytorch" && options["lr"] == "9" { return "--lr 9 refuses --init pytorch" }
        if options["init"] != "xavier" && options["lr"] == "7" { return "--lr 7 needs --init xavier" }
        return nil
    }

    static let planner = SweepPlanner(specs: specs, reserved: reserved, validate: fakeTrain)

    @Test func productOrderFirstAxisSlowest() throws {
        let plan = try Self.planner.plan(grids: ["hidden=8,16", "seed=0,1,2"], trainArguments: ["--lr", "0.01"])
        #expect(plan.jobs.count == 6)
        #expect(plan.jobs.map { $0.grid["hidden"]! + "/" + $0.grid["seed"]! } == ["8/0", "8/1", "8/2", "16/0", "16/1", "16/2"])
        #expect(plan.jobs.map(\.id) == Array(0..<6))
        #expect(plan.jobs[4].trainArguments == ["--lr", "0.01", "--hidden", "16", "--seed", "1"])
        #expect(plan.jobs[4].options == ["lr": "0.01", "hidden": "16", "seed": "1"])
        // The product's size is the product of the axis sizes, for any number of axes.
        let axes = [GridAxis(name: "a", values: ["1", "2"]), GridAxis(name: "b", values: ["x"]), GridAxis(name: "c", values: ["p", "q", "r"])]
        #expect(cartesianProduct(axes).count == 6)
        #expect(Set(cartesianProduct(axes).map { $0.map(\.value).joined() }).count == 6)
    }

    @Test func flagsAndPaths() throws {
        let plan = try Self.planner.plan(grids: ["standardize=true,false", "data=rel/mnist"], trainArguments: [])
        #expect(plan.jobs[0].trainArguments == ["--standardize", "--data", FileManager.default.currentDirectoryPath + "/rel/mnist"])
        #expect(plan.jobs[1].trainArguments == ["--data", FileManager.default.currentDirectoryPath + "/rel/mnist"])
        #expect(plan.jobs[1].options["standardize"] == "false")
    }

    @Test(arguments: [
        ([String](), [String](), "a sweep needs at least one --grid NAME=V1,V2,…"),
        (["hidden"], [], "--grid hidden: expected NAME=V1,V2,… (e.g. hidden=64,128)"),
        (["=1,2"], [], "--grid =1,2: the option name is missing before '='"),
        (["hidden="], [], "--grid hidden has no values, so the sweep would have no jobs"),
        (["hidden=8,,16"], [], "--grid hidden=8,,16: an empty value (two commas in a row, or one at an end)"),
        (["hidden=8,8"], [], "--grid hidden lists the value 8 twice"),
        (["width=1,2"], [], "--grid width: ftle train has no option --width"),
        (["out=a,b"], [], "--grid out: set by the sweep"),
        (["hidden=8", "hidden=16"], [], "--grid hidden is given twice; list all its values in one --grid"),
        (["hidden=8,16"], ["--hidden", "4"], "--hidden is both fixed and in a --grid; give it once"),
        (["standardize=yes"], [], "--grid standardize=yes: --standardize is a flag; its grid values are true and false"),
        (["hidden=8,abc"], [], "--grid hidden=abc: The value 'abc' is invalid for '--hidden <hidden>'"),
        (["init=xavier,pytorch"], ["--lr", "9"], "--grid init=pytorch: --lr 9 refuses --init pytorch"),
        (["seed=0,1", "init=xavier,pytorch"], ["--lr", "7"], "job 1 (seed=0 init=pytorch): --lr 7 needs --init xavier"),
        (["seed=1,2"], ["--hidden", "wide"], "The value 'wide' is invalid for '--hidden <hidden>'"),
        (["seed=1"], ["--bogus", "1"], "unknown option --bogus (sweep plan takes the options of ftle train)"),
        (["seed=1"], ["--lr"], "--lr needs a value"),
        (["seed=1"], ["--lr", "1", "--lr=2"], "--lr is given twice"),
        (["seed=1"], ["--standardize=true"], "--standardize is a flag and takes no value"),
        (["seed=1"], ["extra"], "unexpected argument 'extra' (sweep plan takes ftle train's options as --name value)"),
        (["seed=1"], ["--out", "x"], "--out: set by the sweep"),
    ])
    func badGrids(_ grids: [String], _ fixed: [String], _ message: String) {
        #expect(throws: SweepUsageError(message)) { try Self.planner.plan(grids: grids, trainArguments: fixed) }
    }

    @Test func rangesQuotingAndSlurmTimes() {
        #expect(compressedRanges([0, 1, 2, 3]) == "0-3")
        #expect(compressedRanges([0, 2, 3, 4, 7, 9, 10]) == "0,2-4,7,9-10")
        #expect(compressedRanges([5]) == "5")
        #expect(shellQuoted("/a/b-c.d") == "/a/b-c.d")
        #expect(shellQuoted("it's here") == "'it'\\''s here'")
        #expect(shellQuoted("") == "''")
        for ok in ["30", "30:00", "2:30:00", "1-0", "1-12:00", "1-12:00:00", "UNLIMITED"] { #expect(SlurmScript.isValidTime(ok), "\(ok)") }
        for bad in ["", "1h", "1:2:3:4", "-5", "1-", "1-2-3", "a:b", "1:", "１"] { #expect(!SlurmScript.isValidTime(bad), "\(bad)") }
        #expect(SlurmScript.isPlainWord("gpu_a100"))
        for bad in ["", "a b", "a%b", "a'b", "a$b"] { #expect(!SlurmScript.isPlainWord(bad), "\(bad)") }
    }

    @Test func slurmScriptAndRunnerArguments() {
        let folder = SweepFolder("/s/dir")
        let script = SlurmScript(ftle: "/bin/ftle", folder: folder, ids: [0, 1, 2, 3], maxParallel: 2, partition: "short",
                                 time: "1:00:00", cpus: 2, ftleVersion: "0.1.0")
        #expect(script.arraySpec == "0-3%2")
        let lines = script.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "#!/bin/bash")
        for line in ["#SBATCH --array=0-3%2", "#SBATCH --partition=short", "#SBATCH --time=1:00:00", "#SBATCH --cpus-per-task=2",
                     "#SBATCH --output=/s/dir/logs/slurm-%A_%a.out", "exec \"$FTLE\" sweep task /s/dir \"$SLURM_ARRAY_TASK_ID\""] {
            #expect(lines.contains(line), "\(line)")
        }
        let p = LocalRunner.parallel.arguments(ftle: "/bin/ftle", folder: folder, idsFile: "/s/ids", jobs: 3, hostsFile: "/h", alsoLocal: true,
                                               forward: ["X"])
        #expect(p == ["parallel", "--will-cite", "--jobs", "3", "--joblog", "+/s/dir/parallel.joblog", "--halt", "never", "--line-buffer",
                      "--arg-file", "/s/ids", "--sshloginfile", "/h", "--sshlogin", ":", "--env", "X", "/bin/ftle sweep task /s/dir {}"])
        #expect(LocalRunner.xargs.arguments(ftle: "/bin/ftle", folder: folder, idsFile: "/s/ids", jobs: 2)
                == ["xargs", "-P", "2", "-n", "1", "-a", "/s/ids", "/bin/ftle", "sweep", "task", "/s/dir"])
    }
}
