import TerminalUI

/// ln r_t^1 over the sequence as a sparkline: the cursor at t, the steps of the top-k
/// R-ranked pixels in `topK`; below it the value at t.
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
        Sparkline(values: values, cursor: t - 1, marks: marks).render(into: &grid, area: lineArea(in: area), context: context)
        var info = "t \(t): ln r1 = "
        info += t <= spectrum.stepsDone ? Format.significant(values[t - 1], 4) : "?"
        if !spectrum.isComplete { info += context.separator + context.computing + " \(spectrum.stepsDone)/\(spectrum.totalSteps)" }
        if let markedSteps { info += context.separator + "top-\(markedSteps.count) steps marked" }
        grid.put(line: info, in: inside, row: 1, style: context.style(.dim), context: context)
    }

    /// The row holding the sparkline when the pane is drawn in `area`.
    func lineArea(in area: Rect) -> Rect {
        let inside = Block().inner(area)
        return Rect(x: inside.minX, y: inside.minY, width: inside.width, height: min(1, inside.height))
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
