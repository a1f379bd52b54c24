import ArgumentParser
import Foundation
import RNN
import Sweep

/// `ftle sweep`: many networks, trained and analysed as independent tasks that an existing
/// scheduler runs (GNU parallel or xargs on one machine or over ssh, a Slurm job array on a
/// cluster). See docs/sweeps.md.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train and analyse a grid of networks as independent tasks run by GNU parallel, xargs or Slurm.",
        discussion: """
        ftle sweep plan writes DIR/sweep.json (every job's options) and DIR/jobs.txt (one \
        'ftle sweep task DIR ID' per line); any scheduler can run those lines. sweep run hands the \
        pending ones to GNU parallel (else xargs -P), sweep slurm writes a job array script, sweep \
        status says where each job stands, sweep collect gathers DIR/results/*.json into \
        DIR/results.csv and a figure. A task skips a finished job and resumes a half-trained one, so \
        running everything again only does what is missing.
        """,
        subcommands: [SweepPlanCommand.self, SweepTaskCommand.self, SweepRunCommand.self, SweepSlurmCommand.self,
                      SweepStatusCommand.self, SweepCollectCommand.self])
}

/// The `ftle train` options a sweep can fix or grid, named as `ftle train` names them. One line
/// per option: a new `ftle train` option becomes sweepable by adding its line here (SweepCLITests
/// checks this list against `ftle train --help`). Values are checked by `ftle train`'s own parser.
let sweepTrainOptions: [TrainOptionSpec] = [
    TrainOptionSpec("task"),
    TrainOptionSpec("cell"),
    TrainOptionSpec("nonlinearity"),
    TrainOptionSpec("hidden"),
    TrainOptionSpec("layers"),
    TrainOptionSpec("epochs"),
    TrainOptionSpec("batch"),
    TrainOptionSpec("lr"),
    TrainOptionSpec("optimizer"),
    TrainOptionSpec("momentum"),
    TrainOptionSpec("init"),
    TrainOptionSpec("bias"),
    TrainOptionSpec("recurrent-gain"),
    TrainOptionSpec("input-gain"),
    TrainOptionSpec("loss-reduction"),
    TrainOptionSpec("permutation", .path),
    TrainOptionSpec("standardize", .flag),
    TrainOptionSpec("validation-split"),
    TrainOptionSpec("clip"),
    TrainOptionSpec("seed"),
    TrainOptionSpec("permutation-seed"),
    TrainOptionSpec("train-limit"),
    TrainOptionSpec("test-limit"),
    TrainOptionSpec("checkpoint-every"),
    TrainOptionSpec("log-every"),
    TrainOptionSpec("precision"),
    TrainOptionSpec("threads"),
    TrainOptionSpec("flush-subnormals", .flag),
    TrainOptionSpec("no-flush-subnormals", .flag),
    TrainOptionSpec("keep-subnormals", .flag),
    TrainOptionSpec("data", .path),
    TrainOptionSpec("init-from", .path),
    TrainOptionSpec("floss"),
    TrainOptionSpec("floss-weight"),
    TrainOptionSpec("floss-every"),
    TrainOptionSpec("floss-steps"),
]

/// `ftle train` options the sweep sets itself.
let sweepReservedTrainOptions = [
    "out": "the sweep trains job ID into DIR/runs/ID",
    "resume": "a sweep task resumes a half-trained job by itself",
    "force": "a sweep task never replaces a finished job's run",
    "inputs": "sweeps train on the MNIST tasks; --inputs runs are not supported in a sweep yet",
    "labels": "sweeps train on the MNIST tasks; --inputs runs are not supported in a sweep yet",
    "test-inputs": "sweeps train on the MNIST tasks; --inputs runs are not supported in a sweep yet",
    "test-labels": "sweeps train on the MNIST tasks; --inputs runs are not supported in a sweep yet",
]

/// The first line of ArgumentParser's message for a parse or validation error of `command`.
func oneLineMessage<C: ParsableCommand>(_ command: C.Type, _ error: Error) -> String {
    let text = command.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
    return text.hasPrefix("Error: ") ? String(text.dropFirst(7)) : text
}

/// Parses `arguments` exactly as the command line of `command` would be parsed (types,
/// `validate()`); a failure becomes one line naming what the command refused.
func parseAsCommand<C: ParsableCommand>(_ command: C.Type, _ arguments: [String]) throws -> C {
    do { return try command.parse(arguments) } catch {
        throw SweepUsageError("ftle \(command.configuration.commandName ?? "") refuses \(arguments.joined(separator: " ")): \(oneLineMessage(command, error))")
    }
}

/// The analyses a task can run after training, by name.
enum SweepAnalysis: String, CaseIterable {
    case spectrum, align, perturb

    /// Options the task sets itself.
    static let managedOptions = ["--model", "--format", "--out", "--data"]

