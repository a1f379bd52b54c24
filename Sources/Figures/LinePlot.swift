import Foundation

/// One line of a `LinePlot`: y against x, joined in the given order; a NaN/±∞ in either
/// coordinate leaves a gap.
public struct LineSeries: Sendable, Equatable {
    public var name: String?
    public var x: [Double]
    public var y: [Double]
    /// Explicit colour; wins over `colorValue`.
    public var color: RGBColor?
    /// Position of this series on the plot's colour map (e.g. the time step t it belongs to).
    public var colorValue: Double?
    public var dashed: Bool
    /// Whether the series gets a legend row (needs a name). Off by default when colouring by
    /// `colorValue`, where the colour bar is the legend.
    public var showsInLegend: Bool

    /// Precondition: x.count == y.count.
    public init(name: String? = nil, x: [Double], y: [Double], color: RGBColor? = nil,
                colorValue: Double? = nil, dashed: Bool = false, showsInLegend: Bool? = nil) {
        precondition(x.count == y.count, "series \(name ?? "") has \(x.count) x and \(y.count) y values")
        self.name = name
        self.x = x
        self.y = y
        self.color = color
        self.colorValue = colorValue
        self.dashed = dashed
        self.showsInLegend = showsInLegend ?? (name != nil && colorValue == nil)
    }
}

/// A horizontal line across the whole plot at y (e.g. a random baseline), dashed, in the neutral
/// reference colour unless a colour is given, with a legend row.
public struct ReferenceLine: Sendable, Equatable {
    public var y: Double
    public var label: String
    public var color: RGBColor?

    public init(y: Double, label: String, color: RGBColor? = nil) {
        self.y = y
        self.label = label
        self.color = color
    }
}

/// Many line series on one pair of axes (Fig. 2: std of the alignment against Q index, one line
/// per time step t coloured along a colour map, plus a dashed random baseline).
///
/// Colour of a series: `color` if set; else, if it has a `colorValue` and the plot a `colorMap`,
/// the map at the value's position within `colorValueRange` (default: the extent of all finite
/// colour values), squeezed into `colorMapRange`; else the Okabe–Ito colour of its index. When a
/// colour map is used a vertical colour bar with `colorBarLabel` and the range's end values is
/// drawn in the legend column.
///
/// Drawing: one `<path class="data-line">` per series with at least one finite point, one
/// `<line class="reference-line">` per finite reference line. Axis ranges cover all finite data
/// (nice ticks) unless `xRange` / `yRange` are given.
public struct LinePlot: Figure {
    public var title: String?
    public var xLabel: String
    public var yLabel: String
    public var series: [LineSeries]
    public var referenceLines: [ReferenceLine]
    public var colorMap: SequentialColorMap?
    public var colorValueRange: ClosedRange<Double>?
    /// The part of the colour map used, default 0.25…0.75 of viridis: every colour there keeps
    /// ≥ 2:1 contrast on white and on a dark (#1e1e1e) background.
    public var colorMapRange: ClosedRange<Double>
    public var colorBarLabel: String?
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var width: Double
    public var height: Double

