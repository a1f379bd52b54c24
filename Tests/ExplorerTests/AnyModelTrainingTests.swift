import Foundation
import Linalg
import MNIST
import RNN
import Testing
import TerminalUI
@testable import Explorer

/// The explorer trains any MNIST model in the background (issue 27): GRU, stacked LSTM and a
/// stacked ReLU RNN, from the loaded weights. Each background run is checked against the same
/// run made directly with `ModelTrainer` and the same starting weights: the model files must be
/// equal bit for bit, so the explorer adds nothing of its own to the training.
/// A paused gated run resumes from its checkpoint (whose config says the cell) to the same
/// weights as an uninterrupted one.
@Suite("Explorer training of every model", .serialized)
struct AnyModelTrainingTests {
    /// A stacked LSTM (2 layers, H = 5) of the row-wise task, seeded.
    static func stackedLSTM() throws -> GatedNetwork {
        let model = GatedModel<Double>(cell: .lstm, task: .rowwise, hidden: 5, seed: 7, layers: 2)
        return try GatedNetwork(file: model.safeTensors(), path: "lstm")
    }

    /// The plan `t` makes for `network` (a bare file: a new run from its weights), made small:
    /// one epoch of 4 batches of 16 images, a report every batch.
    static func smallPlan(_ network: Network, output: String) throws -> (TrainingPlan, TrainingConfig) {
        let plan = TrainingPlan.forModel(network, modelPath: "/elsewhere/m.safetensors", outputDirectory: output,
                                         dataDirectory: ExplorerFixtures.mnistDirectory)
        guard case .fromWeights(var config, let weights) = plan.source else { throw TestFailure("expected a run from the weights") }
        #expect(config.cell == network.cellKind && config.layers == network.layerSizes.count)
        config.epochs = 1
        config.batchSize = 16
        config.trainLimit = 64
        config.testLimit = 20
        config.logEvery = 1
        return (TrainingPlan(source: .fromWeights(config, weights: weights), outputDirectory: output,
                             dataDirectory: ExplorerFixtures.mnistDirectory), config)
    }

    struct TestFailure: Error { let text: String; init(_ text: String) { self.text = text } }

    static func run(_ plan: TrainingPlan, pauseAtOnce: Bool = false) -> [TrainingUpdate] {
        let worker = TrainingWorker()
        worker.start(plan)
        if pauseAtOnce { worker.pause() }
        worker.requestWeights()
        worker.waitUntilStopped(timeout: 120)
        return worker.drainUpdates()
    }

    static func failures(_ updates: [TrainingUpdate]) -> [String] {
        updates.compactMap { if case let .failed(text) = $0 { text } else { nil } }
    }

    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test(arguments: ["gru", "lstm-stacked", "relu-stacked"])
    func backgroundRunEqualsTheDirectRun(_ kind: String) throws {
        let network: Network
        switch kind {
        case "gru": network = Network(try GatedExplorerTests.network(.gru))
        case "lstm-stacked": network = Network(try Self.stackedLSTM())
        default: network = Network(StackedMNISTExplorerTests.model())
        }
        let output = ExplorerFixtures.temporaryDirectory() + "/run"
        let (plan, config) = try Self.smallPlan(network, output: output)
        let updates = Self.run(plan)
        #expect(Self.failures(updates).isEmpty, "\(Self.failures(updates))")
        #expect(updates.contains { if case .finished = $0 { true } else { false } })
        // The weights posted (after the first batch) are trained ones, of the loaded model's cell and layers.
        let posted = updates.compactMap { if case let .weights(w) = $0 { w } else { nil } }
        let weights = try #require(posted.last)
        #expect(weights.cellKind == network.cellKind && weights.layerSizes == network.layerSizes)
        #expect(weights != network)

        // The same run made directly, from the same weights in Float32.
        let direct = ExplorerFixtures.temporaryDirectory() + "/direct"
        let train = try MNISTDataset.load(directory: ExplorerFixtures.mnistDirectory, split: .train)
        let test = ExplorerFixtures.testSet
        if let m = network.vanillaModel {
            let trainer = try Trainer<Float>(config: config, train: train, test: test, outputDirectory: direct,
                                             startingWeights: m.converted(to: Float.self))
            #expect(try trainer.run() == .finished)
        } else {
            let g = try #require(network.gatedNetwork)
            let trainer = try GatedTrainer<Float>(config: config, train: train, test: test, outputDirectory: direct,
                                                  startingWeights: try GatedModel<Float>(network: g, path: "start"))
            #expect(try trainer.run() == .finished)
        }
        let ours = try #require(Self.bytes(output + "/" + RunFiles.model))
        #expect(ours == Self.bytes(direct + "/" + RunFiles.model))
    }

