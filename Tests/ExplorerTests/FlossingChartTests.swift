import RNN
import TerminalUI
import Testing
@testable import Explorer

/// The training pane's λ chart: a flossing run's rows (`lambda1…lambdaK`) add a third chart of
/// λ_1…λ_K against the step; a run without them keeps the two charts it had.
@Suite struct FlossingChartTests {
    static func pane(lambdas: Bool) -> String {
        var status = TrainingStatus()
        status.epochs = 2
        status.batchesPerEpoch = 50
        for step in stride(from: 5, through: 100, by: 5) {
            var progress = TrainingProgress(epoch: step / 50, epochs: 2, batch: step % 50, batchesPerEpoch: 50, step: step, loss: 1 / Double(step),
                                            accuracy: 0.5, samplesPerSecond: 100, etaSeconds: 1)
            if lambdas { progress.lambdas = [-1 / Double(step), -2 / Double(step)] }
            status.record(progress)
        }
        var grid = Grid(width: 100, height: 22)
        TrainingPane(status: status, taskName: "", hidden: 16, trainKey: "t").render(into: &grid, area: grid.bounds, context: RenderContext())
        return grid.plainText()
    }

    @Test func flossingRunShowsTheExponents() {
        let text = Self.pane(lambdas: true)
        #expect(text.contains("λ1…λ2 (floss)"))
        #expect(text.contains("loss") && text.contains("train accuracy %"))
    }

    @Test func plainRunHasNoExponentChart() {
        let text = Self.pane(lambdas: false)
        #expect(!text.contains("(floss)"))
        #expect(text.contains("train accuracy %"))
    }

    /// The history file's rows carry the exponents the chart reads (a followed run's path).
    @Test func historyRowsRoundTripTheExponents() {
        let row = TrainingHistory.Row(epoch: 0, batch: 5, step: 5, loss: 0.5, accuracy: 0.5, samplesPerSecond: 10, lambdas: [-0.25, .nan])
        #expect(row.csvLine == "0,5,5,0.5,0.5,10,,,-0.25,nan")
        let parsed = TrainingHistory.Row(csvLine: Substring(row.csvLine))
        #expect(parsed?.lambdas.first == -0.25 && parsed?.lambdas.count == 2 && parsed?.lambdas[1].isNaN == true)
    }
}
