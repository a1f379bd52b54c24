import Foundation

/// One bar per category, e.g. the logits of the original image for classes 0–9.
public struct BarSeries: Sendable, Equatable {
    public var name: String
    public var values: [Double]
    /// nil picks the series' position in `Palette.okabeIto`.
    public var color: RGBColor?

    public init(name: String, values: [Double], color: RGBColor? = nil) {
        self.name = name
        self.values = values
        self.color = color
    }
}

/// Bars grouped by category, one bar per series in each group, growing up or down from a zero
/// line (Fig. 4: logits of the original, R-flipped and randomly flipped image per class).
///
/// Drawing: each category gets an equal band; 80 % of it is split evenly among the series.
/// One `<rect class="data-bar">` per finite value (NaN/±∞ and missing values — a series shorter
/// than `categories` — draw nothing), a `<line class="zero-line">` at y = 0, the category names
/// under the bands and a legend row per series. The y range always includes 0.
public struct GroupedBarChart: Figure {
    public var title: String?
    public var xLabel: String?
    public var yLabel: String
    public var categories: [String]
    public var series: [BarSeries]
    public var width: Double
    public var height: Double

    public init(title: String? = nil, xLabel: String? = nil, yLabel: String, categories: [String],
                series: [BarSeries], width: Double = 720, height: Double = 400) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
        self.width = width
        self.height = height
    }

    public func document() -> SVGDocument {
        var document = SVGDocument(width: width, height: height, title: title ?? yLabel)
        document.add(figureTitle(title, width: width))
        let colors = series.indices.map { series[$0].color ?? Palette.categorical($0) }

        let extent = DataExtent.of(series.flatMap { $0.values.prefix(categories.count) } + [0]) ?? (0, 1)
        let yTicks = Ticks.nice(covering: extent.lower, extent.upper, targetCount: 6)
        let legendEntries = zip(series, colors).map { LegendEntry(label: $0.name, color: $1, symbol: .swatch) }
        let legendWidth = Legend.width(of: legendEntries)
        let top = (title == nil ? 12 : titleBand) + 6
        let left = Axes.leftMargin(yTicks: yTicks, hasLabel: true)
        let right = legendWidth > 0 ? legendWidth + 28 : 16
        let plot = PixelRect(x: left, y: top, width: max(width - left - right, 10),
                             height: max(height - top - Axes.bottomMargin, 10))
        let xScale = LinearScale(domain: 0...Double(max(categories.count, 1)), range: (plot.x, plot.right))
        let yScale = LinearScale(domain: yTicks.lowerBound...yTicks.upperBound, range: (plot.bottom, plot.y))
        document.add(contentsOf: Axes(plot: plot, x: .categories(categories), xScale: xScale, yTicks: yTicks, yScale: yScale)
            .render(xLabel: xLabel, yLabel: yLabel))

        let band = plot.width / Double(max(categories.count, 1))
        let barWidth = band * 0.8 / Double(max(series.count, 1))
        var bars: [SVGElement?] = []
        for (seriesIndex, line) in series.enumerated() {
            for (category, value) in line.values.prefix(categories.count).enumerated() where value.isFinite {
                let x = plot.x + band * (Double(category) + 0.1) + barWidth * Double(seriesIndex)
                bars.append(SVGElement.rect(x: x, y: yScale(0), width: barWidth, height: yScale(value) - yScale(0),
                                            class: "data-bar")?.with("fill", colors[seriesIndex].hexString))
            }
        }
        document.add(.group(class: "bars", bars))
        document.add(.line(x1: plot.x, y1: yScale(0), x2: plot.right, y2: yScale(0), class: "zero-line"))
        if !legendEntries.isEmpty { document.add(Legend.render(legendEntries, x: plot.right + 16, y: plot.y)) }
        return document
    }
}
