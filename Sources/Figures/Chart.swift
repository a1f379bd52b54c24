import Foundation

/// A figure that renders to a standalone SVG document.
public protocol Figure: Sendable {
    func document() -> SVGDocument
}

extension Figure {
    /// The SVG file contents. The caller writes it (atomically) wherever it belongs.
    public func svg() -> String { document().render() }
}

/// A rectangle in SVG pixel coordinates (y grows downwards).
public struct PixelRect: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public var right: Double { x + width }
    public var bottom: Double { y + height }
}

/// How a legend entry's symbol is drawn.
public enum LegendSymbol: Sendable, Equatable {
    /// A short line segment, solid or dashed.
    case line(dashed: Bool)
    /// A filled square (bars, histogram panels).
    case swatch
    /// A dot with a short line through it (scatter points plus their mean line).
    case markerWithLine(dashed: Bool)
}

/// One legend row: symbol in `color` (nil: the stylesheet's neutral reference colour) and label.
public struct LegendEntry: Sendable, Equatable {
    public var label: String
    public var color: RGBColor?
    public var symbol: LegendSymbol

    public init(label: String, color: RGBColor?, symbol: LegendSymbol) {
        self.label = label
        self.color = color
        self.symbol = symbol
    }
}

/// Approximate text extents for layout. SVG has no text measurement without a renderer, so widths
/// are estimated at 0.6 em per character — generous for proportional fonts, so labels do not
/// collide; it only decides margins.
enum TextMetrics {
    static func width(_ string: String, fontSize: Double) -> Double {
        Double(string.count) * fontSize * 0.6
    }
}

/// Legend layout: rows 18 px apart, a 22 px symbol column, 11 px labels.
enum Legend {
    static let rowHeight = 18.0
    static let symbolWidth = 22.0

    static func width(of entries: [LegendEntry]) -> Double {
        guard let widest = entries.map({ TextMetrics.width($0.label, fontSize: 11) }).max() else { return 0 }
        return symbolWidth + 6 + widest
    }

    static func height(of entries: [LegendEntry]) -> Double { Double(entries.count) * rowHeight }

    /// `<g class="legend">` with one `<g class="legend-entry">` per entry, top-left at (x, y).
    static func render(_ entries: [LegendEntry], x: Double, y: Double) -> SVGElement {
        var rows: [SVGElement?] = []
        for (index, entry) in entries.enumerated() {
            let middle = y + Double(index) * rowHeight + rowHeight / 2
            let stroke = entry.color?.hexString
            var symbol: [SVGElement?] = []
            switch entry.symbol {
            case .line(let dashed):
                let className = entry.color == nil ? "legend-reference" : "legend-line" + (dashed ? " dashed" : "")
                symbol.append(SVGElement.line(x1: x, y1: middle, x2: x + symbolWidth, y2: middle, class: className)?
                    .with("stroke", stroke))
            case .swatch:
                symbol.append(SVGElement.rect(x: x + 5, y: middle - 6, width: 12, height: 12)?.with("fill", stroke))
            case .markerWithLine(let dashed):
                symbol.append(SVGElement.line(x1: x, y1: middle, x2: x + symbolWidth, y2: middle,
                                              class: "legend-line" + (dashed ? " dashed" : ""))?.with("stroke", stroke))
                symbol.append(SVGElement.circle(cx: x + symbolWidth / 2, cy: middle, r: 3)?.with("fill", stroke))
            }
            let label = SVGElement.text(entry.label, x: x + symbolWidth + 6, y: middle + 4, class: "legend-label")
            rows.append(.group(class: "legend-entry", symbol + [label]))
        }
        return .group(class: "legend", rows)
    }
}

/// What the x axis shows: numeric ticks, or one label per category band.
enum XAxisContent {
    case numeric(Ticks)
    case categories([String])
}

/// Frame, grid, ticks, tick labels and axis titles of one x–y panel.
struct Axes {
    var plot: PixelRect
    var x: XAxisContent
    var xScale: LinearScale
    var yTicks: Ticks
    var yScale: LinearScale

    /// Margin needed left of the plot for y tick labels and the y axis title.
    static func leftMargin(yTicks: Ticks, hasLabel: Bool) -> Double {
        let widest = yTicks.labels.map { TextMetrics.width($0, fontSize: 11) }.max() ?? 0
        return 12 + widest + (hasLabel ? 22 : 0)
    }

