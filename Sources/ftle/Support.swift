import Analysis
import ArgumentParser
import Foundation
import Linalg
import MNIST
import RNN

/// Prints `ftle: <message>` on stderr. A stderr that cannot be written (closed, a full disk,
/// a pipe without a reader while SIGPIPE is ignored) loses the line but never traps:
/// `FileHandle.write` would (it is a `try!` underneath); the exit status still tells. Plain
/// write(2), since the C `stderr` stream is shared mutable state to Swift 6.
func printError(_ message: String) {
    let bytes = Array("ftle: \(message)\n".utf8)
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { return }
        }
    }
}

/// Runs a command body, turning every known failure into one line on stderr and exit code 1
/// (2 for bad usage, as ArgumentParser does).
func reportingErrors(_ body: () throws -> Void) throws {
    do { try body() } catch let e as ExitCode { throw e } catch let e as ValidationError {
        throw e
    } catch let TrainingError.invalid(setting, requirement) {
        // The library names the setting; the command line names its flag.
        printError("\(setting.flag) \(requirement)")
        throw ExitCode(1)
    } catch {
        printError(String(describing: error))
        throw ExitCode(1)
    }
}

extension TrainingConfig.Setting {
    /// The `ftle train` flag that sets this.
    var flag: String {
        switch self {
        case .hidden: return "--hidden"
        case .epochs: return "--epochs"
        case .batchSize: return "--batch"
        case .learningRate: return "--lr"
        case .clip: return "--clip"
        case .momentum: return "--momentum"
        case .trainLimit: return "--train-limit"
        case .testLimit: return "--test-limit"
        case .checkpointEvery: return "--checkpoint-every"
        case .logEvery: return "--log-every"
        case .recurrentGain: return "--recurrent-gain"
        case .inputGain: return "--input-gain"
        case .validationSplit: return "--validation-split"
        case .permutation: return "--permutation"
        case .threads: return "--threads"
        case .layers: return "--layers"
        case .flossK: return "--floss"
        case .flossWeight: return "--floss-weight"
        case .flossEvery: return "--floss-every"
        case .flossSteps: return "--floss-steps"
        }
    }
}

/// A usage error raised after parsing (bad combination or value): one line, exit code 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Where the bundled samples live: `$FTLE_HOME`, the current folder, or an ancestor of the
/// executable (so `.build/release/ftle` finds the repository's Samples/ from anywhere).
enum Bundled {
    /// The folder holding `Samples/mnist`, first match wins: `$FTLE_HOME`; the current folder;
    /// then, from the binary's own folder up, each folder and its `share/ftle` (an installed
    /// `<prefix>/bin/ftle` finds `<prefix>/share/ftle`, `.build/release/ftle` its checkout).
    /// The binary is the one the kernel runs (/proc/self/exe): argv[0] is a bare name when
    /// ftle is found on PATH.
    static func root() -> String? {
        var candidates: [String] = []
        if let home = ProcessInfo.processInfo.environment["FTLE_HOME"] { candidates.append(home) }
        candidates.append(FileManager.default.currentDirectoryPath)
        candidates += besideExecutable(executableURL())
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/Samples/mnist") }
    }

    /// The running binary: /proc/self/exe on Linux, else Foundation's answer, else argv[0].
    static func executableURL() -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }

    /// Each folder above the executable (its own first) and that folder's `share/ftle`.
    static func besideExecutable(_ executable: URL) -> [String] {
        var folder = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        var candidates: [String] = []
        while folder.pathComponents.count > 1 {
            candidates += [folder.path, folder.appendingPathComponent("share/ftle").path]
            folder = folder.deletingLastPathComponent()
        }
        return candidates
    }

    static var mnist: String { (root() ?? ".") + "/Samples/mnist" }
    static func model(_ name: String) -> String { (root() ?? ".") + "/Samples/models/" + name }
    static var themes: String { (root() ?? ".") + "/Themes" }
}

/// Options shared by every command that reads MNIST.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Folder with the four MNIST IDX files, gzip or raw (default: the bundled Samples/mnist).")
    var data: String?

    var directory: String { data ?? Bundled.mnist }

    func load(_ split: Split) throws -> MNISTDataset { try MNISTDataset.load(directory: directory, split: split) }
}

extension Split: ExpressibleByArgument {}
extension Initialization: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}

/// The output format of commands that print either a text summary or JSON.
enum TextOrJSON: String, ExpressibleByArgument, CaseIterable { case text, json }

/// Writes `text` to `path` atomically, or to stdout when `path` is nil or "-".
/// Refuses an `--out` that is one of the command's input files (the same file, through any
/// path or link): the result would replace the input. Checked before anything is computed.
func refuseOutputOverInputs(_ out: String?, _ inputs: [(flag: String, path: String?)]) throws {
    guard let out, out != "-" else { return }
    var o = stat()
    guard stat(out, &o) == 0, (o.st_mode & S_IFMT) == S_IFREG else { return }
    for (flag, path) in inputs {
        var i = stat()
        guard let path, stat(path, &i) == 0 else { continue }
        if i.st_dev == o.st_dev && i.st_ino == o.st_ino {
            throw OutputFileError(path: out, reason: "it is the \(flag) file; the result would replace it (write it elsewhere)")
        }
    }
}

func emit(_ text: String, to path: String?) throws {
    if let p = path, p != "-" {
        PendingTemporaryFiles.removeOnTerminatingSignals()
        try writeFileAtomically(p, text: text)
    } else {
        try writeStandardOutput(text)
    }
}

/// One sequence to analyse: an MNIST image of the model's task, or any T×I array from .npy.
struct SequenceInput {
    /// T×I step-major, in Float64: an array's values exactly as the file holds them ('<f8'
    /// keeps its precision), an image's Float pixel values widened.
    var sequence: [Double]
    var steps: Int
    var label: Int?
    var description: String
    var imageIndex: Int?
}

