import Lyapunov
import MNIST

/// What `ftle explore` was asked for (parsed by the command, resolved by ``ExplorerLauncher``).
public struct ExplorerOptions: Sendable {
    /// A model file; nil picks `--follow`'s model or a bundled sample.
    public var modelPath: String?
    public var imageIndex: Int
    public var split: Split
    /// Nil uses `dark`.
    public var themeName: String?
    public var followDirectory: String?
    /// `auto`, `truecolor`, `256`, `8` or `mono`.
    public var colorName: String
    public var dataDirectory: String
    /// The folder holding `Samples/` (for the default models).
    public var bundleRoot: String
    /// Where `t` trains (default `runs/explore-<timestamp>`).
    public var trainingDirectory: String?
    /// What `t` does with a run already in the training folder (`--resume`, `--force`; default: refuse it).
    public var existingRun: TrainingPlan.ExistingRun = .refuse
    /// K, the tangent directions (default min(N, 32), N the state size).
    public var directions: Int?
    /// Load background training's weights into the other panes every this many batches
    /// (nil: only on `R`).
    public var reloadEveryBatches: Int?
    /// The frame propagation the explorer starts with (`J` toggles it).
    public var jacobian: JacobianConvention = .forward
    /// Whether `--image` was given (a model without an MNIST task refuses it).
    public var imageWasGiven = false
    /// Whether `--data` was given (else a missing data folder's error says how to give it).
    public var dataWasGiven = false
    /// `--input X.npy`: one T×I sequence, with an optional `--label`.
    public var inputPath: String?
    public var label: Int?
    /// `--inputs X.npy --labels Y.npy`: a labelled set, opened at sequence `sequenceIndex`.
    public var inputsPath: String?
    public var labelsPath: String?
    public var sequenceIndex: Int?

    public init(modelPath: String? = nil, imageIndex: Int = 0, split: Split = .test, themeName: String? = nil,
                followDirectory: String? = nil, colorName: String = "auto", dataDirectory: String, bundleRoot: String,
                trainingDirectory: String? = nil, directions: Int? = nil, reloadEveryBatches: Int? = nil) {
        self.modelPath = modelPath
        self.imageIndex = imageIndex
        self.split = split
        self.themeName = themeName
        self.followDirectory = followDirectory
        self.colorName = colorName
        self.dataDirectory = dataDirectory
        self.bundleRoot = bundleRoot
        self.trainingDirectory = trainingDirectory
        self.directions = directions
        self.reloadEveryBatches = reloadEveryBatches
    }

    /// The bundled models tried, in order, when no model is given.
    public static let defaultModels = ["Samples/models/permuted-h512.safetensors", "Samples/models/rowwise-h128.safetensors"]

    /// K when not given: every direction up to 32.
    public static let defaultDirections = 32
}
