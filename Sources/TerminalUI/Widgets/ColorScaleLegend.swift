/// One row: the lower bound, a gradient along the theme scale, the upper bound, e.g.
/// `-1 ████████ 1`. In mono and 8-colour modes the gradient is drawn with shade glyphs
/// (coloured by the scale end with 8 colours) (for a signed
/// scale the shade follows the magnitude, and in mono the negative half uses the negative
/// glyphs: `-1 ■■≡≡==--  ░░▒▒▓▓██ 1`).
public struct ColorScaleLegend: Widget, Sendable {
    public var mapping: ScaleMapping

    public init(mapping: ScaleMapping) {
        self.mapping = mapping
    }

    public func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        guard !area.isEmpty else { return }
        let theme = context.theme
        let bounds = mapping.bounds
        let lower = NumberFormat.compact(bounds.lower) + " "
        let upper = " " + NumberFormat.compact(bounds.upper)
        let labelStyle = Style(foreground: theme[.dim], background: theme[.background])
        let y = area.minY
        grid.fill(Rect(x: area.minX, y: y, width: area.width, height: 1), with: context.backgroundCell)
        let start = grid.put(text: lower, at: (area.minX, y), style: labelStyle, clip: area)
        let steps = area.maxX - start - upper.count
        guard steps >= 2 else { return }
        for step in 0..<steps {
            let t = Double(step) / Double(steps - 1)
            let value = bounds.lower + t * (bounds.upper - bounds.lower)
            if context.colorMode <= .ansi8 {
                let foreground = context.colorMode == .ansi8 ? mapping.endColor(atPosition: mapping.position(of: value), theme: theme)
                    : theme[.foreground]
                let symbol = context.colorMode == .monochrome ? mapping.signedUnit(of: value).map { context.glyphs.signedShade($0) }
                    ?? context.glyphs.shade(mapping.shadeLevel(of: value)) : context.glyphs.shade(mapping.shadeLevel(of: value))
                grid.put(symbol: symbol, x: start + step, y: y,
                         style: Style(foreground: foreground, background: theme[.background]))
            } else {
                grid.put(symbol: context.glyphs.full, x: start + step, y: y,
                         style: Style(foreground: mapping.color(of: value, theme: theme),
                                      background: theme[.background]))
            }
        }
        grid.put(text: upper, at: (start + steps, y), style: labelStyle, clip: area)
    }
}