/// What choosing a model's input sequence needs of it (a vanilla model or any network).
protocol SequenceModel {
    var inputSize: Int { get }
    var classes: Int { get }
    var imageTask: SequenceTask? { get }
    func sequence(ofImage image: [Float]) -> [Float]
}

extension RNNModel: SequenceModel {}
extension Network: SequenceModel {}

struct SequenceOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Index of an MNIST image to feed (0-based).")
    var image: Int?
    @Option(help: "Which MNIST split --image indexes: test or train.")
    var split: Split = .test
    @Option(help: "A T×I float array (.npy, '<f4'/'<f8', C order) to feed instead of an image.")
    var input: String?
    @Option(parsing: .unconditional, help: "Class label for --input (for the loss).")
    var label: Int?

    func validate() throws {
        if image != nil && input != nil { throw ValidationError("give either --image or --input, not both") }
        if let i = image, i < 0 { throw ValidationError("--image must be ≥ 0 (got \(i))") }
        if let l = label, l < 0 { throw ValidationError("--label must be ≥ 0 (got \(l))") }
        if label != nil && input == nil {
            throw ValidationError("--label goes with --input X.npy (an MNIST image has its own label)")
        }
    }

    /// The sequence for `model` (image 0 of the test split when nothing is given and the model
    /// has an MNIST task).
    func resolve<M: SequenceModel>(for model: M, data: DataOptions) throws -> SequenceInput {
        if let l = label, l >= model.classes {
            throw UsageError("--label must be 0...\(model.classes - 1) (got \(l)): the model has \(model.classes) classes")
        }
        if let path = input {
            let (values, steps) = try readSequence(path, inputSize: model.inputSize)
            return SequenceInput(sequence: values, steps: steps, label: label, description: path, imageIndex: nil)
        }
        guard model.imageTask != nil else {
            throw UsageError(image == nil ? "the model has no MNIST task: give a sequence with --input X.npy"
                                          : "--image needs a model of an MNIST task (rowwise, pixelwise or permuted); this model has none: give --input X.npy")
        }
        let index = image ?? 0
        let ds = try data.load(split)
        guard index < ds.count else {
            throw UsageError("--image \(index) is out of range: the \(split.rawValue) split has \(ds.count) images (0...\(ds.count - 1))")
        }
        return SequenceInput(sequence: model.sequence(ofImage: ds.image(index)).map(Double.init), steps: model.imageTask!.steps,
                             label: ds.label(index), description: "\(split.rawValue) image \(index)", imageIndex: index)
    }
}


/// `--nonlinearity`, for model files that do not say theirs.
struct NonlinearityOption: ParsableArguments {
    @Option(help: "φ of a model file that does not record it (metadata key nonlinearity): tanh or relu (default tanh).")
    var nonlinearity: Nonlinearity?
}

extension Nonlinearity: ExpressibleByArgument {}

/// Loads a model file, Float32 or Float64 on disk, as T (`nonlinearity` for a file that does
/// not record its own).
func loadModel<T: LinalgScalar>(_ path: String, as: T.Type = T.self, nonlinearity: Nonlinearity? = nil) throws -> RNNModel<T> {
    try RNNModel<T>.load(from: path, nonlinearity: nonlinearity)
}

/// Loads a model file of any cell (vanilla, GRU, LSTM) in Float64 for analysis.
/// The recurrent block `rnn.weight_hh_l{layer}` (default the top layer) of `network`, or one
/// gate's rows of it: `--layer` and `--gate` of `gradient` and `align`, with their messages.
func weightBlock(of network: Network, layer: Int?, gate: String?) throws -> WeightBlock {
    let top = network.layers.count - 1, k = layer ?? top
    guard (0...top).contains(k) else {
        throw UsageError("--layer \(k) is not a layer of this model (it has \(top == 0 ? "layer 0 only" : "layers 0…\(top)"))")
    }
    guard let gate else { return WeightBlock(layer: k) }
    let cell = network.layers[k]
    guard !cell.gateNames.isEmpty else {
        throw UsageError("--gate \(quotedForMessage(gate)) names a GRU or LSTM gate block; layer \(k) is a vanilla RNN layer")
    }
    guard let g = cell.gateNames.firstIndex(of: gate) else {
        throw UsageError("--gate \(quotedForMessage(gate)) is not a gate of layer \(k) (\(cell.gateNames.joined(separator: ", ")))")
    }
    return WeightBlock(layer: k, gate: g)
}

func loadNetwork(_ path: String, nonlinearity: Nonlinearity? = nil) throws -> Network {
    try Network.load(from: path, nonlinearity: nonlinearity)
}

/// Loads a vanilla model of an MNIST task (any depth and φ; `report`): one line naming what is
/// missing otherwise.
func loadMNISTModel<T: LinalgScalar>(_ path: String, for purpose: String, as: T.Type = T.self) throws -> RNNModel<T> {
    let m: RNNModel<T> = try loadModel(path)
    guard m.imageTask != nil else { throw FileFormatError(path: path, "\(purpose) needs a model of an MNIST task; this model has none") }
    return m
}

/// The class names of a model: metadata key `classes` (comma-separated, one per class), else
/// the indices 0…C−1.
func classNames<T>(of model: RNNModel<T>) -> [String] { classNames(metadata: model.metadata, classes: model.classes) }

func classNames(metadata: ModelMetadata, classes: Int) -> [String] {
    if let text = metadata.extra["classes"] {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if names.count == classes { return names }
    }
    return (0..<classes).map(String.init)
}

/// JSON text for a value (sorted keys, non-finite numbers as null).
func jsonText(_ object: Any) -> String { JSONText.encode(object) }
