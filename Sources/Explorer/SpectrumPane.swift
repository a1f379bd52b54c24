import TerminalUI

/// λ_k(t) for k = 1…K at the current t as bars around zero (as many as fit, on their own
/// scale, scrolled with `[` `]`), and λ_1, λ_2, λ_3 over t with a cursor at t, each line
/// marked with its number.
struct SpectrumPane: Widget {
    var t: Int
    var spectrum: SpectrumResult?
    /// The first k shown by the bars (`[` `]`).
    var scroll: Int
    var isFocused = false
    /// The keys that scroll the bars (from the key table), for the legend.
    var scrollKeys = "[ ]"

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
        // The bars get up to half the width (2/5 in a narrow pane; the λ(t) traces the rest);
        // only the bars that fit are drawn, on the scale of those bars (with K = 128 the last
        // exponents would otherwise squash the leading ones into one row), and the legend says which.
        let barColumns = min(2 * spectrum.directions - 1, max(body.width < 60 ? body.width * 2 / 5 : body.width / 2, 10))
        let visible = max(1, (barColumns + 1) / 2)
        let offset = min(scroll, max(0, exponents.count - visible))
        let last = min(offset + visible, exponents.count)
        let chart = BarChart(bars: exponents[offset..<last].map { BarChart.Bar(value: $0) }, barWidth: 1, gap: 1, showsScale: true)
        let scaleWidth = chart.scaleWidth()
        let (barsArea, tracesArea) = body.splitLeft(min(body.width, barColumns + scaleWidth))
        let (bars, labelRow) = barsArea.splitBottom(1)
        chart.render(into: &grid, area: bars, context: context)
        let labels = Rect(x: labelRow.minX + scaleWidth, y: labelRow.minY, width: max(0, labelRow.width - scaleWidth), height: 1)
        let firstLabel = "k\(offset + 1)", lastLabel = "k\(last)"
        grid.put(text: firstLabel, at: (labels.minX, labels.minY), style: context.style(.dim), clip: labels)
        let lastStart = labels.minX + 2 * (last - offset - 1) - lastLabel.count + 1
        if lastStart > labels.minX + firstLabel.count {
            grid.put(text: lastLabel, at: (lastStart, labels.minY), style: context.style(.dim), clip: labels)
        }
        let zeroLine = context.text("▔", ascii: "-")
        var legend = "\(zeroLine) 0 line" + context.separator + context.text("│", ascii: "|") + " = t"
        if last - offset < exponents.count {
            legend += context.separator + "k\(offset + 1)-\(last) of \(exponents.count) (\(scrollKeys) scroll)"
        }
        grid.put(line: legend, in: legendRow, row: 0, style: context.style(.dim), context: context)
        let tracesInset = Rect(x: tracesArea.minX + 2, y: tracesArea.minY, width: max(0, tracesArea.width - 2), height: tracesArea.height)
        drawTraces(spectrum, into: &grid, area: tracesInset, context: context)
    }

    private func drawTraces(_ spectrum: SpectrumResult, into grid: inout Grid, area: Rect, context: RenderContext) {
        guard area.height >= 3, area.width >= 12 else { return }
        let (legend, chartArea) = area.splitTop(1)
        let count = min(3, spectrum.directions)
        // Each line carries its number as a marker every few columns (λ1 1, λ2 2, λ3 3), so the
        // lines tell apart without colour; the legend pairs marker and name.
        let markers: [Character] = ["1", "2", "3"]
        let long = count * 9 - 2 <= legend.width
        var x = legend.minX
        for k in 0..<count {
            let style = Style(foreground: context.theme.seriesColor(k), background: context.theme[.background])
            x = grid.put(text: String(markers[k]), at: (x, legend.minY), style: Style(foreground: style.foreground, background: style.background,
                                                                                      attributes: .bold), clip: legend)
            x = grid.put(text: " \(context.lambda)\(k + 1)" + (long ? "(t)" : "") + "  ", at: (x, legend.minY), style: style, clip: legend)
        }
        let series = (0..<count).map { k in
            LineChart.Series(name: "\(context.lambda)\(k + 1)",
                             points: spectrum.exponents.enumerated().map { LineChart.Point(x: Double($0.offset + 1), y: $0.element[k]) },
                             marker: markers[k])
        }
        LineChart(series: series, xRange: 1...Double(max(spectrum.totalSteps, 2)), cursorX: Double(t))
            .render(into: &grid, area: chartArea, context: context)
    }
}
