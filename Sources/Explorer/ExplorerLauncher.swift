import Linalg
import Foundation
import MNIST
import RNN
import TerminalUI

/// A failure before the terminal opens; `description` is the one line printed.
public struct ExplorerSetupError: Error, CustomStringConvertible, Equatable {
    public var description: String
    /// A bad option value (unknown colour mode or theme): exit status 2, as every usage error.
    public var isUsageError: Bool
    public init(_ description: String, isUsageError: Bool = false) {
        self.description = description
        self.isUsageError = isUsageError
    }
}

/// Everything `ftle explore` does: resolve the options (model, data, theme, colours), open
/// the terminal, run the app, and restore the terminal on every path — normal quit,
/// thrown error, or SIGINT/SIGTERM/SIGHUP (exit status 128 + signal).
public enum ExplorerLauncher {
    /// The model file to open: the given one, else the followed run's model (never a bundled
    /// one in its place), else the first bundled default that exists.
    public static func resolveModelPath(_ options: ExplorerOptions) throws -> String {
        if let path = options.modelPath { return path }
        if let followed = options.followDirectory {
            // Only the followed run's own weights: a bundled model beside its history would
            // show another network's numbers (`run` waits for the first weights instead).
            let path = followed + "/" + RunFiles.model
            if FileManager.default.fileExists(atPath: path) { return path }
            throw ExplorerSetupError("--follow \(followed): the run has no weights yet (\(path)); waiting for the run's first weights needs a terminal")
        }
        let candidates = ExplorerOptions.defaultModels.map { options.bundleRoot + "/" + $0 }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw ExplorerSetupError("no model to open: \(candidates.joined(separator: " and ")) are missing (give --model FILE)")
    }

    /// Why the explorer cannot show `model` on its input (nil when it can): MNIST images need a
    /// model of an MNIST task; sequences need the model to take their I inputs per step and
    /// to have a class for each of their labels. Any cell and any number of layers.
    static func unsupported(_ model: Network, sequences: SequenceSource? = nil) -> String? {
        guard let sequences else {
            return model.imageTask == nil ? "the model has no MNIST task (open it with --input X.npy or --inputs X.npy --labels Y.npy)" : nil
        }
        if model.inputSize != sequences.inputSize {
            return "the model takes \(model.inputSize) inputs per step but \(sequences.fileName) has \(sequences.inputSize)"
        }
        if let top = sequences.labels?.max(), top >= model.classes {
            return "the model has \(model.classes) classes but \(sequences.fileName) has label \(top)"
        }
        return nil
    }

    /// The sequences of `--input` or `--inputs`/`--labels` for `model` (nil for MNIST images),
    /// checked against it; `--image` on a model without an MNIST task is refused here.
    static func loadSequences(_ options: ExplorerOptions, model: Network, path modelPath: String) throws -> SequenceSource? {
        let classes = model.classes
        do {
            if let path = options.inputPath {
                return try SequenceSource.loadSingle(path: path, label: options.label, inputSize: model.inputSize, classes: classes)
            }
            if let inputs = options.inputsPath, let labels = options.labelsPath {
                let set = try SequenceSource.loadSet(inputs: inputs, labels: labels, inputSize: model.inputSize, classes: classes)
                if let n = options.sequenceIndex, n >= set.count {
                    throw ExplorerSetupError("--index \(n) is out of range: \(inputs) holds \(set.count) sequence\(set.count == 1 ? "" : "s") (0...\(set.count - 1))")
                }
                return set
            }
        } catch let error as ExplorerSetupError {
            throw error
        } catch {
            throw ExplorerSetupError(String(describing: error))
        }
        guard model.imageTask != nil else {
            throw ExplorerSetupError(options.imageWasGiven
                ? "--image needs a model of an MNIST task (rowwise, pixelwise or permuted); this model has none: give --input X.npy or --inputs X.npy --labels Y.npy"
                : "\(modelPath): the model has no MNIST task: give a sequence with --input X.npy or a set with --inputs X.npy --labels Y.npy")
        }
        return nil
    }

