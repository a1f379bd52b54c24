import TerminalUI

/// The cosines A_t = Q_tᵀ E_t as a half-block heatmap: one matrix row per Q vector
/// (q1 at the top, two per cell row, or a cell row and more each when the pane is tall
/// enough), a column pair (more in a wide pane) per singular vector (the first five of
/// ΔV_t, a gap, the last five), on the theme's diverging scale (signed, −1…1) or its
/// sequential scale (absolute, 0 dark … 1 bright), with a legend. Q vectors that do not
/// fit scroll with `[` `]`.
struct AlignmentPane: Widget {
    /// Cells per singular vector.
    static let columnWidth = 2

    var t: Int
    var result: AlignmentResult?
    var scale: AlignmentScale
    var view: AlignmentView
    /// Q vectors or CLVs (`C`): the title says which, and the rows are q_i or v_i.
    var basis: AlignmentBasis = .q
    /// H, for the 1/√H level of the spread view.
    var hidden: Int
    var traceComplete: Bool
    /// The keys that switch the scale and the view (from the key table).
    var scaleKey: String
    var viewKey: String
    var isFocused = false
    /// The first Q vector shown (0-based; `[` `]` while the pane has the focus), and those keys.
    var scroll = 0
    var scrollKeys = "[ ]"

    func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        let viewName = view == .heatmap ? scale.rawValue : "spread vs q"
        let frameName = basis == .q ? "Q" : "V"
        let title = "Alignment " + frameName + context.text("ᵀ", ascii: "'") + "E" + (basis == .clv ? " (CLV)" : "")
            + context.separator + "t \(t)" + context.separator + viewName
        let inside = PaneFrame.draw(title: title, isFocused: isFocused, into: &grid, area: area, context: context)
        guard inside.height >= 4 else { return }
        guard let result else {
            PaneFrame.placeholder(traceComplete: traceComplete, into: &grid, inside: inside, context: context)
            return
        }
        if let note = result.note {
            PaneFrame.note(note, into: &grid, inside: inside, context: context)
            return
        }
        if result.singularIndices.isEmpty {
            PaneFrame.note("ΔV is zero at t \(result.t): no singular vectors to compare", into: &grid, inside: inside, context: context)
            return
        }
        if view == .spreadByIndex {
            renderSpread(result, into: &grid, inside: inside, context: context)
            return
        }
        let labelWidth = 4
        let firstCount = min(5, result.singularIndices.count)
        let lastCount = result.singularIndices.count - firstCount
        // Each singular vector takes 2 columns, more when the pane is wider (zoomed, say), so
        // the heatmap grows with the pane.
        let columnWidth = max(Self.columnWidth, min(12, (inside.width - labelWidth - 1) / max(result.singularIndices.count, 1)))
        let heatColumns = columnWidth * result.singularIndices.count + (lastCount > 0 ? 1 : 0)
        // Header: which singular vectors.
        let lastStart = labelWidth + columnWidth * firstCount + 1
        grid.put(text: "e1-\(firstCount)", at: (inside.minX + labelWidth, inside.minY), style: context.style(.dim), clip: inside)
        if lastCount > 0, let first = result.singularIndices.dropFirst(firstCount).first,
           let last = result.singularIndices.last {
            grid.put(text: "e\(first + 1)-\(last + 1)", at: (inside.minX + lastStart, inside.minY),
                     style: context.style(.dim), clip: inside)
        }
        // Heatmap rows: `rowsPerQ` matrix rows (half cells) per Q vector — 1 (two Q vectors per
        // cell row) unless the pane is tall enough to give each more — as many as fit, from
        // q(firstQ + 1) on (`[` `]` scroll when they do not all fit).
        // The CLV basis adds a row: the min-angle trace against t.
        let angleRow = basis == .clv && result.minAngles != nil
        let footerRows = angleRow ? 3 : 2
        let available = max(0, inside.height - 1 - footerRows)
        let rowsPerQ = max(1, min(6, 2 * available / max(result.directions, 1)))
        let fitting = 2 * available / rowsPerQ
        let firstQ = min(max(scroll, 0), max(0, result.directions - fitting))
        let shownQ = max(0, min(result.directions - firstQ, fitting))
        let cellRows = (shownQ * rowsPerQ + 1) / 2
        var values: [Double] = []
        values.reserveCapacity(shownQ * rowsPerQ * heatColumns)
        for i in firstQ..<(firstQ + shownQ) {
            var row: [Double] = []
            for column in 0..<result.singularIndices.count {
                if column == firstCount { row.append(.nan) }
                let cosine = result.cosine(q: i, column: column)
                let value = scale == .signed ? cosine : abs(cosine)
                for _ in 0..<columnWidth { row.append(value) }
            }
            for _ in 0..<rowsPerQ { values += row }
        }
        let mapping: ScaleMapping = scale == .signed ? .signed(limit: 1) : .sequential(0...1)
        let heatArea = Rect(x: inside.minX + labelWidth, y: inside.minY + 1, width: heatColumns, height: cellRows)
        if shownQ > 0 {
            HalfBlockMatrix(rows: shownQ * rowsPerQ, columns: heatColumns, values: values, mapping: mapping)
                .render(into: &grid, area: heatArea, context: context)
        }
        for i in 0..<shownQ where rowsPerQ > 1 || i % 2 == 0 {
            grid.put(text: "\(vectorName)\(firstQ + i + 1)", at: (inside.minX, heatArea.minY + i * rowsPerQ / 2), style: context.style(.dim),
                     clip: inside)
        }
        let legendY = heatArea.maxY
        ColorScaleLegend(mapping: mapping)
            .render(into: &grid, area: Rect(x: inside.minX + labelWidth, y: legendY, width: min(heatColumns + 8, inside.width - labelWidth), height: 1),
                    context: context)
        var info = "\(vectorName)\(firstQ + 1)-\(firstQ + shownQ) of K=\(result.directions)" + context.separator + "rank \(result.rank)"
            + context.separator + "\(scaleKey): signed/abs"
        if shownQ < result.directions { info += context.separator + "\(scrollKeys): scroll \(vectorName)" }
        if result.t != t { info = "showing t \(result.t); " + context.computing }
        grid.put(line: info, in: inside, row: legendY - inside.minY + 1, style: context.style(.dim), context: context)
        if angleRow, let angles = result.minAngles, legendY + 2 < inside.maxY {
            renderAngleTrace(angles, row: legendY + 2, into: &grid, inside: inside, context: context)
        }
    }

    /// "min angle" and a sparkline of the smallest splitting angle of the CLVs against t
    /// (steps W+1…T−W, the cursor at t), with its value at t in degrees.
    private func renderAngleTrace(_ angles: (steps: ClosedRange<Int>, radians: [Double]), row y: Int, into grid: inout Grid,
                                  inside: Rect, context: RenderContext) {
        let cursor = angles.steps.contains(t) ? t - angles.steps.lowerBound : nil
        let value = cursor.map { String(format: " %.1f", angles.radians[$0] * 180 / .pi) + context.text("°", ascii: " deg") } ?? ""
        let x = grid.put(text: "min angle ", at: (inside.minX, y), style: context.style(.dim), clip: inside)
        let width = max(0, min(angles.radians.count, inside.maxX - x - value.count - 1))
        Sparkline(values: angles.radians, cursor: cursor, range: 0...(Double.pi / 2))
            .render(into: &grid, area: Rect(x: x, y: y, width: width, height: 1), context: context)
        grid.put(text: value, at: (x + width, y), style: context.style(.dim), clip: inside)
    }

    /// The rows' name: q (Q vectors) or v (CLVs).
    private var vectorName: String { basis == .q ? "q" : "v" }

    /// Figure 2 for this image at t: std over the leading (trailing) five singular vectors of
    /// q_i · e_j against the Q index i, and the level 1/√H of directions in general position.
    private func renderSpread(_ result: AlignmentResult, into grid: inout Grid, inside: Rect, context: RenderContext) {
        let leading = result.spreadByIndex(leading: true), trailing = result.spreadByIndex(leading: false)
        let baseline = 1 / Double(max(hidden, 1)).squareRoot()
        let trailingStart = result.singularIndices.dropFirst(result.leadingCount).first.map { $0 + 1 }
        let trailingEnd = result.singularIndices.last.map { $0 + 1 }
        // Legend row in the series colours.
        var x = inside.minX
        var names = ["e1-\(result.leadingCount)"]
        if !trailing.isEmpty, let trailingStart, let trailingEnd { names.append("e\(trailingStart)-\(trailingEnd)") }
        for (index, name) in names.enumerated() {
            x = grid.put(text: name + " ", at: (x, inside.minY),
                         style: Style(foreground: context.theme.seriesColor(index), background: context.theme[.background]),
                         clip: inside)
        }
        grid.put(text: "1/" + context.text("√", ascii: "sqrt ") + "H", at: (x, inside.minY),
                 style: Style(foreground: context.theme.seriesColor(2), background: context.theme[.background]), clip: inside)
        let chartArea = Rect(x: inside.minX, y: inside.minY + 1, width: inside.width, height: max(0, inside.height - 2))
        let count = result.directions
        func points(_ values: [Double]) -> [LineChart.Point] {
            values.enumerated().map { LineChart.Point(x: Double($0.offset + 1), y: $0.element) }
        }
        var series = [LineChart.Series(name: names[0], points: points(leading))]
        if !trailing.isEmpty { series.append(LineChart.Series(name: names[1], points: points(trailing))) }
        series.append(LineChart.Series(name: "1/sqrt H", points: [LineChart.Point(x: 1, y: baseline),
                                                                   LineChart.Point(x: Double(max(count, 2)), y: baseline)],
                                       color: context.theme.seriesColor(2)))
        let top = max((leading + trailing).max() ?? 0, baseline) * 1.1
        if chartArea.height >= 3 {
            LineChart(series: series, xRange: 1...Double(max(count, 2)), yRange: 0...max(top, 1e-6))
                .render(into: &grid, area: chartArea, context: context)
        }
        var info = "\(vectorName)1-\(count)" + context.separator + "1/" + context.text("√", ascii: "sqrt ") + "H = "
            + NumberFormat.compact(baseline) + context.separator + "\(viewKey): heatmap"
        if result.t != t { info = "showing t \(result.t); " + context.computing }
        grid.put(line: info, in: inside, row: inside.height - 1, style: context.style(.dim), context: context)
    }
}
