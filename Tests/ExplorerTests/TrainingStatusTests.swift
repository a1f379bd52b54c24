import Explorer
import Foundation
@testable import RNN
import Testing
import TerminalUI

/// Step, epoch and batch come from one number, so pane, status line and progress bars agree
/// (issue #16, item 2).
@Suite("Training status")
struct TrainingStatusTests {
    static func progress(step: Int, epochs: Int = 5, batchesPerEpoch: Int = 469) -> TrainingProgress {
        TrainingProgress(epoch: step / batchesPerEpoch, epochs: epochs, batch: step % batchesPerEpoch,
                         batchesPerEpoch: batchesPerEpoch, step: step, loss: 0.5, accuracy: 0.8, samplesPerSecond: 1000,
                         etaSeconds: 60)
    }

    static func trainingText(_ state: ExplorerState) -> String {
        var grid = Grid(width: 60, height: 14)
        ExplorerScreen.render(.training, state: state, into: &grid, area: grid.bounds)
        return grid.plainText()
    }

    @Test func pausingShowsTheStepTheTrainerStoppedAt() {
        var state = ExplorerFixtures.state()
        _ = state.handle(.training(.started(directory: "run", epochs: 5, batchesPerEpoch: 469, resumed: false)))
        _ = state.handle(.training(.progress(Self.progress(step: 570))))
        _ = state.handle(.training(.paused(step: 578)))
        #expect(state.status?.text == "training paused at step 578; checkpoint saved")
        let text = Self.trainingText(state)
        #expect(text.contains("state paused · step 578"))
        #expect(text.contains("epoch 2/5"))
        #expect(text.contains("batch 109/469"))
    }

    /// A finished followed run: the last epoch and all of its batches, both full.
    @Test func aFinishedRunShowsFullBars() {
        var config = TrainingConfig()
        config.epochs = 4
        config.batchSize = 128
        let csv = RunFiles.historyHeader + "\n3,460,1870,0.3,0.9,900,,\n3,469,1876,0.3,0.9,900,,\n3,469,1876,,,,0.2,0.95\n"
        var status = TrainingStatus()
        status.follow(history: TrainingHistory(csv: csv), config: config)
        #expect(status.batchesPerEpoch == 469 && status.step == 1876)
        #expect(status.phase == .done)
        #expect(status.epoch == 3 && status.batch == 469)
        #expect(status.overallFraction == 1 && status.epochFraction == 1)
        var state = ExplorerFixtures.state()
        state.training = status
        let text = Self.trainingText(state)
        #expect(text.contains("epoch 4/4") && text.contains("batch 469/469"))
        #expect(!text.contains("batch 0/469"))
    }
}
