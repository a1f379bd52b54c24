import Foundation

/// One histogram panel: bin edges (n + 1, increasing) and counts (n), drawn as bars.
///
/// `label` is shown above the panel with a colour swatch (the panel's legend), e.g.
/// "first 10 Q (std 0.083)". Counts may be densities (any non-negative Double).
public struct HistogramPanel: Sendable, Equatable {
    public var label: String
    public var binEdges: [Double]
    public var counts: [Double]
    /// Bar colour; nil picks the panel's position in `Palette.okabeIto`.
    public var color: RGBColor?

    /// Precondition: binEdges.count == counts.count + 1.
    public init(label: String, binEdges: [Double], counts: [Double], color: RGBColor? = nil) {
        precondition(binEdges.count == counts.count + 1,
                     "a histogram with \(counts.count) bins needs \(counts.count + 1) edges, got \(binEdges.count)")
        self.label = label
        self.binEdges = binEdges
        self.counts = counts
        self.color = color
    }
}

/// Histogram panels stacked vertically over a common x axis (Fig. 1: alignment values of the
/// first / last / random 10 Q vectors).
///
/// Drawing: one `<rect class="data-bar">` per bin whose count is finite and > 0 and whose edges
/// are finite (other bins draw nothing); each panel has its own y axis from 0 (nice ticks), the
/// x range covers every panel's finite edges (so panels are comparable), x tick labels and the x
/// axis title appear under the bottom panel only.
public struct HistogramStack: Figure {
    public var title: String?
    public var panels: [HistogramPanel]
    public var xLabel: String
    public var yLabel: String
    public var width: Double
    /// Height of each panel's plot area, excluding its label row.
    public var panelHeight: Double
    /// Use the largest count of all panels for every y axis.
    public var sharedYRange: Bool

    public init(title: String? = nil, panels: [HistogramPanel], xLabel: String, yLabel: String = "count",
                width: Double = 640, panelHeight: Double = 150, sharedYRange: Bool = false) {
        self.title = title
        self.panels = panels
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.panelHeight = panelHeight
        self.sharedYRange = sharedYRange
    }

    public func document() -> SVGDocument {
        let labelRow = 24.0, panelGap = 14.0
        let top = (title == nil ? 8 : titleBand) + labelRow
        let height = top + Double(panels.count) * (panelHeight + labelRow + panelGap) - labelRow - panelGap
            + Axes.bottomMargin + 8
        var document = SVGDocument(width: width, height: height, title: title ?? panels.map(\.label).joined(separator: " / "))
        document.add(figureTitle(title, width: width))

        let xExtent = DataExtent.of(panels.flatMap(\.binEdges)) ?? (0, 1)
        let xTicks = Ticks.nice(covering: xExtent.lower, xExtent.upper, targetCount: 8)
        let sharedMaximum = panels.compactMap { DataExtent.of($0.counts)?.upper }.max() ?? 1
        let yTicksPerPanel = panels.map { panel -> Ticks in
            let maximum = sharedYRange ? sharedMaximum : (DataExtent.of(panel.counts)?.upper ?? 1)
            return Ticks.nice(covering: 0, max(maximum, 0), targetCount: 4)
        }
        let left = yTicksPerPanel.map { Axes.leftMargin(yTicks: $0, hasLabel: true) }.max() ?? 40
        let plotWidth = max(width - left - 24, 10)   // room for the last x tick label

        for (index, panel) in panels.enumerated() {
            let plot = PixelRect(x: left, y: top + Double(index) * (panelHeight + labelRow + panelGap),
                                 width: plotWidth, height: panelHeight)
            let xScale = LinearScale(domain: xTicks.lowerBound...xTicks.upperBound, range: (plot.x, plot.right))
            let yTicks = yTicksPerPanel[index]
            let yScale = LinearScale(domain: yTicks.lowerBound...yTicks.upperBound, range: (plot.bottom, plot.y))
            let axes = Axes(plot: plot, x: .numeric(xTicks), xScale: xScale, yTicks: yTicks, yScale: yScale)
            let isBottom = index == panels.count - 1
            let color = panel.color ?? Palette.categorical(index)

            var bars: [SVGElement?] = []
            for bin in panel.counts.indices {
                let count = panel.counts[bin]
                guard count.isFinite, count > 0 else { continue }
                let x0 = xScale(panel.binEdges[bin]), x1 = xScale(panel.binEdges[bin + 1])
                bars.append(SVGElement.rect(x: x0, y: yScale(count), width: x1 - x0, height: yScale(0) - yScale(count),
                                            class: "data-bar")?.with("fill", color.hexString))
            }
            let legend = Legend.render([LegendEntry(label: panel.label, color: color, symbol: .swatch)],
                                       x: plot.x - 5, y: plot.y - labelRow)
            document.add(.group(class: "panel", axes.render(xLabel: isBottom ? xLabel : nil, yLabel: yLabel,
                                                           showXTickLabels: isBottom)
                                + [.group(class: "bars", bars), legend]))
        }
        return document
    }
}
