import Analysis
import Foundation
import TerminalUI

/// The engine's and the trainer's results as they reach the state.
extension ExplorerState {
    mutating func receive(_ event: EngineEvent) {
        switch event {
        case let .spectrum(result):
            guard result.analysisID == analysisID else { return }
            spectrum = result
        case let .flips(result):
            guard result.analysisID == analysisID else { return }
            flips = result
        case let .alignment(result):
            guard result.analysisID == analysisID else { return }
            alignment = result
        case let .failed(id, message):
            guard id == analysisID else { return }
            engineError = message
            status = StatusMessage(message, isWarning: true)
        }
    }

    mutating func receive(_ update: TrainingUpdate) -> [ExplorerEffect] {
        switch update {
        case let .started(directory, epochs, batchesPerEpoch, resumed):
            if training.phase != .pausing { training.phase = .running }
            training.isStored = false
            training.directory = directory
            training.epochs = epochs
            training.batchesPerEpoch = batchesPerEpoch
            status = StatusMessage((resumed ? "training resumed in " : "training in ") + directory)
        case let .progress(progress):
            training.record(progress)
        case let .epochEnd(epoch, testLoss, testAccuracy):
            training.history.rows.append(.init(epoch: epoch, batch: training.batchesPerEpoch, step: training.step,
                                               testLoss: testLoss, testAccuracy: testAccuracy))
        case let .checkpoint(path, step):
            training.lastCheckpoint = path
            status = StatusMessage("checkpoint at step \(step): \(path)")
        case .weights:
            break   // the app installs the weights and sends `.modelLoaded`
        case let .paused(step):
            training.phase = .paused
            training.step = step
            training.etaSeconds = nil   // no ETA while nothing runs
            status = StatusMessage("training paused at step \(step); checkpoint saved")
        case .finished:
            training.phase = .done
            status = StatusMessage("training finished; \(ExplorerKeys.hint(.toggleTraining)) trains more epochs")
        case let .failed(message):
            training.phase = .failed(message)
            status = StatusMessage("training failed: \(message)", isWarning: true)
        }
        return []
    }
}
