/// A line chart drawn with dots (Braille 2×4 per cell, or `'` `.` `:` in ASCII), with the
/// y range labelled at the left (top = max, bottom = min) and the x range under the plot:
///
///     1.5│   ⡠⠊
///        │ ⡠⠊
///    -0.5│⠊
///         0      27
///
/// Consecutive finite points are joined by straight lines; a NaN or ±∞ point is skipped
/// and breaks the line. Ranges come from the finite data unless given; a constant series
/// gets a range padded by 10 % of its value (or ±1 around zero). Where series overlap, a
/// cell takes the colour of the last series drawn in it. A series with a `marker` also shows
/// that glyph on its line every six columns, so lines tell apart without colour. An optional cursor draws a
/// vertical line at an x value through the cells that hold no dots.
public struct LineChart: Widget, Sendable {
    public struct Point: Hashable, Sendable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    public struct Series: Hashable, Sendable {
        public var name: String
        public var points: [Point]
        /// Nil uses the theme's series colour for the series' position.
        public var color: Color?
        /// A glyph drawn (bold, in the series colour) on the line every few columns, so that
        /// series tell apart without colour (mono) or where colours are close; nil: dots only.
        public var marker: Character?

        public init(name: String, points: [Point], color: Color? = nil, marker: Character? = nil) {
            self.name = name
            self.points = points
            self.color = color
            self.marker = marker
        }

        /// A series of `values` at x = 0, 1, 2, ….
        public init(name: String, values: [Double], color: Color? = nil) {
            self.init(name: name, points: values.enumerated().map { Point(x: Double($0.offset), y: $0.element) },
                      color: color)
        }
    }

    public var series: [Series]
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var cursorX: Double?
    /// Draw the y labels and the x range row (otherwise the whole area is plot).
    public var showsAxes: Bool

    public init(series: [Series], xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
                cursorX: Double? = nil, showsAxes: Bool = true) {
        self.series = series
        self.xRange = xRange
        self.yRange = yRange
        self.cursorX = cursorX
        self.showsAxes = showsAxes
    }

