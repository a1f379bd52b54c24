/// The semantic colour slots a theme defines. The raw value is the key used in theme files.
public enum ThemeKey: String, CaseIterable, Hashable, Sendable {
    case background, foreground, dim, border, title, accent
    /// Values above zero / good outcomes.
    case positive
    /// Values below zero / bad outcomes.
    case negative
    /// The current timestep or selection.
    case cursor
    /// Pixels flipped up (0 → 1) and down (1 → 0) by a perturbation.
    case upFlip, downFlip
    /// The top-k most sensitive elements.
    case topK
    /// Input already presented to the network, and input still to come.
    case presented, pending
    case warning
    /// The three stops of the heatmap colour scale (see ``Theme/scaleColor(unit:)``).
    case scaleLow = "scale.low"
    case scaleMid = "scale.mid"
    case scaleHigh = "scale.high"
    /// Line-chart series colours.
    case series1, series2, series3
}
