import Foundation
import Linalg
import MNIST

// The ways each kind of run starts: what `ModelTrainer.init(config:…initialModel:)` is given.

extension ModelTrainer where Data == MNISTDataset {
    /// A new vanilla-cell MNIST run from a fresh initialisation (`config.initialization`,
    /// `config.seed`, `config.layers` layers of H units, φ = `nonlinearity`), or from `startingWeights` (fine-tuning: the given
    /// weights, a fresh optimizer, epoch 0) when given. The starting weights must be a
    /// `config.task` model with H = `config.hidden`; a permuted model keeps its own pixel order,
    /// its biases and its input standardization (the config follows the weights).
    public convenience init<S>(config: TrainingConfig, train: MNISTDataset, test: MNISTDataset?, outputDirectory: String,
                               startingWeights: RNNModel<S>? = nil, nonlinearity: Nonlinearity = .tanh,
                               replacingExistingRun: Bool = false) throws
    where Model == RNNModel<S> {
        var config = config
        if let start = startingWeights {
            config.bias = start.biasMode
            config.standardize = start.inputStandardization != nil
            config.layers = start.layerCount
        }
        try self.init(config: config, train: train, test: test, outputDirectory: outputDirectory,
                      replacingExistingRun: replacingExistingRun) { config in
            let task = try config.sequenceTask()
            guard let start = startingWeights else {
                var model = RNNModel<S>(task: task, hidden: config.hidden, initialization: config.initialization, seed: config.seed,
                                        gains: config.gains, biasMode: config.bias, layers: config.layers)
                model.nonlinearity = nonlinearity
                model.inputStandardization = config.standardize ? .mnist : nil
                return model
            }
            return try start.startingNewRun(as: config, task: task)
        }
    }

    /// A new GRU/LSTM MNIST run (`config.cell`, `config.layers` layers) from PyTorch's default
    /// initialisation (`config.seed`), or from `startingWeights` (fine-tuning, as for the vanilla
    /// cell: the given weights with their layers and standardization, a fresh optimizer, epoch 0).
    public convenience init<S>(config: TrainingConfig, train: MNISTDataset, test: MNISTDataset?, outputDirectory: String,
                               startingWeights: GatedModel<S>? = nil, replacingExistingRun: Bool = false) throws
    where Model == GatedModel<S> {
        var config = config
        if let start = startingWeights {
            config.cell = start.cell.kind
            config.standardize = start.inputStandardization != nil
            config.layers = start.layerCount
        }
        try self.init(config: config, train: train, test: test, outputDirectory: outputDirectory,
                      replacingExistingRun: replacingExistingRun) { config in
            let task = try config.sequenceTask()
            if let start = startingWeights { return try start.startingNewRun(as: config, task: task) }
            var model = GatedModel<S>(cell: config.cell.gated!, task: task, hidden: config.hidden, seed: config.seed,
                                      layers: config.layers)
            model.inputStandardization = config.standardize ? .mnist : nil
            return model
        }
    }
}

extension TrainableModel {
    /// These weights as the start of a new `config` run on `task`: nothing of their own
    /// training record carries over. The run presents pixels in the model's own order (a
    /// permuted model carries its permutation), so only the task's kind and H must agree with
    /// the config; a one-line error otherwise.
    func startingNewRun(as config: TrainingConfig, task: SequenceTask) throws -> Self {
        guard let own = imageTask, own.kind == task.kind, hidden == config.hidden else {
            throw TrainingError.startingWeights("the starting weights are a \(imageTask?.name ?? "non-MNIST") model with H = \(hidden), "
                + "but the run is \(config.task.rawValue) with H = \(config.hidden)")
        }
        var model = self
        for key in RunFolder.checkpointOnlyKeys + TrainingConfig.recordedKeys + ["step"] {
            model.metadata.extra[key] = nil
        }
        model.metadata.testAccuracy = nil
        model.metadata.epochsTrained = 0
        return model
    }
}

extension ModelTrainer where Data == SequenceSet {
    /// A new vanilla-cell run on `train` (`ftle train --inputs`): a fresh model of the set's I,
    /// `config.layers` layers, `classes` classes and φ = `nonlinearity`, evaluated on `test`
    /// after every epoch. The config's MNIST fields (task, limits, split) are not read; its
    /// `sequenceData` must describe the set (as `ftle train --inputs` writes it), or the run is
    /// refused at its start, since its checkpoint could not be read back as this set's model.
    public convenience init<S>(config: TrainingConfig, train: SequenceSet, test: SequenceSet?, classes: Int, nonlinearity: Nonlinearity,
                               outputDirectory: String, replacingExistingRun: Bool = false) throws
    where Model == RNNModel<S> {
        try self.init(config: config, train: train, test: test, outputDirectory: outputDirectory,
                      replacingExistingRun: replacingExistingRun) { config in
            RNNModel<S>(inputSize: train.inputSize, hidden: config.hidden, classes: classes, initialization: config.initialization,
                        seed: config.seed, gains: config.gains, biasMode: config.bias, nonlinearity: nonlinearity, layers: config.layers)
        }
    }

    /// A new GRU or LSTM run (`config.cell`) on `train`: a fresh model of the set's I,
    /// `config.layers` layers and `classes` classes (PyTorch's default initialisation, seeded),
    /// evaluated on `test` after every epoch.
    public convenience init<S>(config: TrainingConfig, train: SequenceSet, test: SequenceSet?, classes: Int,
                               outputDirectory: String, replacingExistingRun: Bool = false) throws
    where Model == GatedModel<S> {
        guard let cell = config.cell.gated else { preconditionFailure("a gated run needs a gated cell") }
        try self.init(config: config, train: train, test: test, outputDirectory: outputDirectory,
                      replacingExistingRun: replacingExistingRun) { config in
            GatedModel<S>(cell: cell, inputSize: train.inputSize, hidden: config.hidden, classes: classes, seed: config.seed,
                          layers: config.layers)
        }
    }
}
