import Foundation
import TestSupport
import Testing

/// Rows 400–449 of docs/bad-inputs.md: `ftle sweep`'s bad inputs, with the exact stderr and exit
/// status. Grids are refused at `plan`, before anything is written.
extension BadInputTests {
    /// A planned two-job sweep (nothing run), an empty folder and a folder whose sweep.json is
    /// not JSON.
    struct SweepFixtures: Sendable {
        let dir: String
        var planned: String { dir + "/planned" }
        init() {
            dir = temporaryFolder("bad-sweeps")
            let r = try! CLI.run(["sweep", "plan", "--task", "rowwise", "--grid", "seed=0,1", "--out", dir + "/planned"])
            precondition(r.status == 0, "sweep plan failed: \(r)")
            try! FileManager.default.createDirectory(atPath: dir + "/not-a-sweep", withIntermediateDirectories: true)
            try! FileManager.default.createDirectory(atPath: dir + "/corrupt", withIntermediateDirectories: true)
            try! "{\"format\": ".write(toFile: dir + "/corrupt/sweep.json", atomically: true, encoding: .utf8)
        }
    }

    static let sweepFixtures = SweepFixtures()

    static let sweepCases: [Case] = {
        let d = sweepFixtures.dir, s = sweepFixtures.planned
        func plan(_ args: [String], _ out: String = "new") -> [String] { ["sweep", "plan"] + args + ["--out", d + "/" + out] }
        return [
            Case(name: "400 unknown grid option", args: plan(["--grid", "width=1,2"]),
                 stderr: "ftle: --grid width: ftle train has no option --width\n", status: 2),
            Case(name: "401 grid value that does not parse", args: plan(["--grid", "hidden=64,big"]),
                 stderr: "ftle: --grid hidden=big: The value 'big' is invalid for '--hidden <hidden>'\n", status: 2),
            Case(name: "402 grid value not among the choices", args: plan(["--grid", "init=pytorch,glorot"]),
                 stderr: "ftle: --grid init=glorot: The value 'glorot' is invalid for '--init <init>'. Please provide one of 'pytorch', 'xavier-normal' or 'orthogonal'.\n",
                 status: 2),
            Case(name: "403 empty product", args: plan(["--grid", "hidden="]),
                 stderr: "ftle: --grid hidden has no values, so the sweep would have no jobs\n", status: 2),
            Case(name: "404 no grid", args: plan(["--task", "rowwise"]),
                 stderr: "ftle: a sweep needs at least one --grid NAME=V1,V2,…\n", status: 2),
            Case(name: "405 grid option given twice", args: plan(["--grid", "hidden=8", "--grid", "hidden=16"]),
                 stderr: "ftle: --grid hidden is given twice; list all its values in one --grid\n", status: 2),
            Case(name: "406 grid value listed twice", args: plan(["--grid", "seed=1,1"]),
                 stderr: "ftle: --grid seed lists the value 1 twice\n", status: 2),
            Case(name: "407 option both fixed and gridded", args: plan(["--hidden", "8", "--grid", "hidden=8,16"]),
                 stderr: "ftle: --hidden is both fixed and in a --grid; give it once\n", status: 2),
            Case(name: "408 a job ftle train refuses", args: plan(["--grid", "seed=0,1", "--grid", "init=xavier-normal,pytorch", "--recurrent-gain", "2"]),
                 stderr: "ftle: job 1 (seed=0 init=pytorch): --recurrent-gain applies to --init xavier-normal only\n", status: 2),
            Case(name: "409 grid without '='", args: plan(["--grid", "hidden"]),
                 stderr: "ftle: --grid hidden: expected NAME=V1,V2,… (e.g. hidden=64,128)\n", status: 2),
            Case(name: "410 grid with an empty value", args: plan(["--grid", "hidden=8,,16"]),
                 stderr: "ftle: --grid hidden=8,,16: an empty value (two commas in a row, or one at an end)\n", status: 2),
            Case(name: "411 --resume given to plan", args: plan(["--grid", "seed=1", "--resume"]),
                 stderr: "ftle: --resume: a sweep task resumes a half-trained job by itself\n", status: 2),
            Case(name: "412 unknown fixed option", args: plan(["--grid", "seed=1", "--widht", "3"]),
                 stderr: "ftle: unknown option --widht (sweep plan takes the options of ftle train)\n", status: 2),
            Case(name: "413 bad fixed value", args: plan(["--grid", "seed=1,2", "--task", "sideways"]),
                 stderr: "ftle: The value 'sideways' is invalid for '--task <task>'. Please provide one of 'rowwise', 'pixelwise' or 'permuted'.\n", status: 2),
            Case(name: "414 flag gridded with a non-boolean", args: plan(["--grid", "standardize=yes"]),
                 stderr: "ftle: --grid standardize=yes: --standardize is a flag; its grid values are true and false\n", status: 2),
            Case(name: "415 unknown analysis", args: plan(["--grid", "seed=1", "--analyses", "spectrum,lyap"]),
                 stderr: "ftle: --analyses: unknown analysis \"lyap\"; use spectrum, align or perturb, comma-separated\n", status: 2),
            Case(name: "416 analysis option refused by its command", args: plan(["--grid", "seed=1", "--analysis-args", "spectrum=--k 0"]),
                 stderr: "ftle: --analysis-args spectrum: --k must be at least 1 (got 0)\n", status: 2),
            Case(name: "417 analysis option the task sets", args: plan(["--grid", "seed=1", "--analysis-args", "spectrum=--out x.json"]),
                 stderr: "ftle: --analysis-args spectrum: the task sets --out itself\n", status: 2),
            Case(name: "418 options for an analysis not asked for", args: plan(["--grid", "seed=1", "--analysis-args", "align=--samples 3"]),
                 stderr: "ftle: --analysis-args align: align is not in --analyses\n", status: 2),
            Case(name: "419 plan into a folder that holds a sweep", args: ["sweep", "plan", "--grid", "seed=5", "--out", s],
                 stderr: "ftle: \(s)/sweep.json: cannot write: a sweep is already planned here; plan into a new folder\n", status: 1),
            Case(name: "420 task in a folder without sweep.json", args: ["sweep", "task", d + "/not-a-sweep", "0"],
                 stderr: "ftle: \(d)/not-a-sweep: not a sweep folder (no sweep.json; make one with ftle sweep plan)\n", status: 1),
            Case(name: "421 sweep.json that is not JSON", args: ["sweep", "status", d + "/corrupt"],
                 stderr: "ftle: \(d)/corrupt/sweep.json: not an ftle sweep manifest (not valid JSON)\n", status: 1),
            Case(name: "422 task ID past the last job", args: ["sweep", "task", s, "7"],
                 stderr: "ftle: job 7 does not exist: the sweep has 2 jobs (0...1)\n", status: 1),
            Case(name: "423 task ID not a number", args: ["sweep", "task", s, "x"],
                 stderr: "ftle: The value 'x' is invalid for '<id>'\n", status: 2),
            Case(name: "424 run without --local or --hosts", args: ["sweep", "run", s],
                 stderr: "ftle: say where to run: --local (this machine) and/or --hosts FILE (ssh hosts); for Slurm use ftle sweep slurm\n", status: 2),
            Case(name: "425 run --jobs 0", args: ["sweep", "run", s, "--local", "--jobs", "0"],
                 stderr: "ftle: --jobs must be at least 1 (got 0)\n", status: 2),
            Case(name: "426 run --runner make", args: ["sweep", "run", s, "--local", "--runner", "make"],
                 stderr: "ftle: --runner must be parallel or xargs (got \"make\")\n", status: 2),
            Case(name: "427 run --hosts with xargs", args: ["sweep", "run", s, "--hosts", d + "/hosts", "--runner", "xargs"],
                 stderr: "ftle: --hosts needs GNU parallel (xargs runs on this machine only)\n", status: 2),
            Case(name: "428 run --hosts file missing", args: ["sweep", "run", s, "--hosts", d + "/no-hosts", "--runner", "parallel"],
                 stderr: "ftle: \(d)/no-hosts: no such file\n", status: 1),
            Case(name: "429 slurm --time 1h", args: ["sweep", "slurm", s, "--time", "1h"],
                 stderr: "ftle: --time must be M, M:S, H:M:S, D-H, D-H:M or D-H:M:S (got \"1h\")\n", status: 2),
            Case(name: "430 slurm --partition with a space", args: ["sweep", "slurm", s, "--partition", "gpu short"],
                 stderr: "ftle: --partition must be one word without spaces, quotes, '$' or '%' (got \"gpu short\")\n", status: 2),
            Case(name: "431 slurm --cpus 0", args: ["sweep", "slurm", s, "--cpus", "0"],
                 stderr: "ftle: --cpus must be at least 1 (got 0)\n", status: 2),
            Case(name: "432 slurm --max-parallel 0", args: ["sweep", "slurm", s, "--max-parallel", "0"],
                 stderr: "ftle: --max-parallel must be at least 1 (got 0)\n", status: 2),
            Case(name: "433 collect --color-by a non-grid option", args: ["sweep", "collect", s, "--color-by", "hidden"],
                 stderr: "ftle: --color-by hidden: not a grid option of this sweep (grid: seed)\n", status: 1),
            Case(name: "434 collect before any job is done", args: ["sweep", "collect", s],
                 stderr: "ftle: no job is done yet (0 of 2); nothing to collect\n", status: 1),
        ]
    }()

    @Test(arguments: sweepCases)
    func sweepBadInput(_ c: Case) throws {
        try c.expectExactly()
    }
}
