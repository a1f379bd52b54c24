import ArgumentParser
import Foundation
import Linalg
import MNIST
import RNN
import TerminalUI

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a tanh RNN on sequential MNIST with BPTT.",
        discussion: """
        Writes OUT/model.safetensors (PyTorch names), OUT/checkpoint.safetensors (weights, optimizer \
        state and position, for --resume) and OUT/history.csv (appended as training goes). A checkpoint \
        is saved every epoch, and every N batches with --checkpoint-every. SIGINT, SIGTERM and SIGHUP \
        finish the current batch, save a checkpoint and exit; a second signal exits at once.

        --layers L stacks L layers of H units (num_layers of nn.RNN, nn.GRU, nn.LSTM): the saved \
        model loads in PyTorch's module with num_layers=L.

        With --inputs X.npy --labels Y.npy it trains a classifier of any sequences instead: X is \
        N×T×I ('<f4'/'<f8'), Y holds N integer labels, C = the largest label + 1; \
        --test-inputs/--test-labels give the test set, else a seeded 10 % of X is held out. \
        Such a run writes the same folder (checkpoints, history, \
        --resume, signals) as an MNIST run; its checkpoint records the files, which --resume reads again.

        --nonlinearity tanh|relu picks φ of a new vanilla model (MNIST or --inputs); the model \
        file records it, so --resume and --init-from take it from there.

        --floss K (gradient flossing, Engelken 2023; any cell and data): every --floss-every N optimizer \
        steps (default 1), one extra update θ ← θ − w·∇θ Σ_{k≤K} λ_k² (w = --floss-weight, default 0.01; the \
        gradient's norm clipped to --clip when set), λ_k the finite-time Lyapunov exponents of one sequence \
        of that batch (drawn from --seed and the step, so --resume draws the same) over its first \
        --floss-steps T inputs (default all), from h_0 = 0 and Q_0 = the first K columns of I, forward \
        convention. The update is a separate plain gradient step: the optimizer's state and step count \
        stay the task loss's. history.csv gains lambda1…lambdaK columns (the last update's λ on each \
        progress row) and the progress line shows them; the checkpoint records the settings.
        """)

    @Option(help: "Sequence task: rowwise (28×28), pixelwise (784×1) or permuted (784×1).") var task: SequenceTask.Kind = .rowwise
    @Option(help: "Recurrent cell: rnn (tanh), gru (nn.GRU) or lstm (nn.LSTM); gru and lstm train with PyTorch's default init and both biases (default rnn; with --resume, the stored cell).")
    var cell: CellKind?
    @Option(parsing: .unconditional, help: "Hidden size H.") var hidden: Int = 128
    @Option(parsing: .unconditional, help: "Stacked layers L, H units each (PyTorch's num_layers; default 1; with --resume or --init-from, the model's).")
    var layers: Int?
    @Option(parsing: .unconditional, help: "Epochs to train, in total counting resumed ones (default 5; with --resume, the stored total).") var epochs: Int?
    @Option(parsing: .unconditional, help: "Batch size.") var batch: Int = 64
    @Option(parsing: .unconditional, help: "Learning rate.") var lr: Double = 1e-3
    @Option(help: "Optimizer: adam, sgd or rmsprop (PyTorch's RMSprop: alpha 0.99, eps 1e-8, no momentum).") var optimizer: OptimizerKind = .adam
    @Option(parsing: .unconditional, help: "SGD momentum.") var momentum: Double = 0
    @Option(help: "Initialisation: pytorch, xavier-normal or orthogonal.") var `init`: Initialization = .pytorch
    @Option(help: "Recurrent biases: pair (nn.RNN's bias_ih + bias_hh), input (bias_ih only) or none (bias=False).") var bias: BiasMode = .pair
    @Option(parsing: .unconditional, help: "Gain of V's Xavier-normal draw (--init xavier-normal).") var recurrentGain: Double?
    @Option(parsing: .unconditional, help: "Gain of U's Xavier-normal draw (--init xavier-normal or orthogonal).") var inputGain: Double?
    @Option(help: "Batch loss: mean (PyTorch's default) or sum.") var lossReduction: LossReduction = .mean
    @Option(help: "Pixel order of the permuted task from a .npy file of 784 integers (a permutation of 0..<784); replaces --permutation-seed.") var permutation: String?
    @Flag(help: "Standardize pixel values with MNIST's mean 0.1307 and std 0.3081 (recorded in the model; every analysis of its images applies it).") var standardize = false
    @Option(parsing: .unconditional, help: "Hold out this fraction of the training images (seeded by --seed; recorded in the model), in [0, 1).") var validationSplit: Double = 0
    @Option(parsing: .unconditional, help: "Clip the global gradient norm to C (0: no clipping).") var clip: Double = 1
    @Option(parsing: .unconditional, help: "Seed of the initialisation and the data order.") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Seed of the permuted task's pixel order.") var permutationSeed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Train on the first N training images only.") var trainLimit: Int?
    @Option(parsing: .unconditional, help: "Evaluate on the first N test images only.") var testLimit: Int?
    @Option(parsing: .unconditional, help: "Also checkpoint every N batches.") var checkpointEvery: Int?
    @Option(parsing: .unconditional, help: "Report progress every N batches (default 20; with --resume, the stored value).") var logEvery: Int?
    @Option(help: "Arithmetic precision: f32 (as PyTorch) or f64.") var precision: Precision = .f32
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Data-parallel workers: each batch is split into N shards whose gradients are computed at once, each on one BLAS thread (OpenBLAS's thread count is process-wide), and summed in shard order. Deterministic for a given N, but N changes the rounding: a run records it and --resume keeps it unless given. 1: one shard on multi-threaded BLAS. Default: \(Train.defaultThreadsHelp).",
        valueName: "n"))
    var threads: Int?
    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Flush subnormal numbers to zero (the default for a new run; as torch.set_flush_denormal(True), and JAX on CPU). Faster where gradients decay through many steps (about 3× on the permuted task), and results change wherever a value below 1.2e-38 (f32) would have appeared. BLAS then runs on ftle's own threads. A run records it and --resume keeps it unless given."))
    var flushSubnormals: Bool?
    @Flag(help: "Keep subnormal numbers (IEEE arithmetic, ftle's behaviour before flushing became the default); the same as --no-flush-subnormals.")
    var keepSubnormals = false

    /// The subnormal mode asked for on the command line: nil when neither flag is given (a new
    /// run flushes; a resumed run keeps what its checkpoint records).
    var subnormalChoice: Bool? { keepSubnormals ? false : flushSubnormals }
    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Output folder: model.safetensors, checkpoint.safetensors, history.csv, initial.safetensors and best.safetensors (the epoch-end model with the best test accuracy so far).") var out: String
    @Flag(help: "Continue the run saved in --out exactly where its last checkpoint stopped.") var resume = false
    @Option(help: "Train on these sequences (.npy, N×T×I) instead of MNIST; needs --labels.") var inputs: String?
    @Option(help: "Integer labels of --inputs (.npy, N values).") var labels: String?
    @Option(help: "Test sequences for --inputs (.npy, N×T×I; default: a seeded 10 % of --inputs held out).") var testInputs: String?
    @Option(help: "Integer labels of --test-inputs (.npy).") var testLabels: String?
    @Option(help: "φ of a new vanilla model: tanh (default) or relu.") var nonlinearity: Nonlinearity?
    @Flag(help: "Start a new run in --out even if it already holds one (its files are replaced).") var force = false
    @Option(name: .customLong("init-from"),
            help: "Start from this model's weights (e.g. exported from PyTorch) instead of --init; it must be a --task model with H = --hidden, and its own pixel order replaces --permutation-seed.")
    var initFrom: String?
    @Option(parsing: .unconditional, help: "Gradient flossing: pull the K leading Lyapunov exponents toward zero (every --floss-every steps, one extra update θ ← θ − w·∇ Σ λ_k² on a sequence of the batch drawn by --seed; see ftle help train).")
    var floss: Int?
    @Option(parsing: .unconditional, help: "--floss: the step size w of the flossing update (default 0.01).") var flossWeight: Double?
    @Option(parsing: .unconditional, help: "--floss: one flossing update every N optimizer steps (default 1).") var flossEvery: Int?
    @Option(parsing: .unconditional, help: "--floss: the window T, the first T inputs of the sequence (default the whole sequence).") var flossSteps: Int?

    func validate() throws {
        try validateCell()
        if let n = threads, !(1...ThreadOptions.maximum).contains(n) {
            throw ValidationError("--threads must be in 1...\(ThreadOptions.maximum) (got \(n))")
        }
        if initFrom != nil && resume { throw ValidationError("--init-from and --resume exclude each other") }
        if keepSubnormals && flushSubnormals != nil {
            throw ValidationError("--keep-subnormals and --\(flushSubnormals! ? "" : "no-")flush-subnormals: give one of them")
        }
        if (inputs == nil) != (labels == nil) { throw ValidationError("--inputs and --labels go together") }
        if (testInputs == nil) != (testLabels == nil) { throw ValidationError("--test-inputs and --test-labels go together") }
        if testInputs != nil && inputs == nil { throw ValidationError("--test-inputs needs --inputs") }
        if nonlinearity != nil && resume { throw ValidationError("--resume continues the run's own model; drop --nonlinearity") }
        if nonlinearity != nil && initFrom != nil { throw ValidationError("--init-from takes φ from its model; drop --nonlinearity") }
        if inputs != nil && (initFrom != nil || permutation != nil || standardize || validationSplit != 0) {
            throw ValidationError("--inputs trains a new model on sequences; drop --init-from, --permutation, --standardize and --validation-split")
        }
        if inputs != nil && resume {
            throw ValidationError("--resume reads the sequences its checkpoint records; drop --inputs and --labels")
        }
        try validateLayers()
        try validateFloss()
        if force && resume { throw ValidationError("--force and --resume exclude each other") }
        // Upper bounds and memory, before anything is read or allocated (lower bounds are the
        // library's, found at run time as before).
        var limits = TrainingConfig()
        limits.task = task; limits.precision = precision; limits.epochs = epochs ?? 1; limits.cell = cell ?? .rnn; limits.layers = layers ?? 1
        limits.hidden = resume ? 1 : hidden; limits.batchSize = resume ? 1 : batch
        do { try limits.checkLimits() } catch let TrainingError.invalid(setting, requirement) {
            throw ValidationError("\(setting.flag) \(requirement)")
        }
        // Lower bounds too: a value out of range is a usage error (exit 2), found before anything is read.
        var given = TrainingConfig()
        given.task = task; given.hidden = resume ? 1 : hidden; given.batchSize = resume ? 1 : batch; given.epochs = epochs ?? 1
        given.learningRate = lr; given.momentum = momentum; given.clip = clip; given.trainLimit = trainLimit
        given.testLimit = testLimit; given.checkpointEvery = checkpointEvery; given.logEvery = logEvery ?? 1
        do { try given.validate() } catch let TrainingError.invalid(setting, requirement) {
            throw ValidationError("\(setting.flag) \(requirement)")
        } catch {}
        if recurrentGain != nil && `init` != .xavierNormal {
            throw ValidationError("--recurrent-gain applies to --init xavier-normal only")
        }
        if inputGain != nil && `init` == .pytorch {
            throw ValidationError("--input-gain applies to --init xavier-normal or orthogonal only")
        }
        for (name, gain) in [("--recurrent-gain", recurrentGain), ("--input-gain", inputGain)] {
            if let g = gain, !(g > 0 && g <= 1e6) { throw ValidationError("\(name) must be positive and at most 1e6 (got \(g))") }
        }
        if !(validationSplit >= 0 && validationSplit < 1) {
            throw ValidationError("--validation-split must be in [0, 1) (got \(validationSplit))")
        }
        if resume && (standardize || validationSplit != 0) {
            throw ValidationError("--resume continues with the run's stored settings; drop --standardize and --validation-split")
        }
        if permutation != nil && task != .permuted { throw ValidationError("--permutation applies to --task permuted only") }
        if resume && (recurrentGain != nil || inputGain != nil || permutation != nil) {
            throw ValidationError("--resume continues with the run's stored settings; drop the initialisation options")
        }
    }

    func run() throws {
        try reportingErrors {
            var config = TrainingConfig()
            // The data: task, pixel order, limits, preprocessing.
            config.task = task; config.permutationSeed = permutationSeed
            config.trainLimit = trainLimit; config.testLimit = testLimit
            config.standardize = standardize; config.validationSplit = validationSplit
            // The model and its initialisation.
            config.cell = cell ?? .rnn; config.hidden = hidden; config.layers = layers ?? 1; config.bias = bias
            config.initialization = `init`; config.seed = seed
            config.gains = InitializationGains(recurrent: recurrentGain ?? 1, input: inputGain ?? 1)
            // The optimisation.
            config.epochs = epochs ?? 5; config.batchSize = batch; config.lossReduction = lossReduction
            config.optimizer = optimizer; config.learningRate = lr; config.momentum = momentum; config.clip = clip
            // The run: reporting, checkpoints, arithmetic.
            config.logEvery = logEvery ?? 20; config.checkpointEvery = checkpointEvery
            config.precision = precision; config.flushSubnormals = subnormalChoice ?? true
            config.threads = threads ?? Train.defaultThreads(task: task)
            if layers ?? 1 > 1 { config.threads = 1 }
            if let permutation { config.permutation = try readPermutation(permutation) }
            config.floss = flossSettings
            if inputs != nil { try config.validate(); try trainOnSequences(config); return }
            if resume, try resumeOnSequences() { return }
            let trainSet = try dataOptions.load(.train)
            let testSet = try dataOptions.load(.test)
            installStopHandlers()
            // Loaded once in Float64 (a Float32 file widens exactly, so narrowing it back for an
            // f32 run is exact too); its initialisation goes into the run's config.
            let start: RNNModel<Double>? = try initFrom.map(loadStartingWeights)
            if let start {
                config.initialization = Initialization(rawValue: start.metadata.initialization) ?? config.initialization
                // A stacked model trains each batch in one shard.
                if start.layerCount > 1 && threads == nil { config.threads = 1 }
            }
            if try runGatedTraining(config, train: trainSet, test: testSet) { return }
            if precision == .f64 && !resume {
                try runTraining(try Trainer<Double>(config: config, train: trainSet, test: testSet, outputDirectory: out,
                                                    startingWeights: start, nonlinearity: nonlinearity ?? .tanh, replacingExistingRun: force))
            } else if !resume {
                try runTraining(try Trainer<Float>(config: config, train: trainSet, test: testSet, outputDirectory: out,
                                                   startingWeights: start?.converted(to: Float.self), nonlinearity: nonlinearity ?? .tanh,
                                                   replacingExistingRun: force))
            } else {
                // The stored precision picks the arithmetic.
                switch try RunFolder(out).readCheckpointConfig().precision {
                case .f32: try resumeRun(RNNModel<Float>.self, train: trainSet, test: testSet)
                case .f64: try resumeRun(RNNModel<Double>.self, train: trainSet, test: testSet)
                }
            }
        }
    }

    /// The data-parallel count when --threads is not given: the number of cores for every
    /// task. Measured against one shard on multi-threaded BLAS (bench/RESULTS.md), shards won
    /// clearly on the row-wise task (small products) and by a few per cent on the permuted
    /// H = 512 task; kept per task so a host where that turns can change one.
    static func defaultThreads(task: SequenceTask.Kind) -> Int {
        switch task {
        case .rowwise, .pixelwise, .permuted: return availableCores
        }
    }
    static let defaultThreadsHelp = "the number of cores (measured faster than one shard on every task)"

    func runTraining(_ trainer: any TrainingRun) throws {
        // Data-parallel workers each run BLAS on one thread; one worker keeps OpenBLAS's own
        // threads unless the run flushes subnormals (OpenBLAS's threads are not in ftle's mode).
        if trainer.config.threads > 1 || trainer.config.flushSubnormals { useSingleThreadedBLAS() }
        trainer.flossingObjective = Network.flossingForTraining
        let interactive = isatty(STDOUT_FILENO) == 1
        let c = trainer.config
        if let repair = trainer.historyRepair { print("repaired \(trainer.folder.historyPath): \(repair)") }
        let data = c.sequenceData.map { "sequences of \($0.inputs)" } ?? c.task.rawValue
        let cell = trainer.cellLabel == CellRegistry.elman.name ? "" : " " + trainer.cellLabel   // tanh: the default, unnamed
        print("training \(data)\(cell) H=\(c.hidden)\(c.layers > 1 ? " L=\(c.layers)" : "") batch=\(c.batchSize) lr=\(c.learningRate) \(c.optimizer.rawValue) init=\(c.initialization.rawValue) "
              + "gains=\(c.gains.recurrent)/\(c.gains.input) bias=\(c.bias.rawValue) loss=\(c.lossReduction.rawValue) "
              + "clip=\(c.clip) seed=\(c.seed) \(c.precision.rawValue) threads=\(c.threads)\(c.flushSubnormals ? " flush-subnormals" : "")"
              + (c.floss.map { " floss K=\($0.k) w=\($0.weight) every=\($0.every) T=\($0.steps.map(String.init) ?? "all")" } ?? "") + ": \(trainer.trainCount) \(c.sequenceData == nil ? "images" : "sequences"), \(trainer.batchesPerEpoch) batches/epoch, "
              + "starting at epoch \(trainer.position.epoch + 1) batch \(trainer.position.batch + 1)")
        // A log file (nohup, a sweep's DIR/logs) shows the banner at once, not with the first
        // progress line, which on the permuted task can be minutes away.
        try StandardOutput.flush()
        let outcome = try trainer.run(shouldStop: { stopRequested.load(ordering: .relaxed) }) { event in
            switch event {
            case let .progress(p):
                let line = String(format: "epoch %d/%d batch %d/%d step %d loss %.4f acc %.1f%% %.0f samples/s ETA %@",
                                  p.epoch + 1, p.epochs, p.batch, p.batchesPerEpoch, p.step, p.loss, 100 * p.accuracy,
                                  p.samplesPerSecond, NumberFormat.duration(p.etaSeconds))
                    + (p.lambdas.isEmpty ? "" : " λ " + p.lambdas.map { String(format: "%.3f", $0) }.joined(separator: " "))
                if interactive {
                    let width = 24, filled = Int(Double(width) * Double(p.batch) / Double(max(p.batchesPerEpoch, 1)))
                    let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                    print("\r\(bar) \(line)\u{1b}[K", terminator: "")
                    fflush(nil)
                } else {
                    print(line)
                }
            case let .epochEnd(e, loss, acc):
                if interactive { print("") }
                print(String(format: "epoch %d done: test loss %.4f, test accuracy %.2f%%", e + 1, loss, 100 * acc))
            case let .checkpoint(path, step):
                if !interactive { print("checkpoint step \(step): \(path)") }
            case let .bestModel(path, e, acc):
                print(String(format: "best so far: %@ (epoch %d, test accuracy %.2f%%)", path, e + 1, 100 * acc))
            }
            fflush(nil)
        }
        if interactive { print("") }
        switch outcome {
        case .finished: print("done: \(trainer.outputDirectory)/\(RunFiles.model)")
        case let .interrupted(step):
            print("stopped at step \(step); checkpoint saved. Continue with: ftle train --out \(trainer.outputDirectory) --resume")
            throw ExitCode(130)
        }
    }
}

