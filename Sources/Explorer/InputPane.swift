import TerminalUI

/// The Input pane of a model that is not an MNIST model: the T×I sequence as a heatmap in half
/// blocks, steps across and inputs down (two inputs per cell row, or more rows each when the
/// pane is taller — it fills the pane), on a diverging scale around 0 (±the largest |x|),
/// with that scale's legend under it when there is room.
///
/// Below the heatmap one marker row names each shown step: `^` the current step t, `*` a
/// top-k R-ranked step, `-` another presented step (s < t), blank a pending one (s > t), in
/// the `cursor` / `topK` colours; the data itself is never painted over. When T is wider
/// than the pane the window of steps scrolls to keep t in view (``firstShownStep``); the
/// footer says which steps and inputs are shown.
struct InputPane: Widget {
    /// x, T×I values step-major.
    var sequence: [Double]
    var steps: Int
    var inputSize: Int
    /// The cursor t (0 before the first step).
    var t: Int
    /// 1-based steps ranked highest by ln r_t^1 (the top k).
    var topSteps: [Int]
    var label: String?
    var isFocused = false

    /// The 0-based first step shown in `width` columns: 0 when everything fits, else the
    /// window that puts t near its middle, clamped to the sequence.
    static func firstShownStep(t: Int, steps: Int, width: Int) -> Int {
        guard steps > width, width > 0 else { return 0 }
        return max(0, min(t - 1 - width / 2, steps - width))
    }

    /// How the heatmap fills `inside`: matrix rows (half cells) per input, the inputs shown,
    /// the heatmap's cell rows, and whether a legend row fits under the footer.
    func heatLayout(_ inside: Rect) -> (rowsPerInput: Int, shownInputs: Int, cellRows: Int, hasLegend: Bool) {
        let minimal = (inputSize + 1) / 2
        let hasLegend = inside.height - 2 > minimal
        let available = max(0, inside.height - 2 - (hasLegend ? 1 : 0))
        let rowsPerInput = max(1, min(16, 2 * available / max(inputSize, 1)))
        let shownInputs = min(inputSize, 2 * available / rowsPerInput)
        return (rowsPerInput, shownInputs, (shownInputs * rowsPerInput + 1) / 2, hasLegend)
    }

    /// The 1-based step under (x, y) — a heatmap column or its marker — when the pane is
    /// drawn in `area`, or nil elsewhere.
    func step(atX x: Int, y: Int, in area: Rect) -> Int? {
        let inside = Block().inner(area)
        guard inside.width >= 1, inside.height >= 3 else { return nil }
        let width = min(inside.width, steps), rows = heatLayout(inside).cellRows + 1
        guard x >= inside.minX, x < inside.minX + width, y >= inside.minY, y < inside.minY + rows else { return nil }
        return Self.firstShownStep(t: t, steps: steps, width: inside.width) + (x - inside.minX) + 1
    }

    func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        var title = "Input"
        if let label { title += " " + label }
        title += context.separator + "t \(t)/\(steps)"
        let inside = PaneFrame.draw(title: title, isFocused: isFocused, into: &grid, area: area, context: context)
        guard inside.width >= 1, inside.height >= 3 else { return }
        let width = min(inside.width, steps), first = Self.firstShownStep(t: t, steps: steps, width: inside.width)
        // Cell rows for the heatmap: all that is left after the marker row, the footer and the legend.
        let (rowsPerInput, shownInputs, cellRows, hasLegend) = heatLayout(inside)
        let limit = max(sequence.map { abs($0) }.max() ?? 1, 1e-12)
        let top = Set(topSteps)
        var values: [Double] = []
        values.reserveCapacity(shownInputs * rowsPerInput * width)
        for i in 0..<shownInputs {
            let row = (0..<width).map { c in sequence[(first + c) * inputSize + i] }
            for _ in 0..<rowsPerInput { values += row }
        }
        let mapping = ScaleMapping.signed(limit: limit)
        HalfBlockMatrix(rows: shownInputs * rowsPerInput, columns: width, values: values, mapping: mapping)
            .render(into: &grid, area: Rect(x: inside.minX, y: inside.minY, width: width, height: cellRows), context: context)
        let markerY = inside.minY + cellRows
        for c in 0..<width {
            let s = first + c + 1
            let symbol: Character = s == t ? "^" : top.contains(s) ? "*" : s < t ? "-" : " "
            let color = s == t ? context.theme[.cursor] : top.contains(s) ? context.theme[.topK] : context.theme[.dim]
            grid.put(symbol: symbol, x: inside.minX + c, y: markerY, style: Style(foreground: color))
        }
        let inputs = shownInputs < inputSize ? "inputs 1–\(shownInputs) of \(inputSize)" : "\(inputSize) inputs"
        let footer = "steps \(first + 1)–\(first + width) of \(steps)" + context.separator + inputs
            + (topSteps.isEmpty ? "" : context.separator + "* top \(topSteps.count) R")
        grid.put(text: footer, at: (inside.minX, markerY + 1), style: Style(foreground: context.theme[.dim]),
                 clip: Rect(x: inside.minX, y: markerY + 1, width: inside.width, height: 1))
        if hasLegend {
            ColorScaleLegend(mapping: mapping)
                .render(into: &grid, area: Rect(x: inside.minX, y: markerY + 2, width: min(inside.width, 40), height: 1), context: context)
        }
    }
}