    /// nil when `arguments` (after `--model M`) parse as the analysis command's do, else its message.
    func check(_ arguments: [String]) -> String? {
        let args = ["--model", "model.safetensors"] + arguments
        do {
            switch self {
            case .spectrum: _ = try Spectrum.parse(args)
            case .align: _ = try Align.parse(args)
            case .perturb: _ = try Perturb.parse(args)
            }
            return nil
        } catch {
            switch self {
            case .spectrum: return oneLineMessage(Spectrum.self, error)
            case .align: return oneLineMessage(Align.self, error)
            case .perturb: return oneLineMessage(Perturb.self, error)
            }
        }
    }

    /// `--analyses` and `--analysis-args` as requests, checked.
    static func requests(_ list: String, extra: [String]) throws -> [AnalysisRequest] {
        var names: [SweepAnalysis] = []
        for word in list.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let a = SweepAnalysis(rawValue: word) else {
                throw SweepUsageError("--analyses: unknown analysis \"\(word)\"; use spectrum, align or perturb, comma-separated")
            }
            guard !names.contains(a) else { throw SweepUsageError("--analyses lists \(word) twice") }
            names.append(a)
        }
        var arguments: [SweepAnalysis: [String]] = [:]
        for spec in extra {
            guard let eq = spec.firstIndex(of: "="), let a = SweepAnalysis(rawValue: String(spec[..<eq])) else {
                throw SweepUsageError("--analysis-args \(spec): expected NAME=OPTIONS with NAME spectrum, align or perturb")
            }
            guard names.contains(a) else { throw SweepUsageError("--analysis-args \(a.rawValue): \(a.rawValue) is not in --analyses") }
            guard arguments[a] == nil else { throw SweepUsageError("--analysis-args \(a.rawValue) is given twice") }
            let words = spec[spec.index(after: eq)...].split(whereSeparator: \.isWhitespace).map(String.init)
            if let managed = words.first(where: { w in managedOptions.contains { w == $0 || w.hasPrefix($0 + "=") } }) {
                throw SweepUsageError("--analysis-args \(a.rawValue): the task sets \(managed.split(separator: "=")[0]) itself")
            }
            if let message = a.check(words) { throw SweepUsageError("--analysis-args \(a.rawValue): \(message)") }
            arguments[a] = words
        }
        return names.map { AnalysisRequest(name: $0.rawValue, arguments: arguments[$0] ?? []) }
    }
}

/// The absolute path of the running `ftle` binary (what jobs.txt and the scheduler scripts call).
func currentExecutablePath() -> String {
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return exe }
    return absolutePath(CommandLine.arguments[0])
}

struct SweepPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan a sweep: the Cartesian product of --grid values as jobs in DIR/sweep.json and DIR/jobs.txt.",
        discussion: """
        Every other option is an ftle train option shared by all jobs (e.g. --task rowwise --epochs 5 \
        --train-limit 512). A grid option is any ftle train option taking a value (flags: true,false), \
        except --out and --resume. Every grid value and every job's whole option list are checked by \
        ftle train's own parser before anything is written; paths (--data, --permutation, --init-from) \
        are made absolute. Job IDs count from 0, the first --grid varying slowest.
        """)

    @Option(name: .customLong("grid"), help: "NAME=V1,V2,…: an ftle train option and its values (repeat for more options).")
    var grids: [String] = []
    @Option(help: "Analyses of each trained model, comma-separated: spectrum, align, perturb.")
    var analyses: String = "spectrum"
    @Option(name: .customLong("analysis-args"),
            help: "NAME=OPTIONS: extra options of one analysis command, e.g. 'spectrum=--image 3' or 'perturb=--images 5 --k 1,10' (repeatable).")
    var analysisArgs: [String] = []
    @Option(help: "The sweep folder to create (it must not hold a sweep yet).")
    var out: String
    @Argument(parsing: .allUnrecognized, help: "ftle train options shared by every job.")
    var trainOptions: [String] = []

    func planned() throws -> (SweepPlanner.Plan, [AnalysisRequest]) {
        let planner = SweepPlanner(specs: sweepTrainOptions, reserved: sweepReservedTrainOptions) { args in
            do { _ = try Train.parse(args + ["--out", "sweep-check"]); return nil } catch { return oneLineMessage(Train.self, error) }
        }
        let plan = try planner.plan(grids: grids, trainArguments: trainOptions)
        return (plan, try SweepAnalysis.requests(analyses, extra: analysisArgs))
    }

    func validate() throws {
        do { _ = try planned() } catch let e as SweepUsageError { throw ValidationError(e.description) }
    }

    func run() throws {
        try reportingErrors {
            let (plan, requests) = try planned()
            let folder = SweepFolder(absolutePath(out))
            let manifest = SweepManifest(ftleVersion: FTLE.version, plan: plan, analyses: requests)
            let ftle = currentExecutablePath()
            try folder.create(manifest) { taskCommandLine(ftle: ftle, folder: folder.path, id: $0) }
            let shape = plan.axes.map { "\($0.name) \($0.values.count)" }.joined(separator: " × ")
            print("planned \(plan.jobs.count) jobs (\(shape)) in \(folder.path), analyses: \(requests.map(\.name).joined(separator: ", "))")
            print("run them:  ftle sweep run \(shellQuoted(folder.path)) --local    or    ftle sweep slurm \(shellQuoted(folder.path))")
        }
    }
}
