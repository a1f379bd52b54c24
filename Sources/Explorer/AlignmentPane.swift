import TerminalUI

/// The cosines A_t = Q_tᵀ E_t as a half-block heatmap: one matrix row per Q vector
/// (q1 at the top, two per cell row), one column pair per singular vector (the first five
/// of ΔV_t, a gap, the last five), on the theme's diverging scale (signed, −1…1) or its
/// upper half (absolute, 0…1), with a legend.
enum AlignmentPane {
    /// Cells per singular vector.
    static let columnWidth = 2

    static func render(_ state: ExplorerState, into grid: inout Grid, area: Rect) {
        let context = state.context
        let title = "Alignment Q" + context.text("ᵀ", ascii: "'") + "E" + context.separator + "t \(state.t)"
            + context.separator + state.alignmentScale.rawValue
        let inside = PaneFrame.draw(.alignment, title: title, state: state, into: &grid, area: area)
        guard inside.height >= 4 else { return }
        guard let result = state.currentAlignment else {
            let waiting = state.currentSpectrum?.isComplete == true ? context.computing
                : context.text("waiting for the trace…", ascii: "waiting for the trace...")
            grid.put(line: waiting, in: inside, row: 0, style: context.style(.dim), context: context)
            return
        }
        let labelWidth = 4
        let firstCount = min(5, result.singularIndices.count)
        let lastCount = result.singularIndices.count - firstCount
        let heatColumns = columnWidth * result.singularIndices.count + (lastCount > 0 ? 1 : 0)
        // Header: which singular vectors.
        let lastStart = labelWidth + columnWidth * firstCount + 1
        grid.put(text: "e1-\(firstCount)", at: (inside.minX + labelWidth, inside.minY), style: context.style(.dim), clip: inside)
        if lastCount > 0, let first = result.singularIndices.dropFirst(firstCount).first,
           let last = result.singularIndices.last {
            grid.put(text: "e\(first + 1)-\(last + 1)", at: (inside.minX + lastStart, inside.minY),
                     style: context.style(.dim), clip: inside)
        }
        // Heatmap rows: as many Q vectors as fit (two per cell row).
        let footerRows = 2
        let cellRows = max(0, min((result.directions + 1) / 2, inside.height - 1 - footerRows))
        let shownQ = min(result.directions, 2 * cellRows)
        var values: [Double] = []
        values.reserveCapacity(shownQ * heatColumns)
        for i in 0..<shownQ {
            for column in 0..<result.singularIndices.count {
                if column == firstCount { values.append(.nan) }
                let cosine = result.cosine(q: i, column: column)
                let value = state.alignmentScale == .signed ? cosine : abs(cosine)
                for _ in 0..<columnWidth { values.append(value) }
            }
        }
        let mapping: ScaleMapping = state.alignmentScale == .signed ? .signed(limit: 1) : .absolute(0...1)
        let heatArea = Rect(x: inside.minX + labelWidth, y: inside.minY + 1, width: heatColumns, height: cellRows)
        if shownQ > 0 {
            HalfBlockMatrix(rows: shownQ, columns: heatColumns, values: values, mapping: mapping)
                .render(into: &grid, area: heatArea, context: context)
        }
        for row in 0..<cellRows {
            grid.put(text: "q\(2 * row + 1)", at: (inside.minX, heatArea.minY + row), style: context.style(.dim), clip: inside)
        }
        let legendY = heatArea.maxY
        ColorScaleLegend(mapping: mapping)
            .render(into: &grid, area: Rect(x: inside.minX + labelWidth, y: legendY, width: min(heatColumns + 8, inside.width - labelWidth), height: 1),
                    context: context)
        var info = "q1-\(shownQ) of K=\(result.directions)" + context.separator + "a: signed/abs"
        if result.t != state.t { info = "showing t \(result.t); " + context.computing }
        grid.put(line: info, in: inside, row: legendY - inside.minY + 1, style: context.style(.dim), context: context)
    }
}
