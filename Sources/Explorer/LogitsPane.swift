import Analysis
import TerminalUI

/// Softmax probabilities of o_T — or, in the cursor view, of o_t = W h_t + c at the cursor
/// t — as C bars (classes 0…C−1, the true label highlighted) for the original image and,
/// with flips on, its R-flipped and random-flipped versions (a sequence: its R-ablated and
/// random-ablated versions); each with the predicted class (and its name, when the model
/// names its classes), its probability and the loss, and the loss differences. The cursor
/// view adds p(label) over t with the cursor, and says how many flips are presented by t
/// (later ones cannot act on o_t yet). A sequence without a label is scored against the
/// original's predicted class, and the pane says so.
struct LogitsPane: Widget {
    var flips: FlipResult?
    /// Whether `flips` was computed for other flip settings than the current ones.
    var isStale: Bool
    var traceComplete: Bool
    var view = LogitsView.final
    var t = 1
    var stepOfPixel: [Int] = []
    /// The key that switches the view (from the key table).
    var viewKey = "c"
    var isFocused = false
    /// The model's class names (metadata `classes`, else the indices).
    var classNames: [String] = (0..<10).map(String.init)
    /// Whether the input is a sequence (ablations) rather than an image (flips).
    var isSequence = false

    /// The class's name (metadata `classes`), else its index.
    private func className(_ c: Int) -> String { c < classNames.count ? classNames[c] : String(c) }

    /// The logits of variant `index` (0 original, 1 R-flipped, 2 random) in this view.
    private func logits(_ flips: FlipResult, variant index: Int, final: [Double]) -> [Double] {
        guard view == .atCursor, index < flips.stepLogits.count, t >= 1, t <= flips.stepLogits[index].count else { return final }
        return flips.stepLogits[index][t - 1]
    }

