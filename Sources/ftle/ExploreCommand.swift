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
        With --follow DIR it follows a run that `ftle train --out DIR` is writing: the Training pane \
        reads DIR/history.csv as it grows and the other panes reload DIR/model.safetensors when it changes.
        """)

    @Option(help: "Model file (.safetensors). Default: the followed run's model, else a bundled sample.")
    var model: String?
    @Option(parsing: .unconditional, help: "Index of the MNIST image to open (0-based).") var image: Int = 0
    @Option(help: "Which MNIST split --image indexes: test or train.") var split: Split = .test
    @Option(help: "Colour theme: a name (Themes/NAME.theme, or $FTLE_THEMES/NAME.theme): dark, light, colorblind, mono, ...; or the path of a .theme file.") var theme: String?
    @Option(help: "Follow the training run writing into this folder.") var follow: String?
    @Option(help: "Colours: auto, truecolor, 256, 8 or mono.") var color: String = "auto"
    @Option(help: "Number of tangent directions K (default min(H, 32)).") var k: Int?
    @Option(help: "Folder that background training (key t) writes into (default runs/explore-<time>).") var out: String?
    @Option(name: .customLong("reload-every"),
            help: "While background training runs, load its weights into the other panes every N batches (default: only on R).")
    var reloadEvery: Int?
    @Option(help: jacobianHelp) var jacobian: JacobianConvention = .forward
    @OptionGroup var dataOptions: DataOptions
    @Flag(help: .hidden) var benchmark = false

    func validate() throws {
        if image < 0 { throw ValidationError("--image must be ≥ 0 (got \(image))") }
        if let k, k < 1 { throw ValidationError("--k must be at least 1 (got \(k))") }
        if let reloadEvery, reloadEvery < 1 { throw ValidationError("--reload-every must be at least 1 (got \(reloadEvery))") }
    }

    func run() throws {
        var options = ExplorerOptions(modelPath: model, imageIndex: image, split: split, themeName: theme,
                                      followDirectory: follow, colorName: color, dataDirectory: dataOptions.directory,
                                      bundleRoot: Bundled.root() ?? FileManager.default.currentDirectoryPath,
                                      trainingDirectory: out, directions: k, reloadEveryBatches: reloadEvery)
        options.jacobian = jacobian
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
        if status != 0 { throw ExitCode(status) }
    }
}
