import TerminalUI

/// ln r_t^1 over the sequence as a sparkline: the cursor at t, the steps of the top-k
/// R-ranked pixels in `topK`; below it the value at t.
enum RTracePane {
    static func render(_ state: ExplorerState, into grid: inout Grid, area: Rect) {
        let context = state.context
        let inside = PaneFrame.draw(.rTrace, title: "R trace" + context.separator + "ln r1(t)", state: state,
                                    into: &grid, area: area)
        guard !inside.isEmpty else { return }
        guard let spectrum = state.currentSpectrum else {
            grid.put(line: context.computing, in: inside, row: 0, style: context.style(.dim), context: context)
            return
        }
        var values = spectrum.firstLogR
        values += [Double](repeating: .nan, count: max(0, state.steps - values.count))
        var marks: [Int: Color] = [:]
        if let flips = state.currentFlips { for step in flips.topSteps { marks[step - 1] = context.theme[.topK] } }
        Sparkline(values: values, cursor: state.t - 1, marks: marks)
            .render(into: &grid, area: Rect(x: inside.minX, y: inside.minY, width: inside.width, height: 1), context: context)
        var info = "t \(state.t): ln r1 = "
        info += state.t <= spectrum.stepsDone ? Format.fixed(values[state.t - 1], 4) : "?"
        if !spectrum.isComplete { info += context.separator + context.computing + " \(spectrum.stepsDone)/\(spectrum.totalSteps)" }
        if let flips = state.currentFlips { info += context.separator + "top-\(flips.topPixels.count) steps marked" }
        grid.put(line: info, in: inside, row: 1, style: context.style(.dim), context: context)
    }
}
