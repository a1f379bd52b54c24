import RNN
import TerminalUI

/// The training run: state, epoch and batch progress, speed, ETA, last test accuracy, and
/// the loss and accuracy curves of its history; for a flossing run (`ftle train --floss K`,
/// rows with `lambda1…lambdaK`), a third chart of λ_1…λ_K against the training step, so the
/// exponents can be watched being pulled toward zero.
struct TrainingPane: Widget {
    var status: TrainingStatus
    /// What `t` would train: the loaded model's task ("" for sequences) and H.
    var taskName: String
    var hidden: Int
    /// The model's cell or φ and widths as the header shows them ("H 16", "GRU H 8", "relu H 6,5"; nil: "H <hidden>").
    var shape: String? = nil
    /// The key that starts training (from the key table).
    var trainKey: String
    var isFocused = false
    /// Why `t` does not train this model here (sequences; a gated model without biases), else nil.
    var refusal: String? = nil

    func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        let inside = PaneFrame.draw(title: Pane.training.title, isFocused: isFocused, into: &grid, area: area, context: context)
        guard inside.height >= 2 else { return }
        var header = "state " + (status.isStored && status.phase == .idle ? "stored run" : status.phase.label)
        if status.step > 0 { header += context.separator + "step \(status.step)" }
        if let directory = status.directory { header += context.separator + directory }
        grid.put(line: header, in: inside, row: 0, style: context.style(phaseColor(status.phase), .bold), context: context)
        if case let .failed(message) = status.phase {
            grid.put(line: message, in: inside, row: 1, style: context.style(.negative), context: context)
        }
        if status.phase == .idle && status.history.rows.isEmpty {
            let hint: String
            if taskName.isEmpty {
                hint = "train on sequences: ftle train --inputs X.npy --labels Y.npy --out DIR"
            } else if let refusal {
                hint = refusal
            } else {
                hint = "\(trainKey): train \(taskName) \(shape ?? "H \(hidden)") in the background"
            }
            grid.put(line: hint, in: inside, row: 2, style: context.style(.dim), context: context)
            grid.put(line: "or follow a run: ftle explore --follow DIR", in: inside, row: 3, style: context.style(.dim),
                     context: context)
            return
        }
        // Totals come from the run's checkpoint; before it exists, the history's last row.
        let lastRow = status.history.rows.last
        let epochLabel = status.epochs > 0 ? "epoch \(status.epoch + 1)/\(status.epochs)"
            : "epoch \((lastRow?.epoch ?? 0) + 1)/?"
        let batchLabel = status.batchesPerEpoch > 0 ? "batch \(status.batch)/\(status.batchesPerEpoch)"
            : "batch \(lastRow?.batch ?? 0)/?"
        let labelWidth = max(epochLabel.count, batchLabel.count)
        ProgressBar(fraction: status.overallFraction, label: pad(epochLabel, labelWidth))
            .render(into: &grid, area: row(inside, 1), context: context)
        ProgressBar(fraction: status.epochFraction, label: pad(batchLabel, labelWidth))
            .render(into: &grid, area: row(inside, 2), context: context)
        let last = status.history.progressRows.last
        let entries = [
            KeyValueList.Entry("samples/s", status.samplesPerSecond.map { Format.fixed($0, 0) } ?? "--"),
            KeyValueList.Entry("ETA", NumberFormat.duration(status.etaSeconds)),
            KeyValueList.Entry("loss / acc", (last?.loss).map { Format.fixed($0, 4) } .map { $0 + " / " + ((last?.accuracy).map(Format.percent) ?? "--") } ?? "--"),
            KeyValueList.Entry("test acc", status.history.lastTestAccuracy.map(Format.percent) ?? "--", valueColor: .positive),
        ]
        let listArea = Rect(x: inside.minX, y: inside.minY + 3, width: inside.width, height: min(entries.count, inside.height - 3))
        KeyValueList(entries: entries).render(into: &grid, area: listArea, context: context)
        let chartsArea = Rect(x: inside.minX, y: listArea.maxY, width: inside.width, height: inside.maxY - listArea.maxY)
        drawCurves(status.history, into: &grid, area: chartsArea, context: context)
    }

    private func drawCurves(_ history: TrainingHistory, into grid: inout Grid, area: Rect, context: RenderContext) {
        let rows = history.progressRows
        guard area.height >= 4, rows.count >= 1 else { return }
        let loss = rows.compactMap { row in row.loss.map { LineChart.Point(x: Double(row.step), y: $0) } }
        let accuracy = rows.compactMap { row in row.accuracy.map { LineChart.Point(x: Double(row.step), y: 100 * $0) } }
        var charts: [(name: String, series: [LineChart.Series])] = [
            ("loss", [LineChart.Series(name: "loss", points: loss, color: context.theme.seriesColor(0))]),
            ("train accuracy %", [LineChart.Series(name: "train accuracy %", points: accuracy, color: context.theme.seriesColor(1))]),
        ]
        // λ_1…λ_K of a flossing run (finite values only: NaN before the first update).
        let k = rows.map(\.lambdas.count).max() ?? 0
        if k > 0 {
            let series = (0..<k).map { j in
                LineChart.Series(name: "λ\(j + 1)", points: rows.compactMap { row in
                    j < row.lambdas.count && row.lambdas[j].isFinite ? LineChart.Point(x: Double(row.step), y: row.lambdas[j]) : nil
                }, color: context.theme.seriesColor(2 + j))
            }
            charts.append((k == 1 ? "λ1 (floss)" : "λ1…λ\(k) (floss)", series))
        }
        // Side by side when each chart gets at least 30 columns, else stacked.
        let sideBySide = area.width >= 30 * charts.count
        for (index, chart) in charts.enumerated() {
            let box: Rect
            if sideBySide {
                let width = area.width / charts.count, x = area.minX + index * width + (index > 0 ? 1 : 0)
                box = Rect(x: x, y: area.minY, width: (index == charts.count - 1 ? area.maxX - x : width - (index > 0 ? 1 : 0)), height: area.height)
            } else {
                let height = area.height / charts.count, y = area.minY + index * height
                box = Rect(x: area.minX, y: y, width: area.width, height: index == charts.count - 1 ? area.maxY - y : height)
            }
            guard box.height >= 3, box.width >= 1 else { continue }
            grid.put(line: chart.name, in: box, row: 0, style: Style(foreground: chart.series[0].color, background: context.theme[.background]),
                     context: context)
            let chartArea = Rect(x: box.minX, y: box.minY + 1, width: box.width, height: box.height - 1)
            LineChart(series: chart.series).render(into: &grid, area: chartArea, context: context)
        }
    }

    private func phaseColor(_ phase: TrainingStatus.Phase) -> ThemeKey {
        switch phase {
        case .running, .following: .positive
        case .failed: .negative
        case .paused, .pausing, .starting: .warning
        case .idle, .done: .title
        }
    }

    private func row(_ area: Rect, _ index: Int) -> Rect {
        Rect(x: area.minX, y: area.minY + index, width: area.width, height: index < area.height ? 1 : 0)
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