    public init(title: String? = nil, xLabel: String, yLabel: String, series: [LineSeries],
                referenceLines: [ReferenceLine] = [], colorMap: SequentialColorMap? = nil,
                colorValueRange: ClosedRange<Double>? = nil, colorMapRange: ClosedRange<Double> = 0.25...0.75,
                colorBarLabel: String? = nil, xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
                width: Double = 720, height: Double = 420) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.referenceLines = referenceLines
        self.colorMap = colorMap
        self.colorValueRange = colorValueRange
        self.colorMapRange = colorMapRange
        self.colorBarLabel = colorBarLabel
        self.xRange = xRange
        self.yRange = yRange
        self.width = width
        self.height = height
    }

    /// The colour each series is drawn in (see the type's documentation).
    public func resolvedColors() -> [RGBColor] {
        let valueExtent = colorValueRange.map { ($0.lowerBound, $0.upperBound) }
            ?? DataExtent.of(series.compactMap(\.colorValue))
        return series.enumerated().map { index, line in
            if let color = line.color { return color }
            if let colorMap, let value = line.colorValue, value.isFinite, let (lower, upper) = valueExtent {
                let fraction = upper > lower ? (value - lower) / (upper - lower) : 0.5
                let position = colorMapRange.lowerBound
                    + min(max(fraction, 0), 1) * (colorMapRange.upperBound - colorMapRange.lowerBound)
                return colorMap.color(at: position)
            }
            return Palette.categorical(index)
        }
    }

    public func document() -> SVGDocument {
        var document = SVGDocument(width: width, height: height, title: title ?? "\(yLabel) against \(xLabel)")
        document.add(figureTitle(title, width: width))
        let colors = resolvedColors()

        let xExtent = xRange.map { ($0.lowerBound, $0.upperBound) } ?? DataExtent.of(series.flatMap(\.x)) ?? (0, 1)
        let yExtent = yRange.map { ($0.lowerBound, $0.upperBound) }
            ?? DataExtent.of(series.flatMap(\.y) + referenceLines.map(\.y)) ?? (0, 1)
        let xTicks = Ticks.nice(covering: xExtent.0, xExtent.1, targetCount: 8)
        let yTicks = Ticks.nice(covering: yExtent.0, yExtent.1, targetCount: 6)

        var legendEntries: [LegendEntry] = []
        for (line, color) in zip(series, colors) where line.showsInLegend {
            legendEntries.append(LegendEntry(label: line.name ?? "", color: color, symbol: .line(dashed: line.dashed)))
        }
        for reference in referenceLines {
            legendEntries.append(LegendEntry(label: reference.label, color: reference.color, symbol: .line(dashed: true)))
        }
        let colorBar = colorBarElements(colors: colors)
        let legendWidth = max(Legend.width(of: legendEntries), colorBar == nil ? 0 : colorBar!.width)

        let frame = XYFrame(width: width, height: height, hasTitle: title != nil, xTicks: xTicks, yTicks: yTicks, legendWidth: legendWidth)
        let plot = frame.plot, xScale = frame.xScale, yScale = frame.yScale
        frame.draw(into: &document, xLabel: xLabel, yLabel: yLabel)

        var paths: [SVGElement?] = []
        for (line, color) in zip(series, colors) {
            let points = zip(line.x, line.y).map { (x: xScale($0), y: yScale($1)) }
            paths.append(SVGElement.path(points: points, class: "data-line" + (line.dashed ? " dashed" : ""))?
                .with("stroke", color.hexString))
        }
        document.add(.group(class: "series", paths))
        document.add(.group(class: "reference-lines", referenceLines.map { reference in
            SVGElement.line(x1: plot.x, y1: yScale(reference.y), x2: plot.right, y2: yScale(reference.y),
                            class: "reference-line")?.with("stroke", reference.color?.hexString)
        }))

        let legendX = plot.right + 16
        if !legendEntries.isEmpty { document.add(Legend.render(legendEntries, x: legendX, y: plot.y)) }
        if let colorBar {
            let barTop = plot.y + Legend.height(of: legendEntries) + (legendEntries.isEmpty ? 0 : 16)
            document.definitions.append(colorBar.gradient)
            document.add(colorBar.render(legendX, barTop, min(160, max(plot.bottom - barTop - 10, 40))))
        }
        return document
    }

    /// The colour bar, when some series is coloured through the map: a vertical gradient (high
    /// values on top) with the value range's end labels and `colorBarLabel`.
    private func colorBarElements(colors: [RGBColor])
        -> (width: Double, gradient: SVGElement, render: (Double, Double, Double) -> SVGElement)? {
        guard let colorMap, series.contains(where: { $0.color == nil && $0.colorValue?.isFinite == true }),
              let (lower, upper) = colorValueRange.map({ ($0.lowerBound, $0.upperBound) })
                ?? DataExtent.of(series.compactMap(\.colorValue)) else { return nil }
        let gradientID = "colorbar-gradient"
        let stopCount = 9
        let stops = (0..<stopCount).map { i -> SVGElement in
            let fraction = Double(i) / Double(stopCount - 1)
            let position = colorMapRange.lowerBound + fraction * (colorMapRange.upperBound - colorMapRange.lowerBound)
            return SVGElement("stop", attributes: [.init("offset", SVGNumber.format(fraction) ?? "0"),
                                                   .init("stop-color", colorMap.color(at: position).hexString)])
        }
        // x1 = x2, y1 = 1 → y2 = 0: the gradient runs bottom (low) to top (high).
        let gradient = SVGElement("linearGradient", attributes: [
            .init("id", gradientID), .init("x1", "0"), .init("y1", "1"), .init("x2", "0"), .init("y2", "0"),
        ], children: stops)
        let lowLabel = Ticks.formatValue(lower), highLabel = Ticks.formatValue(upper)
        let label = colorBarLabel ?? "colour"
        let width = max(14 + 6 + TextMetrics.width(lowLabel.count > highLabel.count ? lowLabel : highLabel, fontSize: 11),
                        TextMetrics.width(label, fontSize: 11))
        let render: (Double, Double, Double) -> SVGElement = { x, y, barHeight in
            .group(class: "colorbar", [
                .text(label, x: x, y: y + 10, class: "legend-label"),
                SVGElement.rect(x: x, y: y + 16, width: 14, height: barHeight)?.with("fill", "url(#\(gradientID))"),
                SVGElement.rect(x: x, y: y + 16, width: 14, height: barHeight, class: "colorbar-frame"),
                .text(highLabel, x: x + 20, y: y + 16 + 9, class: "tick-label"),
                .text(lowLabel, x: x + 20, y: y + 16 + barHeight, class: "tick-label"),
            ])
        }
        return (width, gradient, render)
    }
}