extension BiasMode: ExpressibleByArgument {}
extension CellKind: ExpressibleByArgument {
    /// The built-in cells only (a foreign cell trains from a program that registers it).
    public init?(argument: String) {
        guard let kind = CellKind.builtIn.first(where: { $0.rawValue == argument }) else { return nil }
        self = kind
    }
    public static var allValueStrings: [String] { builtIn.map(\.rawValue) }
    public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}
extension Precision: ExpressibleByArgument {}
extension SequenceTask.Kind: ExpressibleByArgument {}
extension LossReduction: ExpressibleByArgument {}

/// A permutation of the 784 pixels from a .npy file of integers (any integer-valued dtype ftle
/// reads), checked to be a bijection of 0..<784.
func readPermutation(_ path: String) throws -> [Int] {
    let array = try NPYArray(contentsOf: path)
    guard array.values.count == MNISTDataset.pixels else {
        throw FileFormatError(path: path, "a permutation has \(MNISTDataset.pixels) entries, found \(array.values.count) (shape \(array.shape))")
    }
    guard array.values.allSatisfy({ $0 == $0.rounded() && $0 >= 0 && $0 < Double(MNISTDataset.pixels) }) else {
        throw FileFormatError(path: path, "a permutation holds integers in 0..<\(MNISTDataset.pixels)")
    }
    let p = array.values.map { Int($0) }
    guard SequenceTask.isValidPermutation(p) else { throw FileFormatError(path: path, "not a permutation of 0..<784 (an index repeats)") }
    return p
}
