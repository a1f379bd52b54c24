import Foundation

/// An sRGB colour with components in [0, 1], written to SVG as "#rrggbb".
public struct RGBColor: Sendable, Equatable, Hashable {
    public var red: Double
    public var green: Double
    public var blue: Double

    /// "#rrggbb", components clamped to [0, 1] and rounded (NaN components become 0).
    public var hexString: String {
        func byte(_ component: Double) -> Int {
            component.isNaN ? 0 : Int((min(max(component, 0), 1) * 255).rounded())
        }
        return String(format: "#%02x%02x%02x", byte(red), byte(green), byte(blue))
    }

    /// WCAG 2 relative luminance: 0.2126 R + 0.7152 G + 0.0722 B of the linearised components.
    public var relativeLuminance: Double {
        func linear(_ c: Double) -> Double { c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    /// WCAG 2 contrast ratio (L_light + 0.05) / (L_dark + 0.05), between 1 and 21.
    public func contrastRatio(with other: RGBColor) -> Double {
        let a = relativeLuminance, b = other.relativeLuminance
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }

    /// Componentwise linear interpolation (in sRGB) from self (t = 0) to other (t = 1).
    public func interpolated(to other: RGBColor, fraction t: Double) -> RGBColor {
        RGBColor(red: red + (other.red - red) * t, green: green + (other.green - green) * t,
                 blue: blue + (other.blue - blue) * t)
    }
}

/// Categorical colours: the Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008),
/// distinguishable under the common colour-vision deficiencies. Its black is left out (invisible
/// on dark backgrounds) and yellow comes last: every other entry has WCAG contrast ≥ 2:1 against
/// white and ≥ 3:1 against a #1e1e1e dark background (enough for lines, markers and bars, which
/// are also labelled in the legend); yellow is only 1.3:1 on white.
public enum Palette {
    public static let okabeIto: [RGBColor] = [
        RGBColor(hex: 0xE69F00), // orange
        RGBColor(hex: 0x56B4E9), // sky blue
        RGBColor(hex: 0x009E73), // bluish green
        RGBColor(hex: 0xD55E00), // vermillion
        RGBColor(hex: 0x0072B2), // blue
        RGBColor(hex: 0xCC79A7), // reddish purple
        RGBColor(hex: 0xF0E442), // yellow
    ]

    /// The i-th categorical colour, cycling through `okabeIto` (negative i is taken mod count).
    public static func categorical(_ index: Int) -> RGBColor {
        let count = okabeIto.count
        return okabeIto[((index % count) + count) % count]
    }
}

/// A sequential colour map: piecewise-linear interpolation between equally spaced anchors.
public struct SequentialColorMap: Sendable, Equatable {
    public var anchors: [RGBColor]

    /// Precondition: at least two anchors.
    public init(anchors: [RGBColor]) {
        precondition(anchors.count >= 2, "a colour map needs at least two anchors")
        self.anchors = anchors
    }

    /// Viridis (van der Walt & Smith, matplotlib) sampled at 9 equally spaced points, dark purple
    /// (0) to yellow (1); perceptually ordered and colour-blind safe. Its two ends are weak on
    /// dark and light backgrounds respectively: only positions ≈ 0.25…0.77 keep ≥ 2:1 contrast
    /// against both white and #1e1e1e, hence `LinePlot.colorMapRange` (default 0.25…0.75).
    public static let viridis = SequentialColorMap(anchors: [
        0x440154, 0x472C7A, 0x3B518B, 0x2C718E, 0x21908D, 0x27AD81, 0x5CC863, 0xAADC32, 0xFDE725,
    ].map(RGBColor.init(hex:)))

    /// The colour at position t ∈ [0, 1] (clamped; NaN gives the middle of the map).
    public func color(at t: Double) -> RGBColor {
        let position = t.isNaN ? 0.5 : min(max(t, 0), 1)
        let scaled = position * Double(anchors.count - 1)
        let index = min(Int(scaled), anchors.count - 2)
        return anchors[index].interpolated(to: anchors[index + 1], fraction: scaled - Double(index))
    }
}

/// The stylesheet shared by every figure: typography, and the colours of text, axes, grid and
/// legend frames for light backgrounds with a `prefers-color-scheme: dark` override. Data
/// colours are not here; they are inline attributes from `Palette` / `SequentialColorMap`.
public enum FigureStyle {
    public static let css = """
    svg { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; font-size: 12px; }
    text { fill: #333333; }
    .title { font-size: 15px; font-weight: 600; }
    .panel-title { font-size: 13px; font-weight: 600; }
    .axis-label { font-size: 13px; }
    .tick-label, .legend-label { font-size: 11px; }
    .axis, .tick { stroke: #555555; stroke-width: 1; fill: none; }
    .grid { stroke: #d0d0d0; stroke-width: 0.5; fill: none; }
    .zero-line { stroke: #555555; stroke-width: 1; }
    .reference-line, .legend-reference { stroke: #666666; stroke-width: 1.5; stroke-dasharray: 6 4; fill: none; }
    .data-line, .mean-line, .legend-line { fill: none; stroke-width: 1.5; stroke-linejoin: round; }
    .dashed { stroke-dasharray: 6 4; }
    .data-point { fill-opacity: 0.55; stroke: none; }
    .colorbar-frame { fill: none; stroke: #555555; stroke-width: 0.5; }
    @media (prefers-color-scheme: dark) {
      text { fill: #dddddd; }
      .axis, .tick, .zero-line, .colorbar-frame { stroke: #aaaaaa; }
      .grid { stroke: #444444; }
      .reference-line, .legend-reference { stroke: #bbbbbb; }
    }
    """
}

extension RGBColor {
    /// From a 24-bit value 0xRRGGBB.
    public init(hex: UInt32) {
        self.init(red: Double((hex >> 16) & 0xFF) / 255, green: Double((hex >> 8) & 0xFF) / 255,
                  blue: Double(hex & 0xFF) / 255)
    }
}