    func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        let title = "Logits" + context.separator + (view == .atCursor ? "p(o_t) at t \(t)" : "p(o_T)")
        let inside = PaneFrame.draw(title: title, isFocused: isFocused, into: &grid, area: area, context: context)
        guard inside.height >= 3 else { return }
        guard let flips else {
            PaneFrame.placeholder(traceComplete: traceComplete, into: &grid, inside: inside, context: context)
            return
        }
        var variants: [(String, [Double])] = [("original", logits(flips, variant: 0, final: flips.original))]
        if let r = flips.rFlipped { variants.append((isSequence ? "R-ablated" : "R-flipped", logits(flips, variant: 1, final: r))) }
        if let random = flips.randomFlipped { variants.append(("random", logits(flips, variant: 2, final: random))) }
        if inside.height < 9 {
            renderCompact(flips, variants: variants, into: &grid, inside: inside, context: context)
            return
        }
        let infoRows = view == .atCursor ? 4 : 2
        let blockHeight = max(3, min(6, (inside.height - infoRows) / 3))
        let originalLoss = flips.summary(of: variants[0].1).loss
        for (index, variant) in variants.enumerated() {
            let top = inside.minY + index * blockHeight
            guard top + blockHeight <= inside.maxY - infoRows || index == 0 else { break }
            let summary = flips.summary(of: variant.1)
            let line = pad(variant.0, 10) + "pred \(className(summary.predicted))  p " + Format.fixed(summary.probabilities[summary.predicted], 2)
            let lineStyle = context.style(summary.predicted == flips.label ? .foreground : .negative, .bold)
            grid.put(line: line, in: Rect(x: inside.minX, y: top, width: inside.width, height: 1), row: 0, style: lineStyle,
                     context: context)
            // The bars with their probability scale (0 to 1) on the left.
            // Each bar labelled with its class name's first character (the index by default), as
            // "pred" names it.
            let bars = summary.probabilities.enumerated().map { BarChart.Bar(value: $0.element, label: String(className($0.offset).prefix(1))) }
            let chart = BarChart(bars: bars, barWidth: 1, gap: 1, valueRange: 0...1,
                                 highlightedIndex: flips.labelIsPredicted ? nil : flips.label, showsScale: true)
            let chartWidth = chart.scaleWidth() + 2 * bars.count - 1
            chart.render(into: &grid, area: Rect(x: inside.minX, y: top + 1, width: min(chartWidth, inside.width), height: blockHeight - 1),
                         context: context)
            // Right of the bars: the loss, and for flipped inputs its change.
            let side = Rect(x: inside.minX + chartWidth + 1, y: top + 1, width: max(0, inside.width - chartWidth - 1),
                            height: blockHeight - 1)
            grid.put(line: "loss", in: side, row: 0, style: context.style(.dim), context: context)
            grid.put(line: Format.fixed(summary.loss, 3), in: side, row: 1, style: context.style(.foreground), context: context)
            if index > 0 {
                grid.put(line: context.text("Δloss", ascii: "dloss"), in: side, row: 2, style: context.style(.dim), context: context)
                grid.put(line: Self.deltaText(summary.loss - originalLoss, width: side.width), in: side, row: 3,
                         style: context.style(.accent, .bold), context: context)
            }
        }
        let info = infoText(flips, context: context)
        if view == .atCursor {
            // Above the label: p(label) over t, then how many flips act at t and the view key.
            if let first = flips.stepLogits.first, !first.isEmpty {
                drawLabelTrace(first.map { flips.summary(of: $0).probabilities[flips.label] }, label: flips.label,
                               into: &grid, row: Rect(x: inside.minX, y: inside.maxY - 4, width: inside.width, height: 1),
                               context: context)
            }
            var notes: [(text: String, key: ThemeKey)] = []
            if flips.request.mode != nil || flips.request.ablation != nil {
                let presented = flips.rFlippedPixels.filter { $0 < stepOfPixel.count && stepOfPixel[$0] <= t }.count
                notes.append(("\(presented)/\(flips.rFlippedPixels.count) \(isSequence ? "ablations" : "flips") act by t", .dim))
            }
            notes.append(("\(viewKey): p(o_T)", .dim))
            FlowText.draw(notes, into: &grid, area: Rect(x: inside.minX, y: inside.maxY - 3, width: inside.width, height: 1),
                          context: context)
        }
        let labelLine = flips.labelIsPredicted ? "no label: loss vs pred \(className(flips.label))" : "label \(className(flips.label))"
        grid.put(line: labelLine, in: inside, row: inside.height - 2, style: context.style(.title, .bold), context: context)
        grid.put(line: info, in: inside, row: inside.height - 1, style: context.style(.dim), context: context)
    }

    /// The flip (ablation) settings line: "k 10 up flips · seed 0", "flips off · top-10 marked".
    private func infoText(_ flips: FlipResult, context: RenderContext) -> String {
        var info: String
        if isSequence {
            let flipped = flips.rFlippedPixels.count
            if let baseline = flips.request.ablation {
                info = "k \(flipped)" + context.separator + context.text("x_t←", ascii: "x_t<-") + (baseline == .zero ? "0" : "mean")
                    + context.separator + "seed \(flips.request.baselineSeed)"
            } else {
                info = "ablation off" + context.separator + "top-\(flips.topPixels.count) marked"
            }
        } else if let mode = flips.request.mode {
            // k above the image's candidates: every candidate flips, so the random baseline is
            // the ranked set (the k_effective of `ftle perturb`).
            let flipped = flips.rFlippedPixels.count
            info = flipped < flips.request.count
                ? "k \(flipped) of \(flipped) \(mode.rawValue)" + context.separator + "random = ranked"
                : "k \(flips.request.count) \(mode.rawValue) flips" + context.separator + "seed \(flips.request.baselineSeed)"
        } else {
            info = "flips off" + context.separator + "top-\(flips.topPixels.count) marked"
        }
        if isStale { info = context.computing + " " + info }
        return info
    }

    /// The strip below 120×40 (inside < 9 rows): a header row of class indices and columns,
    /// one row per input — its name, p over the classes as one level glyph each (the label's in
    /// the cursor colour), the predicted class, its p, the loss and the loss change — and the
    /// label with the flip settings.
    private func renderCompact(_ flips: FlipResult, variants: [(String, [Double])], into grid: inout Grid, inside: Rect,
                               context: RenderContext) {
        let classes = variants[0].1.count
        let nameWidth = 10
        let predWidth = max(5, (0..<classes).map { className($0).count }.max() ?? 1) + 1
        let barsX = inside.minX + nameWidth, fieldsX = barsX + classes + 1
        let header = Rect(x: inside.minX, y: inside.minY, width: inside.width, height: 1)
        grid.put(text: (0..<classes).map { String(className($0).prefix(1)) }.joined(), at: (barsX, header.minY),
                 style: context.style(.dim), clip: header)
        grid.put(text: pad("pred", predWidth) + pad("p", 5) + pad("loss", 7) + context.text("Δloss", ascii: "dloss"),
                 at: (fieldsX, header.minY), style: context.style(.dim), clip: header)
        let originalLoss = flips.summary(of: variants[0].1).loss
        let levels = context.glyphs.sparkLevels
        for (index, variant) in variants.enumerated() where index + 1 < inside.height - 1 {
            let y = inside.minY + 1 + index
            let row = Rect(x: inside.minX, y: y, width: inside.width, height: 1)
            let summary = flips.summary(of: variant.1)
            let lineStyle = context.style(summary.predicted == flips.label ? .foreground : .negative, .bold)
            grid.put(text: variant.0, at: (inside.minX, y), style: lineStyle, clip: row)
            for (c, p) in summary.probabilities.enumerated() {
                let level = min(levels.count - 1, max(0, Int((p * Double(levels.count - 1)).rounded())))
                let key: ThemeKey = c == flips.label && !flips.labelIsPredicted ? .cursor : .foreground
                grid.put(text: String(levels[level]), at: (barsX + c, y), style: context.style(key), clip: row)
            }
            var fields = pad(className(summary.predicted), predWidth) + pad(Format.fixed(summary.probabilities[summary.predicted], 2), 5)
                + pad(Format.fixed(summary.loss, 3), 7)
            if index > 0 { fields += Self.deltaText(summary.loss - originalLoss, width: 7) }
            grid.put(text: fields, at: (fieldsX, y), style: lineStyle, clip: row)
        }
        let labelLine = flips.labelIsPredicted ? "no label: loss vs pred \(className(flips.label))" : "label \(className(flips.label))"
        let last = Rect(x: inside.minX, y: inside.maxY - 1, width: inside.width, height: 1)
        let x = grid.put(text: labelLine, at: (last.minX, last.minY), style: context.style(.title, .bold), clip: last)
        grid.put(text: context.separator + infoText(flips, context: context), at: (x, last.minY), style: context.style(.dim), clip: last)
    }

    /// "p(7) 0…1 ▁▂▅█…" : the original's p(label) at every step, cursor at t.
    private func drawLabelTrace(_ values: [Double], label: Int, into grid: inout Grid, row: Rect, context: RenderContext) {
        let name = "p(\(label)) 0-1 "
        let x = grid.put(text: name, at: (row.minX, row.minY), style: context.style(.dim), clip: row)
        Sparkline(values: values, cursor: t - 1, range: 0...1)
            .render(into: &grid, area: Rect(x: x, y: row.minY, width: max(0, row.maxX - x), height: 1), context: context)
    }

    /// The loss change as "+0.694", or "+4e-04" when that does not fit `width` (a small
    /// change never reads as a cut-off "+0.00…").
    static func deltaText(_ value: Double, width: Int) -> String {
        let text = Format.signed(value, 3)
        guard text.count > width, value.isFinite else { return text }
        return String(format: "%+.0e", value)
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(1, width - text.count))
    }
}
