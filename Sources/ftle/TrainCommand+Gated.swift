import ArgumentParser
import Foundation
import MNIST
import RNN

// `ftle train --cell gru|lstm`: the gated cells train through `GatedTrainer`, in the same run
// folder, with the same progress, checkpoints, signals and resume as the vanilla cell.
extension Train {
    /// `--cell` against the other options, before anything is read.
    func validateCell() throws {
        if resume && cell != nil { throw ValidationError("--resume takes the cell from the checkpoint; drop --cell") }
        guard let cell, cell != .rnn else { return }
        let name = "--cell \(cell.rawValue)"
        if nonlinearity != nil { throw ValidationError("\(name) has no choice of nonlinearity; --nonlinearity applies to --cell rnn only") }
        if initFrom != nil { throw ValidationError("\(name) starts from PyTorch's default initialisation; --init-from applies to --cell rnn only") }
        var settings = TrainingConfig()
        settings.cell = cell; settings.bias = bias; settings.initialization = `init`
        if let problem = GatedTrainer<Float>.unsupportedSetting(in: settings) { throw ValidationError(problem) }
    }

    /// Runs a gated run (new, or resumed from a gated checkpoint) and returns true; false when
    /// the run is the vanilla cell's.
    func runGatedTraining(_ config: TrainingConfig, train: MNISTDataset, test: MNISTDataset) throws -> Bool {
        if resume {
            let stored = try RunFolder(out).readCheckpointConfig()
            guard stored.cell != .rnn else { return false }
            switch stored.precision {
            case .f32: try resumeRun(GatedModel<Float>.self, train: train, test: test)
            case .f64: try resumeRun(GatedModel<Double>.self, train: train, test: test)
            }
            return true
        }
        guard config.cell != .rnn else { return false }
        switch config.precision {
        case .f32:
            try runTraining(try GatedTrainer<Float>(config: config, train: train, test: test, outputDirectory: out, replacingExistingRun: force))
        case .f64:
            try runTraining(try GatedTrainer<Double>(config: config, train: train, test: test, outputDirectory: out, replacingExistingRun: force))
        }
        return true
    }
}
