import Explorer
import Foundation
import Linalg
import MNIST
import RNN
import TerminalUI
import TestSupport

/// Shared inputs for the explorer tests: the repository (found from this file), the
/// bundled MNIST test split, and small deterministic models.
enum ExplorerFixtures {
    /// The repository root: the first folder above this file holding `Samples/mnist`.
    static let repositoryRoot: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Samples/mnist").path) { return folder }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    static var mnistDirectory: String { repositoryRoot.appendingPathComponent("Samples/mnist").path }
    static var themesDirectory: URL { repositoryRoot.appendingPathComponent("Themes") }

    /// The bundled test split (loaded once).
    static let testSet: MNISTDataset = try! MNISTDataset.load(directory: mnistDirectory, split: .test)

    /// Row-wise, H = 16, PyTorch initialisation, seed 1 (T = 28).
    static let rowwiseModel = RNNModel<Double>(task: .rowwise, hidden: 16, initialization: .pytorch, seed: 1)
    /// Permuted (seed 0), H = 8, orthogonal initialisation, seed 1 (T = 784).
    static let permutedModel = RNNModel<Double>(task: .permuted(seed: 0), hidden: 8, initialization: .orthogonal, seed: 1)

    /// A state on `model` and test image `image`, with the default theme.
    static func state(model: RNNModel<Double> = rowwiseModel, name: String = "rowwise-h16.safetensors", image: Int = 0,
                      size: TerminalSize = TerminalSize(width: 120, height: 40), colorMode: ColorMode = .trueColor,
                      glyphs: GlyphSet = .unicode, directions: Int? = nil) -> ExplorerState {
        ExplorerState(model: ModelSummary(model: model, path: name), dataset: testSet, imageIndex: image,
                      directions: directions ?? min(model.hidden, 32), context: RenderContext(theme: .default, glyphs: glyphs, colorMode: colorMode),
                      themeNames: ["colorblind", "dark", "light", "mono"], size: size)
    }

    /// An app over a memory terminal, started and settled (trace, flips and alignment done).
    static func settledApp(model: RNNModel<Double> = rowwiseModel, size: TerminalSize = TerminalSize(width: 120, height: 40),
                           keys: [Key] = [], colorMode: ColorMode = .trueColor, directions: Int? = nil,
                           trainingDirectory: String? = nil) -> (ExplorerApp, MemoryTerminal) {
        let terminal = MemoryTerminal(size: size, colorMode: colorMode, keys: keys)
        let scratch = temporaryDirectory()
        let app = ExplorerApp(terminal: terminal, state: state(model: model, size: size, colorMode: colorMode, directions: directions),
                              model: model,
                              configuration: .init(modelPath: scratch + "/model.safetensors", dataDirectory: mnistDirectory,
                                                   trainingDirectory: trainingDirectory ?? scratch + "/run", exportDirectory: scratch,
                                                   themeDirectory: themesDirectory))
        app.start()
        app.settle()
        app.renderIfNeeded()
        return (app, terminal)
    }

    /// Applies keys one by one, settling the engine after each.
    static func press(_ keys: [Key], on app: ExplorerApp) {
        for key in keys {
            app.handle(key)
            app.settle()
        }
        app.renderIfNeeded()
    }

    /// A fresh empty folder.
    static func temporaryDirectory() -> String { makeTemporaryDirectory("ftle-explorer") }
}
