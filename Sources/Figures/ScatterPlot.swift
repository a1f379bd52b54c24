import Foundation

/// One group of points in a `ScatterPlot`, e.g. "R-ranked, up flips": several y per x (one per
/// input image at flip count k), with the mean of y at each x joined by a line.
public struct ScatterGroup: Sendable, Equatable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    /// nil picks the group's position in `Palette.okabeIto`.
    public var color: RGBColor?
    /// Draw the mean line dashed (e.g. for the random-flip baseline groups).
    public var dashedMean: Bool

    /// Precondition: x.count == y.count.
    public init(name: String, x: [Double], y: [Double], color: RGBColor? = nil, dashedMean: Bool = false) {
        precondition(x.count == y.count, "group \(name) has \(x.count) x and \(y.count) y values")
        self.name = name
        self.x = x
        self.y = y
        self.color = color
        self.dashedMean = dashedMean
    }

    /// (x, mean of the finite y at that x) for every finite x that has at least one finite y,
    /// sorted by x. Points share an x only if their x values are exactly equal.
    public var means: [(x: Double, mean: Double)] {
        var sums: [Double: (sum: Double, count: Int)] = [:]
        for (xValue, yValue) in zip(x, y) where xValue.isFinite && yValue.isFinite {
            sums[xValue, default: (0, 0)].sum += yValue
            sums[xValue, default: (0, 0)].count += 1
        }
        return sums.keys.sorted().map { key in (key, sums[key]!.sum / Double(sums[key]!.count)) }
    }
}

/// Points per group with each group's mean line (Fig. 3: loss difference against the number of
/// flipped pixels k, for up and down flips, R-ranked against random).
///
/// Drawing: one `<circle class="data-point">` per point with finite coordinates, one
/// `<path class="mean-line">` per group that has a mean, a legend row per group (dot + line).
/// `dodge` shifts group g horizontally by (g − (G − 1)/2)·dodge data units so groups sharing
/// the same x values do not hide each other (0 = no shift); the means are drawn at the shifted x.
public struct ScatterPlot: Figure {
    public var title: String?
    public var xLabel: String
    public var yLabel: String
    public var groups: [ScatterGroup]
    public var dodge: Double
    public var pointRadius: Double
    /// Draw each group's mean line (off for points whose x values do not repeat, e.g. a sweep's
    /// λ_1 against accuracy; the legend then shows a swatch).
    public var showsMeans: Bool
    public var width: Double
    public var height: Double

    public init(title: String? = nil, xLabel: String, yLabel: String, groups: [ScatterGroup],
                dodge: Double = 0, pointRadius: Double = 2.5, showsMeans: Bool = true, width: Double = 720, height: Double = 420) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.groups = groups
        self.dodge = dodge
        self.pointRadius = pointRadius
        self.showsMeans = showsMeans
        self.width = width
        self.height = height
    }

    public func document() -> SVGDocument {
        var document = SVGDocument(width: width, height: height, title: title ?? "\(yLabel) against \(xLabel)")
        document.add(figureTitle(title, width: width))
        let offsets = groups.indices.map { (Double($0) - Double(groups.count - 1) / 2) * dodge }
        let colors = groups.indices.map { groups[$0].color ?? Palette.categorical($0) }

        let xExtent = DataExtent.of(zip(groups, offsets).flatMap { group, offset in group.x.map { $0 + offset } }) ?? (0, 1)
        let yExtent = DataExtent.of(groups.flatMap(\.y)) ?? (0, 1)
        let xTicks = Ticks.nice(covering: xExtent.0, xExtent.1, targetCount: 8)
        let yTicks = Ticks.nice(covering: yExtent.0, yExtent.1, targetCount: 6)

        let legendEntries = zip(groups, colors).map { group, color in
            LegendEntry(label: group.name, color: color, symbol: showsMeans ? .markerWithLine(dashed: group.dashedMean) : .swatch)
        }
        let legendWidth = Legend.width(of: legendEntries)
        let frame = XYFrame(width: width, height: height, hasTitle: title != nil, xTicks: xTicks, yTicks: yTicks, legendWidth: legendWidth)
        let plot = frame.plot, xScale = frame.xScale, yScale = frame.yScale
        frame.draw(into: &document, xLabel: xLabel, yLabel: yLabel)

        for (index, group) in groups.enumerated() {
            let fill = colors[index].hexString, offset = offsets[index]
            let points = zip(group.x, group.y).map { x, y in
                SVGElement.circle(cx: xScale(x + offset), cy: yScale(y), r: pointRadius, class: "data-point")?.with("fill", fill)
            }
            let meanLine = !showsMeans ? nil : SVGElement.path(points: group.means.map { (x: xScale($0.x + offset), y: yScale($0.mean)) },
                                           class: "mean-line" + (group.dashedMean ? " dashed" : ""))?.with("stroke", fill)
            document.add(.group(class: "scatter-group", points + [meanLine]))
        }
        if !legendEntries.isEmpty { document.add(Legend.render(legendEntries, x: plot.right + 16, y: plot.y)) }
        return document
    }
}
