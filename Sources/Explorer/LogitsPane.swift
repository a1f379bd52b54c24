import TerminalUI

/// Softmax probabilities of o_T as 10 bars (classes 0…9, the true label highlighted) for
/// the original image and, with flips on, its R-flipped and random-flipped versions; each
/// with the predicted class, its probability and the loss, and the loss differences.
struct LogitsPane: Widget {
    var flips: FlipResult?
    /// Whether `flips` was computed for other flip settings than the current ones.
    var isStale: Bool
    var traceComplete: Bool
    var isFocused = false

    func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        let inside = PaneFrame.draw(title: "Logits" + context.separator + "p(o_T)", isFocused: isFocused,
                                    into: &grid, area: area, context: context)
        guard inside.height >= 3 else { return }
        guard let flips else {
            PaneFrame.placeholder(traceComplete: traceComplete, into: &grid, inside: inside, context: context)
            return
        }
        let stale = isStale
        var variants: [(String, [Double])] = [("original", flips.original)]
        if let r = flips.rFlipped { variants.append(("R-flipped", r)) }
        if let random = flips.randomFlipped { variants.append(("random", random)) }
        let infoRows = 2
        let blockHeight = max(3, min(6, (inside.height - infoRows) / 3))
        let originalLoss = flips.summary(of: flips.original).loss
        for (index, variant) in variants.enumerated() {
            let top = inside.minY + index * blockHeight
            guard top + blockHeight <= inside.maxY - infoRows || index == 0 else { break }
            let summary = flips.summary(of: variant.1)
            let line = pad(variant.0, 10) + "pred \(summary.predicted)  p " + Format.fixed(summary.probabilities[summary.predicted], 2)
            let lineStyle = context.style(summary.predicted == flips.label ? .foreground : .negative, .bold)
            grid.put(line: line, in: Rect(x: inside.minX, y: top, width: inside.width, height: 1), row: 0, style: lineStyle,
                     context: context)
            let bars = summary.probabilities.enumerated().map { BarChart.Bar(value: $0.element, label: "\($0.offset)") }
            BarChart(bars: bars, barWidth: 1, gap: 1, valueRange: 0...1, highlightedIndex: flips.label)
                .render(into: &grid, area: Rect(x: inside.minX, y: top + 1, width: min(19, inside.width), height: blockHeight - 1),
                        context: context)
            // Right of the bars: the loss, and for flipped inputs its change.
            let side = Rect(x: inside.minX + 20, y: top + 1, width: max(0, inside.width - 20), height: blockHeight - 1)
            grid.put(line: "loss", in: side, row: 0, style: context.style(.dim), context: context)
            grid.put(line: Format.fixed(summary.loss, 3), in: side, row: 1, style: context.style(.foreground), context: context)
            if index > 0 {
                grid.put(line: context.text("Δloss", ascii: "dloss"), in: side, row: 2, style: context.style(.dim), context: context)
                grid.put(line: Format.signed(summary.loss - originalLoss, 3), in: side, row: 3, style: context.style(.accent, .bold),
                         context: context)
            }
        }
        var info: String
        if let mode = flips.request.mode {
            info = "k \(flips.request.count) \(mode.rawValue) flips" + context.separator + "seed \(flips.request.baselineSeed)"
        } else {
            info = "flips off" + context.separator + "top-\(flips.topPixels.count) marked"
        }
        if stale { info = context.computing + " " + info }
        grid.put(line: "label \(flips.label)", in: inside, row: inside.height - 2, style: context.style(.title, .bold), context: context)
        grid.put(line: info, in: inside, row: inside.height - 1, style: context.style(.dim), context: context)
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(1, width - text.count))
    }
}
