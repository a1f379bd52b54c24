import TerminalUI

/// ln r_t^1 over the sequence as a sparkline — or, in a pane of 6 rows and more (200×60), as
/// signed bars over all but the last two rows — one column per step: the cursor at t, the
/// steps of the top-k R-ranked pixels in `topK`; below it the value at t.
struct RTracePane: Widget {
    var t: Int
    var steps: Int
    var spectrum: SpectrumResult?
    /// The steps (1-based) of the top-k pixels, when the flip result is in.
    var markedSteps: [Int]?
    var isFocused = false

    func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        let inside = PaneFrame.draw(title: "R trace" + context.separator + "ln r1(t)", isFocused: isFocused,
                                    into: &grid, area: area, context: context)
        guard !inside.isEmpty else { return }
        guard let spectrum else {
            PaneFrame.placeholder(context.computing, into: &grid, inside: inside, context: context)
            return
        }
        let values = paddedValues(spectrum)
        var marks: [Int: Color] = [:]
        for step in markedSteps ?? [] { marks[step - 1] = context.theme[.topK] }
        let chartArea = lineArea(in: area)
        if chartArea.height > 1 {
            // Bars around zero, one column per step, in the window the sparkline would show.
            let first = Sparkline.firstVisibleIndex(count: values.count, width: chartArea.width, cursor: t - 1)
            let shown = values[first..<min(values.count, first + chartArea.width)]
            let bars = shown.enumerated().map { offset, value in
                BarChart.Bar(value: value, color: first + offset == t - 1 ? context.theme[.cursor] : marks[first + offset])
            }
            let finite = values.filter(\.isFinite)
            let range = (finite.min() ?? -1)...(finite.max() ?? 1)
            BarChart(bars: bars, barWidth: 1, gap: 0, valueRange: range).render(into: &grid, area: chartArea, context: context)
        } else {
            Sparkline(values: values, cursor: t - 1, marks: marks).render(into: &grid, area: chartArea, context: context)
        }
        // The value at t, the window shown and its scale, and what the colours mean, flowed
        // over the rows under the sparkline.
        var fields = ["t \(t): ln r1 = " + (t <= spectrum.stepsDone ? Format.significant(values[t - 1], 4) : "?")]
        let line = lineArea(in: area)
        let first = Sparkline.firstVisibleIndex(count: values.count, width: line.width, cursor: t - 1)
        fields.append("steps \(first + 1)-\(min(first + line.width, values.count)) of \(steps)")
        let finite = values.filter(\.isFinite)
        if let low = finite.min(), let high = finite.max() {
            fields.append(context.text("▁", ascii: "_") + " " + NumberFormat.compact(low) + " to "
                          + context.text("█", ascii: "#") + " " + NumberFormat.compact(high))
        }
        if !spectrum.isComplete { fields.append(context.computing + " \(spectrum.stepsDone)/\(spectrum.totalSteps)") }
        var legend: [(name: String, key: ThemeKey)] = [("t", .cursor)]
        if let markedSteps { legend.append(("top-\(markedSteps.count) steps", .topK)) }
        let rows = Rect(x: inside.minX, y: chartArea.maxY, width: inside.width, height: max(0, inside.maxY - chartArea.maxY))
        FlowText.draw(fields.map { ($0, ThemeKey.dim) }, marks: legend, into: &grid, area: rows, context: context)
    }

    /// The rows holding the sparkline (one) or the bars (all but two, from 6 rows inside) when
    /// the pane is drawn in `area`.
    func lineArea(in area: Rect) -> Rect {
        let inside = Block().inner(area)
        return Rect(x: inside.minX, y: inside.minY, width: inside.width, height: inside.height >= 6 ? inside.height - 2 : min(1, inside.height))
    }

    /// The step under (x, y) when the pane is drawn in `area`, or nil off the sparkline.
    func step(atX x: Int, y: Int, in area: Rect) -> Int? {
        let line = lineArea(in: area)
        guard line.contains(x: x, y: y) else { return nil }
        let first = Sparkline.firstVisibleIndex(count: steps, width: line.width, cursor: t - 1)
        let step = first + (x - line.minX) + 1
        return step <= steps ? step : nil
    }

    private func paddedValues(_ spectrum: SpectrumResult) -> [Double] {
        spectrum.firstLogR + [Double](repeating: .nan, count: max(0, steps - spectrum.stepsDone))
    }
}