    /// The x and y ranges the chart will use.
    public func resolvedRanges() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let x = xRange ?? LineChart.paddedRange(finite.map(\.x), padConstant: false)
        let y = yRange ?? LineChart.paddedRange(finite.map(\.y), padConstant: true)
        return (x, y)
    }

    public func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        guard !area.isEmpty else { return }
        let theme = context.theme
        let ranges = resolvedRanges()
        var plot = area
        let labelStyle = Style(foreground: theme[.dim], background: theme[.background])
        if showsAxes && area.height >= 2 {
            let top = NumberFormat.compact(ranges.y.upperBound)
            let bottom = NumberFormat.compact(ranges.y.lowerBound)
            let labelWidth = max(top.count, bottom.count)
            let split = area.splitBottom(1)
            let columns = split.rest.splitLeft(labelWidth + 1)
            plot = columns.rest
            guard !plot.isEmpty else { return }
            let axisStyle = Style(foreground: theme[.border], background: theme[.background])
            for y in columns.left.minY..<columns.left.maxY {
                grid.put(symbol: context.glyphs.vertical, x: columns.left.maxX - 1, y: y, style: axisStyle)
            }
            grid.put(text: pad(top, to: labelWidth), at: (columns.left.minX, columns.left.minY), style: labelStyle)
            grid.put(text: pad(bottom, to: labelWidth), at: (columns.left.minX, columns.left.maxY - 1),
                     style: labelStyle)
            let xRow = split.bottom.minY
            let left = NumberFormat.compact(ranges.x.lowerBound)
            let right = NumberFormat.compact(ranges.x.upperBound)
            grid.put(text: left, at: (plot.minX, xRow), style: labelStyle, clip: area)
            if plot.width >= left.count + right.count + 1 {
                grid.put(text: right, at: (plot.maxX - right.count, xRow), style: labelStyle, clip: area)
            }
        }
        drawPlot(into: &grid, plot: plot, ranges: ranges, context: context)
    }

    private func drawPlot(into grid: inout Grid, plot: Rect, ranges: (x: ClosedRange<Double>, y: ClosedRange<Double>),
                          context: RenderContext) {
        let theme = context.theme
        var canvas = DotCanvas(columns: plot.width, rows: plot.height, style: context.glyphs.dotStyle)
        let mapX = LineChart.mapper(from: ranges.x, toDots: canvas.dotWidth, flipped: false)
        let mapY = LineChart.mapper(from: ranges.y, toDots: canvas.dotHeight, flipped: true)
        for (index, current) in series.enumerated() {
            let color = current.color ?? theme.seriesColor(index)
            var previous: (x: Int, y: Int)?
            for point in current.points {
                guard point.x.isFinite, point.y.isFinite else {
                    previous = nil
                    continue
                }
                let dot = (x: mapX(point.x), y: mapY(point.y))
                if let previous {
                    canvas.line(from: previous, to: dot, color: color)
                } else {
                    canvas.set(x: dot.x, y: dot.y, color: color)
                }
                previous = dot
            }
        }
        var cursorColumn: Int?
        if let cursorX, cursorX.isFinite, ranges.x.contains(cursorX) {
            cursorColumn = mapX(cursorX) / DotCanvas.dotsPerCell(canvas.style).x
        }
        // Markers: series i on every `spacing`-th column from column 1 + 2i (staggered, so
        // close lines keep all their markers), in the cell where the line passes.
        var markers: [Int: (symbol: Character, color: Color)] = [:]
        let spacing = 6
        let perCell = DotCanvas.dotsPerCell(canvas.style)
        for (index, current) in series.enumerated() {
            guard let marker = current.marker else { continue }
            let color = current.color ?? theme.seriesColor(index)
            // The line's segments in dot coordinates (a non-finite point breaks the line).
            var segments: [((x: Int, y: Int), (x: Int, y: Int))] = []
            var previous: (x: Int, y: Int)?
            for point in current.points {
                guard point.x.isFinite, point.y.isFinite else { previous = nil; continue }
                let dot = (x: mapX(point.x), y: mapY(point.y))
                segments.append((previous ?? dot, dot))
                previous = dot
            }
            var column = 1 + 2 * index % spacing
            while column < plot.width {
                // Where the line crosses the column's middle dot, by linear interpolation.
                let centre = column * perCell.x + perCell.x / 2
                if let segment = segments.first(where: { min($0.0.x, $0.1.x) <= centre && centre <= max($0.0.x, $0.1.x) }) {
                    let (a, b) = segment
                    let y = a.x == b.x ? a.y : a.y + (b.y - a.y) * (centre - a.x) / (b.x - a.x)
                    let row = y / perCell.y
                    if y >= 0, row < plot.height { markers[row * plot.width + column] = (marker, color) }
                }
                column += spacing
            }
        }
        for row in 0..<plot.height {
            for column in 0..<plot.width {
                let x = plot.minX + column, y = plot.minY + row
                if let marker = markers[row * plot.width + column] {
                    grid.put(symbol: marker.symbol, x: x, y: y,
                             style: Style(foreground: marker.color, background: theme[.background], attributes: .bold))
                } else if let dots = canvas.cell(column: column, row: row) {
                    grid.put(symbol: dots.symbol, x: x, y: y,
                             style: Style(foreground: dots.color, background: theme[.background]))
                } else if column == cursorColumn {
                    grid.put(symbol: context.glyphs.vertical, x: x, y: y,
                             style: Style(foreground: theme[.cursor], background: theme[.background]))
                } else {
                    grid[x, y] = context.backgroundCell
                }
            }
        }
    }

    /// Maps a value in `range` to a dot index 0…dots−1 (top = 0 when flipped). Values far
    /// outside are clamped to a few canvas sizes so lines towards them keep their slope
    /// near the canvas without overflowing.
    private static func mapper(from range: ClosedRange<Double>, toDots dots: Int, flipped: Bool) -> (Double) -> Int {
        let span = range.upperBound - range.lowerBound
        let last = Double(max(dots - 1, 0))
        return { value in
            var t = span > 0 ? (value - range.lowerBound) / span : 0.5
            if flipped { t = 1 - t }
            let position = min(max(t * last, -4 * last - 4), 5 * last + 4)
            return Int(position.rounded())
        }
    }

    private static func paddedRange(_ values: [Double], padConstant: Bool) -> ClosedRange<Double> {
        guard let low = values.min(), let high = values.max() else { return 0...1 }
        if low < high { return low...high }
        guard padConstant else { return low...(low + 1) }
        let pad = low == 0 ? 1 : abs(low) * 0.1
        return (low - pad)...(low + pad)
    }

    private func pad(_ text: String, to width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