    static let bottomMargin = 48.0  // tick labels + x axis title

    func render(xLabel: String?, yLabel: String?, showXTickLabels: Bool = true) -> [SVGElement?] {
        var grid: [SVGElement?] = [], ticks: [SVGElement?] = [], labels: [SVGElement?] = []
        for (value, label) in zip(yTicks.values, yTicks.labels) {
            let y = yScale(value)
            grid.append(.line(x1: plot.x, y1: y, x2: plot.right, y2: y, class: "grid"))
            ticks.append(.line(x1: plot.x - 4, y1: y, x2: plot.x, y2: y, class: "tick"))
            labels.append(.text(label, x: plot.x - 7, y: y + 4, anchor: .end, class: "tick-label"))
        }
        switch x {
        case .numeric(let xTicks):
            for (value, label) in zip(xTicks.values, xTicks.labels) {
                let x = xScale(value)
                grid.append(.line(x1: x, y1: plot.y, x2: x, y2: plot.bottom, class: "grid"))
                ticks.append(.line(x1: x, y1: plot.bottom, x2: x, y2: plot.bottom + 4, class: "tick"))
                if showXTickLabels {
                    labels.append(.text(label, x: x, y: plot.bottom + 17, anchor: .middle, class: "tick-label"))
                }
            }
        case .categories(let names):
            let band = plot.width / Double(max(names.count, 1))
            for (index, name) in names.enumerated() where showXTickLabels {
                labels.append(.text(name, x: plot.x + band * (Double(index) + 0.5), y: plot.bottom + 17,
                                    anchor: .middle, class: "tick-label"))
            }
        }
        var elements: [SVGElement?] = [
            .group(class: "grid-lines", grid),
            .line(x1: plot.x, y1: plot.y, x2: plot.x, y2: plot.bottom, class: "axis"),
            .line(x1: plot.x, y1: plot.bottom, x2: plot.right, y2: plot.bottom, class: "axis"),
            .group(class: "ticks", ticks),
            .group(class: "tick-labels", labels),
        ]
        if let xLabel, showXTickLabels {
            elements.append(.text(xLabel, x: plot.x + plot.width / 2, y: plot.bottom + 38, anchor: .middle, class: "axis-label"))
        }
        if let yLabel {
            let widest = yTicks.labels.map { TextMetrics.width($0, fontSize: 11) }.max() ?? 0
            let x = plot.x - 12 - widest - 8
            elements.append(.text(yLabel, x: x, y: plot.y + plot.height / 2, anchor: .middle, rotation: -90, class: "axis-label"))
        }
        return elements
    }
}

/// Title band height when a figure has a title.
let titleBand = 30.0

/// `<text class="title">` centred at the top of a figure of the given width.
func figureTitle(_ title: String?, width: Double) -> SVGElement? {
    guard let title, !title.isEmpty else { return nil }
    return .text(title, x: width / 2, y: 20, anchor: .middle, class: "title")
}

/// The plot area of a numeric x–y chart and its two scales, after the title band, the
/// y-axis labels on the left and the legend (of `legendWidth`) on the right; `draw` adds the
/// axes, ticks and labels to a document.
struct XYFrame {
    let plot: PixelRect
    let xScale: LinearScale
    let yScale: LinearScale
    let axes: Axes

    init(width: Double, height: Double, hasTitle: Bool, xTicks: Ticks, yTicks: Ticks, legendWidth: Double) {
        let top = (hasTitle ? titleBand : 12) + 6
        let left = Axes.leftMargin(yTicks: yTicks, hasLabel: true)
        let right = legendWidth > 0 ? legendWidth + 28 : 16
        plot = PixelRect(x: left, y: top, width: max(width - left - right, 10), height: max(height - top - Axes.bottomMargin, 10))
        xScale = LinearScale(domain: xTicks.lowerBound...xTicks.upperBound, range: (plot.x, plot.right))
        yScale = LinearScale(domain: yTicks.lowerBound...yTicks.upperBound, range: (plot.bottom, plot.y))
        axes = Axes(plot: plot, x: .numeric(xTicks), xScale: xScale, yTicks: yTicks, yScale: yScale)
    }

    func draw(into document: inout SVGDocument, xLabel: String, yLabel: String) {
        document.add(contentsOf: axes.render(xLabel: xLabel, yLabel: yLabel))
    }
}
