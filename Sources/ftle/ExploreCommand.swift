import ArgumentParser
import Explorer
import Foundation
import Lyapunov
import MNIST

/// `ftle explore` — the interactive terminal explorer, and the default command.
struct Explore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Step through one input sequence and watch its Lyapunov structure (the default command).",
        discussion: """
        Opens a full-screen terminal explorer on a model and an MNIST image: the FTLE spectrum λ_k(t) \
        (natural log), the alignment of the Lyapunov vectors with the singular vectors of the prefix \
        gradient ΔV_t, the digit with its R-ranked pixel flips, the logits, the R trace ln r_t^1 and \
        training. Press ? inside for the keys. With no --model it opens the bundled \
        Samples/models/permuted-h512.safetensors (else rowwise-h128) on test image 0. \
        Any model opens on a sequence: --input X.npy (T×I) or --inputs X.npy --labels Y.npy (N×T×I; \
        n/p move between sequences); an Input pane then replaces the Digit pane. \
        With --follow DIR it follows a run that `ftle train --out DIR` is writing: the Training pane \
        reads DIR/history.csv as it grows and the other panes reload DIR/model.safetensors when it changes.
        """)

    @Option(help: "Model file (.safetensors). Default: the followed run's model, else a bundled sample.")
    var model: String?
    @Option(parsing: .unconditional, help: "Index of the MNIST image to open (0-based; default 0).") var image: Int?
    @Option(help: "Which MNIST split --image indexes: test or train.") var split: Split = .test
    @Option(help: "A T×I sequence (.npy, '<f4'/'<f8'/'<i8'; T values when I = 1) to open instead of an MNIST image.")
    var input: String?
    @Option(parsing: .unconditional, help: "Class label of --input (for the loss; default: the predicted class).") var label: Int?
    @Option(help: "N×T×I sequences (.npy) to open; n/p move between them (needs --labels).") var inputs: String?
    @Option(help: "N integer labels (.npy) for --inputs.") var labels: String?
    @Option(parsing: .unconditional, help: "Index of the --inputs sequence to open first (0-based; default 0).") var index: Int?
    @Option(help: "Colour theme: a name (Themes/NAME.theme, or $FTLE_THEMES/NAME.theme): dark, light, colorblind, mono, ...; or the path of a .theme file.") var theme: String?
    @Option(help: "Follow the training run writing into this folder.") var follow: String?
    @Option(help: "Colours: auto, truecolor, 256, 8 or mono.") var color: String = "auto"
    @Option(parsing: .unconditional, help: "Number of tangent directions K (default min(N, 32); N = ΣH of the stacked state, 2H per LSTM layer).") var k: Int?
    @Option(help: "Folder that background training (key t) writes into (default runs/explore-<time>).") var out: String?
    @Flag(help: "With t: continue the checkpoint already in --out (a run this explorer did not start).") var resume = false
    @Flag(help: "With t: replace a run already in --out (refused otherwise, as ftle train refuses it).") var force = false
    @Option(name: .customLong("reload-every"),
            help: "While background training runs, load its weights into the other panes every N batches (default: only on R).")
    var reloadEvery: Int?
    @Option(help: jacobianHelp) var jacobian: JacobianConvention = .forward
    @OptionGroup var dataOptions: DataOptions
    @Flag(help: .hidden) var benchmark = false

    func validate() throws {
        if let image, image < 0 { throw ValidationError("--image must be ≥ 0 (got \(image))") }
        if input != nil && inputs != nil { throw ValidationError("give either --input or --inputs, not both") }
        if image != nil && (input != nil || inputs != nil) {
            throw ValidationError("give either --image or --input/--inputs, not both")
        }
        if (inputs == nil) != (labels == nil) { throw ValidationError("--inputs and --labels go together") }
        if label != nil && input == nil { throw ValidationError("--label goes with --input X.npy (--inputs takes --labels)") }
        if let label, label < 0 { throw ValidationError("--label must be ≥ 0 (got \(label))") }
        if index != nil && inputs == nil { throw ValidationError("--index picks a sequence of --inputs X.npy") }
        if let index, index < 0 { throw ValidationError("--index must be ≥ 0 (got \(index))") }
        if let k, k < 1 { throw ValidationError("--k must be at least 1 (got \(k))") }
        if resume && force { throw ValidationError("--force and --resume exclude each other") }
        if (resume || force) && out == nil { throw ValidationError("--\(resume ? "resume" : "force") applies to the training folder --out DIR") }
        if let reloadEvery, reloadEvery < 1 { throw ValidationError("--reload-every must be at least 1 (got \(reloadEvery))") }
    }

    func run() throws {
        var options = ExplorerOptions(modelPath: model, imageIndex: image ?? 0, split: split, themeName: theme,
                                      followDirectory: follow, colorName: color, dataDirectory: dataOptions.directory,
                                      bundleRoot: Bundled.root() ?? FileManager.default.currentDirectoryPath,
                                      trainingDirectory: out, directions: k, reloadEveryBatches: reloadEvery)
        options.jacobian = jacobian
        options.existingRun = resume ? .resume : force ? .replace : .refuse
        options.imageWasGiven = image != nil
        options.dataWasGiven = dataOptions.data != nil
        (options.inputPath, options.label) = (input, label)
        (options.inputsPath, options.labelsPath, options.sequenceIndex) = (inputs, labels, index)
        let status: Int32
        do {
            if benchmark {
                try ExplorerBenchmark.run(options)
                status = 0
            } else {
                status = try ExplorerLauncher.run(options)
            }
        } catch let error as ExplorerSetupError {
            printError(error.description)
            throw ExitCode(error.isUsageError ? 2 : 1)
        }
        // The terminal is restored and background training has stopped (it checkpoints first);
        // an analysis still computing on the engine thread has nothing to save. Ending here with
        // _exit skips the C library's exit handlers, among them OpenBLAS's shutdown, which
        // waits for its threads and could hang on one busy in that analysis (q must always quit).
        if !benchmark {
            if fflush(nil) != 0 { _exit(1) }
            _exit(status)
        }
        if status != 0 { throw ExitCode(status) }
    }
}
