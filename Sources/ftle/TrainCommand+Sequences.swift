import ArgumentParser
import Foundation
import Linalg
import RNN

// `ftle train --inputs X.npy --labels Y.npy`: a classifier of any sequences, trained by the same
// `ModelTrainer` as an MNIST run (`SequenceSetTrainer`), with its folder, checkpoints, history,
// lock, signals and `--resume`.
extension Train {
    /// `--layers` against the other options, before anything is read.
    func validateLayers() throws {
        guard let layers else { return }
        guard (1...TrainingLimits.maximumLayers).contains(layers) else {
            throw ValidationError("--layers must be in 1...\(TrainingLimits.maximumLayers) (got \(layers))")
        }
        if resume { throw ValidationError("--resume continues with the run's stored settings; drop --layers") }
        if initFrom != nil { throw ValidationError("--init-from takes the layers of its model; drop --layers") }
        if layers > 1, let n = threads, n > 1 {
            throw ValidationError("--layers \(layers) trains each batch in one shard; drop --threads \(n) (BLAS uses its own threads)")
        }
    }

    /// `--init-from`: a vanilla model of an MNIST task, of one layer or stacked, tanh or ReLU
    /// (the run takes its L and φ).
    func loadStartingWeights(_ path: String) throws -> RNNModel<Double> {
        let m: RNNModel<Double> = try loadModel(path)
        guard m.imageTask != nil else { throw FileFormatError(path: path, "--init-from needs a model of an MNIST task; this model has none") }
        return m
    }

    /// `--inputs`: a new run of a classifier of the sequences' I and C.
    func trainOnSequences(_ config: TrainingConfig) throws {
        guard let inputs, let labels else { return }
        var train = try SequenceSet.load(inputs: inputs, labels: labels)
        var test: SequenceSet
        if let testInputs, let testLabels {
            test = try SequenceSet.load(inputs: testInputs, labels: testLabels, inputSize: train.inputSize)
            guard test.steps == train.steps else {
                throw FileFormatError(path: testInputs, "test sequences have \(test.steps) steps but the training sequences \(train.steps)")
            }
        } else {
            let split = TrainingSplit(count: train.count, validationFraction: SequenceDataRecord.heldOutFraction, seed: config.seed)
            guard !split.validation.isEmpty, !split.training.isEmpty else {
                throw FileFormatError(path: inputs, "\(train.count) sequences are too few to hold out 10 % (give --test-inputs)")
            }
            test = train.subset(split.validation)
            train = train.subset(split.training)
        }
        let classes = max(train.classCount, test.classCount), phi = nonlinearity ?? .tanh, gated = config.cell.gated != nil
        var config = config
        // The checkpoint names the files as absolute paths, so a resume from elsewhere finds them.
        func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        config.sequenceData = SequenceDataRecord(inputs: absolute(inputs), labels: absolute(labels), testInputs: testInputs.map(absolute),
                                                 testLabels: testLabels.map(absolute), count: train.count, steps: train.steps,
                                                 inputSize: train.inputSize, classes: classes, nonlinearity: phi)
        print("training on \(inputs): \(train.count) sequences (test \(test.count)), T=\(train.steps) I=\(train.inputSize) C=\(classes) "
              + "H=\(config.hidden) \(gated ? config.cell.rawValue : phi.rawValue) batch=\(config.batchSize) lr=\(config.learningRate) \(config.optimizer.rawValue)")
        installStopHandlers()
        switch (config.precision, gated) {
        case (.f32, true):
            try runTraining(try ModelTrainer<GatedModel<Float>, SequenceSet>(config: config, train: train, test: test, classes: classes,
                                                                             outputDirectory: out, replacingExistingRun: force))
        case (.f64, true):
            try runTraining(try ModelTrainer<GatedModel<Double>, SequenceSet>(config: config, train: train, test: test, classes: classes,
                                                                              outputDirectory: out, replacingExistingRun: force))
        case (.f32, false):
            try runTraining(try SequenceSetTrainer<Float>(config: config, train: train, test: test, classes: classes, nonlinearity: phi,
                                                          outputDirectory: out, replacingExistingRun: force))
        case (.f64, false):
            try runTraining(try SequenceSetTrainer<Double>(config: config, train: train, test: test, classes: classes, nonlinearity: phi,
                                                           outputDirectory: out, replacingExistingRun: force))
        }
    }

    /// `--resume` of a sequence-set run: reads the files its checkpoint records and continues;
    /// false when the checkpoint is an MNIST run's.
    func resumeOnSequences() throws -> Bool {
        let folder = RunFolder(out)
        guard FileManager.default.fileExists(atPath: folder.checkpointPath) else { return false }
        let stored = try folder.readCheckpointConfig()
        guard let record = stored.sequenceData else { return false }
        let (train, test) = try record.load(seed: stored.seed, checkpoint: folder.checkpointPath)
        installStopHandlers()
        switch (stored.precision, stored.cell.gated != nil) {
        case (.f32, false): try resumeRun(RNNModel<Float>.self, train: train, test: test)
        case (.f64, false): try resumeRun(RNNModel<Double>.self, train: train, test: test)
        case (.f32, true): try resumeRun(GatedModel<Float>.self, train: train, test: test)
        case (.f64, true): try resumeRun(GatedModel<Double>.self, train: train, test: test)
        }
        return true
    }

    /// `--resume`: continues the run in --out as a `Model` run on `train` and `test` (the caller
    /// picks `Model` by the stored cell and precision). Only an explicit --checkpoint-every
    /// replaces the stored cadence; --epochs, --log-every, --threads and --flush-subnormals
    /// replace the stored values when given.
    func resumeRun<Model: TrainableModel, Data: TrainingData>(_: Model.Type, train: Data, test: Data) throws {
        let checkpointOverride: Int?? = checkpointEvery.map { .some($0) }
        try runTraining(try ModelTrainer<Model, Data>(resumingIn: out, epochs: epochs, logEvery: logEvery, checkpointEvery: checkpointOverride,
                                                      threads: threads, flushSubnormals: subnormalChoice, train: train, test: test))
    }
}