    /// Paused after its first batch and resumed (`TrainingPlan.resume`: the checkpoint's config
    /// says GRU), a run ends with the weights of the uninterrupted run.
    @Test func aPausedGRURunResumesExactly() throws {
        let network = Network(try GatedExplorerTests.network(.gru))
        let whole = ExplorerFixtures.temporaryDirectory() + "/whole"
        #expect(Self.failures(Self.run(try Self.smallPlan(network, output: whole).0)).isEmpty)

        let paused = ExplorerFixtures.temporaryDirectory() + "/paused"
        let first = Self.run(try Self.smallPlan(network, output: paused).0, pauseAtOnce: true)
        #expect(first.contains { if case .paused = $0 { true } else { false } })
        let resume = TrainingPlan.forModel(network, modelPath: "/elsewhere/m.safetensors", outputDirectory: paused,
                                           dataDirectory: ExplorerFixtures.mnistDirectory, existingRun: .resume)
        #expect(resume.source == .resume)
        let second = Self.run(resume)
        #expect(Self.failures(second).isEmpty, "\(Self.failures(second))")
        #expect(second.contains { if case .finished = $0 { true } else { false } })
        #expect(try #require(Self.bytes(paused + "/" + RunFiles.model)) == Self.bytes(whole + "/" + RunFiles.model))
    }

    /// The Training pane says what `t` trains, cell and widths as the header names them.
    @Test func theTrainingPaneNamesTheModelTTrains() throws {
        let app = GatedExplorerTests.settledApp(try GatedExplorerTests.network(.lstm))
        var grid = Grid(width: 60, height: 12)
        app.state.trainingPane().render(into: &grid, area: grid.bounds, context: app.state.context)
        #expect(grid.plainText().contains("t: train rowwise LSTM H 6 in the background"), "\(grid.plainText())")
    }

    /// `t` on a GRU made with bias=False: the one-line reason, and no run starts.
    @Test func aBiasFreeGRUIsRefusedWithItsReason() throws {
        var network = try GatedExplorerTests.network(.gru)
        network.layers[0].inputBias = nil
        network.layers[0].recurrentBias = nil
        let app = GatedExplorerTests.settledApp(network)
        ExplorerFixtures.press([.char("t")], on: app)
        #expect(app.state.training.phase == .idle)
        #expect(app.state.status?.text
                == "ftle trains a GRU with both biases (bias_ih and bias_hh, as PyTorch's default); this one has bias=False")
    }

    /// `t` on a gated stack of two widths (PyTorch's modules have one H): the one-line reason.
    @Test func aGatedStackOfTwoWidthsIsRefused() throws {
        let wide = GatedModel<Double>(cell: .lstm, task: .rowwise, hidden: 8, seed: 3, layers: 1)
        let narrow = try GatedNetwork(file: GatedModel<Double>(cell: .lstm, inputSize: 8, hidden: 6, classes: 10, seed: 4).safeTensors(), path: "n")
        var network = try GatedNetwork(file: wide.safeTensors(), path: "w")
        network = try GatedNetwork(layers: network.layers + narrow.layers, readoutWeights: narrow.readoutWeights, readoutBias: narrow.readoutBias)
        network.imageTask = .rowwise
        let app = GatedExplorerTests.settledApp(network)
        ExplorerFixtures.press([.char("t")], on: app)
        #expect(app.state.training.phase == .idle)
        #expect(app.state.status?.text == "ftle trains an LSTM stack of one width (as PyTorch's num_layers); this one has H 8,6")
    }

    /// A run whose config (a checkpoint's, when resumed or continued) names a cell outside
    /// ftle's own is refused by the worker in one line before any trainer is made (a network of
    /// such cells trains through the library only).
    @Test func aForeignCellRunIsRefusedInOneLine() throws {
        var config = TrainingConfig()
        config.cell = CellKind(rawValue: "tree")
        let plan = TrainingPlan(source: .fresh(config), outputDirectory: ExplorerFixtures.temporaryDirectory() + "/never",
                                dataDirectory: ExplorerFixtures.mnistDirectory)
        #expect(throws: TrainingError.checkpoint("the run's cell \"tree\" is not one of ftle's own (rnn, gru or lstm), the only cells the explorer trains")) {
            _ = try TrainingWorker.modelKind(of: plan)
        }
        #expect(try TrainingWorker.modelKind(of: TrainingPlan(source: .fresh(TrainingConfig()), outputDirectory: "/never",
                                                              dataDirectory: ExplorerFixtures.mnistDirectory)) == (.rnn, .f32))
        // Continuing a network run's checkpoint is refused before anything is copied.
        let run = ExplorerFixtures.temporaryDirectory() + "/network-run"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try SafeTensorsFile(tensors: [:], metadata: ["format": Network.fileFormat]).write(to: run + "/checkpoint.safetensors")
        #expect(throws: TrainingError.checkpoint("\(run)/checkpoint.safetensors: a network run's checkpoint (written by a program training a Network); "
                                                 + "the explorer continues runs of ftle train and its own")) {
            try TrainingWorker.checkTrainable(checkpoint: run + "/checkpoint.safetensors")
        }
    }
}
