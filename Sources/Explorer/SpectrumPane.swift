import TerminalUI

/// λ_k(t) for k = 1…K at the current t as bars around zero (scrolled with `[` `]`), and
/// λ_1, λ_2, λ_3 over t with a cursor at t.
struct SpectrumPane: Widget {
    var t: Int
    var spectrum: SpectrumResult?
    /// The first k shown by the bars (`[` `]`).
    var scroll: Int
    var isFocused = false

    func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        let lambda = context.lambda
        let inside = PaneFrame.draw(title: "FTLE spectrum" + context.separator + "\(lambda)_k(t)", isFocused: isFocused,
                                    into: &grid, area: area, context: context)
        guard inside.height >= 3 else { return }
        guard let spectrum else {
            PaneFrame.placeholder(context.computing, into: &grid, inside: inside, context: context)
            return
        }
        let (top, plots) = inside.splitTop(1)
        guard let exponents = spectrum.exponents(atStep: t) else {
            let text = "t \(t): " + context.computing + " \(spectrum.stepsDone)/\(spectrum.totalSteps) steps"
            grid.put(line: text, in: top, row: 0, style: context.style(.dim), context: context)
            drawTraces(spectrum, into: &grid, area: plots, context: context)
            return
        }
        var info = "t \(t)  K \(spectrum.directions)"
        for (k, value) in exponents.prefix(3).enumerated() { info += "  \(lambda)\(k + 1) " + Format.significant(value, 4) }
        if !spectrum.isComplete { info += context.separator + context.computing }
        grid.put(line: info, in: top, row: 0, style: context.style(.foreground), context: context)

        // A legend row under everything when there is room for it.
        let (body, legendRow) = plots.height >= 8 ? plots.splitBottom(1) : (plots, Rect(x: 0, y: 0, width: 0, height: 0))
        let chart = BarChart(bars: exponents.map { BarChart.Bar(value: $0) }, barWidth: 1, gap: 1, showsScale: true)
        let scaleWidth = chart.scaleWidth()
        let barsWidth = min(2 * spectrum.directions, max(body.width / 2, 10)) + scaleWidth
        let (barsArea, tracesArea) = body.splitLeft(barsWidth)
        let visible = chart.visibleBarCount(width: barsArea.width - scaleWidth)
        let offset = min(scroll, max(0, exponents.count - visible))
        let (bars, labelRow) = barsArea.splitBottom(1)
        var scrolled = chart
        scrolled.scrollOffset = offset
        scrolled.render(into: &grid, area: bars, context: context)
        let labels = Rect(x: labelRow.minX + scaleWidth, y: labelRow.minY, width: labelRow.width - scaleWidth, height: 1)
        let last = min(offset + visible, exponents.count)
        let firstLabel = "k\(offset + 1)", lastLabel = "k\(last)"
        grid.put(text: firstLabel, at: (labels.minX, labels.minY), style: context.style(.dim), clip: labels)
        let lastStart = labels.minX + 2 * (last - offset - 1) - lastLabel.count + 1
        if lastStart > labels.minX + firstLabel.count {
            grid.put(text: lastLabel, at: (lastStart, labels.minY), style: context.style(.dim), clip: labels)
        }
        let zeroLine = context.text("▔", ascii: "-")
        let legend = "\(zeroLine) 0 line" + context.separator + "end block = part of a row" + context.separator
            + context.text("│", ascii: "|") + " = t"
        grid.put(line: legend, in: legendRow, row: 0, style: context.style(.dim), context: context)
        let tracesInset = Rect(x: tracesArea.minX + 2, y: tracesArea.minY, width: tracesArea.width - 2, height: tracesArea.height)
        drawTraces(spectrum, into: &grid, area: tracesInset, context: context)
    }

    private func drawTraces(_ spectrum: SpectrumResult, into grid: inout Grid, area: Rect, context: RenderContext) {
        guard area.height >= 3, area.width >= 12 else { return }
        let (legend, chartArea) = area.splitTop(1)
        let count = min(3, spectrum.directions)
        var x = legend.minX
        for k in 0..<count {
            x = grid.put(text: "\(context.lambda)\(k + 1)(t) ", at: (x, legend.minY),
                         style: Style(foreground: context.theme.seriesColor(k), background: context.theme[.background]),
                         clip: legend)
        }
        let series = (0..<count).map { k in
            LineChart.Series(name: "\(context.lambda)\(k + 1)",
                             points: spectrum.exponents.enumerated().map { LineChart.Point(x: Double($0.offset + 1), y: $0.element[k]) })
        }
        LineChart(series: series, xRange: 1...Double(max(spectrum.totalSteps, 2)), cursorX: Double(t))
            .render(into: &grid, area: chartArea, context: context)
    }
}