    /// Loads everything the explorer needs before the terminal opens.
    public static func prepare(_ options: ExplorerOptions, environment: [String: String],
                               currentDirectory: String, executableURL: URL?) throws
        -> (state: ExplorerState, model: Network, configuration: ExplorerApp.Configuration, colorMode: ColorMode?) {
        var colorMode: ColorMode?
        if options.colorName.lowercased() != "auto" {
            guard let mode = ColorMode(name: options.colorName) else {
                throw ExplorerSetupError("unknown colour mode \"\(options.colorName)\"; use auto, truecolor, 256, 8 or mono",
                                         isUsageError: true)
            }
            colorMode = mode
        }
        if let followed = options.followDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: followed, isDirectory: &isDirectory) else {
                throw ExplorerSetupError("--follow \(followed): no such folder")
            }
            guard isDirectory.boolValue else { throw ExplorerSetupError("--follow \(followed): is a file, not a folder (give the run's folder)") }
        }
        let themeDirectory = Theme.locateDirectory(environment: environment,
                                                   currentDirectory: URL(fileURLWithPath: currentDirectory),
                                                   executableURL: executableURL)
            ?? URL(fileURLWithPath: options.bundleRoot + "/Themes")
        let themeResult: ThemeLoadResult
        do {
            themeResult = try Theme.load(name: options.themeName ?? Theme.default.name, directory: themeDirectory)
        } catch {
            // An unknown name is a usage error; an oversized file is a bad file (exit 1).
            if case .fileTooLarge = error as? ThemeError { throw ExplorerSetupError(String(describing: error)) }
            throw ExplorerSetupError(String(describing: error), isUsageError: true)
        }
        let modelPath = try resolveModelPath(options)
        let model: Network
        do { model = try Network.load(from: modelPath) } catch {
            throw ExplorerSetupError(String(describing: error))
        }
        let sequences = try loadSequences(options, model: model, path: modelPath)
        let n = model.stateSize
        if let k = options.directions, k < 1 || k > n {
            let size = model.layerSizes.count > 1 ? "N, the \(model.layerSizes.count) layers' stacked state"
                : model.cellEntry.stateMultiple == 2 ? "N = 2H, the LSTM's [h; c]" : "H"
            throw ExplorerSetupError("--k \(k) must be in 1...\(n) (\(size))")
        }
        let directions = options.directions ?? min(n, ExplorerOptions.defaultDirections)
        var state: ExplorerState
        if let sequences {
            state = ExplorerState(model: ModelSummary(network: model, path: modelPath), sequences: sequences,
                                  index: options.sequenceIndex ?? 0, directions: directions,
                                  context: RenderContext(theme: themeResult.theme),
                                  themeNames: Theme.availableThemes(in: themeDirectory))
        } else {
            state = try mnistState(options, model: model, modelPath: modelPath, directions: directions,
                                   theme: themeResult.theme, themeDirectory: themeDirectory)
        }
        state.jacobian = options.jacobian
        if !themeResult.warnings.isEmpty {
            _ = state.handle(.status(themeResult.warnings.joined(separator: "; "), isWarning: true))
        }
        let configuration = ExplorerApp.Configuration(
            modelPath: modelPath, dataDirectory: options.dataDirectory,
            trainingDirectory: options.trainingDirectory ?? currentDirectory + "/runs/explore-" + ScreenExporter.fileTimestamp(Date()),
            exportDirectory: currentDirectory, themeDirectory: themeDirectory, followDirectory: options.followDirectory,
            reloadEveryBatches: options.reloadEveryBatches, existingRun: options.existingRun)
        return (state, model, configuration, colorMode)
    }

    /// Added to a missing-data error when `--data` was not given.
    public static let dataHint = " (no bundled Samples/mnist here or beside the binary: give the MNIST folder with --data DIR)"

    /// The state on MNIST image `options.imageIndex` of `options.split`.
    private static func mnistState(_ options: ExplorerOptions, model: Network, modelPath: String, directions: Int,
                                   theme: Theme, themeDirectory: URL) throws -> ExplorerState {
        let dataset: MNISTDataset
        do { dataset = try MNISTDataset.load(directory: options.dataDirectory, split: options.split) } catch {
            guard !options.dataWasGiven else { throw ExplorerSetupError(String(describing: error)) }
            throw ExplorerSetupError(String(describing: error) + Self.dataHint)
        }
        guard options.imageIndex >= 0, options.imageIndex < dataset.count else {
            throw ExplorerSetupError("--image \(options.imageIndex) is out of range: the \(options.split.rawValue) split has \(dataset.count) images (0...\(dataset.count - 1))")
        }
        return ExplorerState(model: ModelSummary(network: model, path: modelPath), dataset: dataset,
                             imageIndex: options.imageIndex, directions: directions, context: RenderContext(theme: theme),
                             themeNames: Theme.availableThemes(in: themeDirectory))
    }

    /// The model file of `--follow DIR` to wait for (nil when there is nothing to wait for):
    /// no `--model` was given and the run has not written its first weights yet. The explorer
    /// then waits for them rather than opening a bundled model beside the run's history.
    public static func firstWeightsToWaitFor(_ options: ExplorerOptions) -> String? {
        guard options.modelPath == nil, let followed = options.followDirectory else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: followed, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        let path = followed + "/" + RunFiles.model
        return FileManager.default.fileExists(atPath: path) ? nil : path
    }

    /// Refuses what cannot work before touching the terminal. (An unset or unknown TERM is
    /// reported by NCursesTerminal, with its own message.)
    static func refuseUnusableTerminal(_ environment: [String: String]) throws {
        if environment["TERM"] == "dumb" {
            throw ExplorerSetupError("TERM=dumb cannot draw the explorer (no cursor addressing); set TERM to your terminal, e.g. xterm-256color")
        }
        if terminalDescriptionExists(environment), isatty(STDIN_FILENO) != 1 || isatty(STDOUT_FILENO) != 1 {
            throw ExplorerSetupError("explore needs a terminal: standard input and output must be a tty (in scripts use spectrum, align or perturb)")
        }
    }

    /// The running binary as the kernel knows it (/proc/self/exe on Linux; argv[0] may be a
    /// bare name found on PATH), for the theme folder beside it.
    static func runningExecutable() -> URL? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return Bundle.main.executableURL
    }

    /// One line on the terminal before the explorer opens.
    private static func printNotice(_ text: String) {
        FileHandle.standardError.write(Data(("ftle: " + text + "\n").utf8))
    }

    /// Runs the explorer in the real terminal; returns the exit status (0 on quit, 128 + N
    /// after signal N). A failure before the terminal opens is thrown as ``ExplorerSetupError``
    /// for the command line to print as one line.
    public static func run(_ options: ExplorerOptions) throws -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        if let path = firstWeightsToWaitFor(options) {
            // Never another model in the followed run's place: wait for the run's own.
            try refuseUnusableTerminal(environment)
            printNotice("waiting for the run's first weights: \(path) (Ctrl-C stops)")
            while !FileManager.default.fileExists(atPath: path) { usleep(250_000) }
        }
        let prepared = try prepare(options, environment: environment,
                                   currentDirectory: FileManager.default.currentDirectoryPath,
                                   executableURL: runningExecutable())
        try refuseUnusableTerminal(environment)
        SignalMonitor.install()
        let terminal: NCursesTerminal
        do {
            terminal = try NCursesTerminal(environment: environment, colorMode: prepared.colorMode)
        } catch {
            throw ExplorerSetupError(String(describing: error))
        }
        defer { terminal.restore() }
        var state = prepared.state
        state.context = RenderContext(theme: state.context.theme, glyphs: terminal.glyphs, colorMode: terminal.outputColorMode)
        if let note = terminal.colorModeNote { _ = state.handle(.status(note, isWarning: true)) }
        let app = ExplorerApp(terminal: terminal, state: state, model: prepared.model, configuration: prepared.configuration)
        let outcome = app.run()
        terminal.restore()
        switch outcome {
        case .quit: return 0
        case let .signal(number): return 128 + number
        }
    }
}

/// Whether TERM names a terminfo entry, searched where ncurses looks ($TERMINFO, ~/.terminfo,
/// /etc/terminfo, /lib/terminfo, /usr/share/terminfo; letter or hex folders).
func terminalDescriptionExists(_ environment: [String: String]) -> Bool {
    guard let term = environment["TERM"], let first = term.first else { return false }
    var roots = ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo"]
    if let home = environment["HOME"] { roots.insert(home + "/.terminfo", at: 0) }
    if let dir = environment["TERMINFO"] { roots.insert(dir, at: 0) }
    let hex = String(format: "%02x", first.asciiValue ?? 0)
    return roots.contains { root in
        FileManager.default.fileExists(atPath: "\(root)/\(first)/\(term)") || FileManager.default.fileExists(atPath: "\(root)/\(hex)/\(term)")
    }
}
