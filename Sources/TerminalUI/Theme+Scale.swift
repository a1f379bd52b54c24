extension Theme {
    /// The heatmap colour for a position `t` in 0…1 along the three-stop scale
    /// scale.low (0) → scale.mid (0.5) → scale.high (1), interpolated linearly in RGB.
    /// `t` is clamped; NaN gives the background colour.
    public func scaleColor(unit t: Double) -> Color {
        guard !t.isNaN else { return self[.background] }
        let t = min(max(t, 0), 1)
        if t <= 0.5 { return self[.scaleLow].mixed(with: self[.scaleMid], t * 2) }
        return self[.scaleMid].mixed(with: self[.scaleHigh], (t - 0.5) * 2)
    }

    /// The diverging colour for a signed value `v` in −1…1: −1 → scale.low, 0 → scale.mid,
    /// +1 → scale.high. Clamped; NaN gives the background colour.
    public func scaleColor(signed v: Double) -> Color {
        scaleColor(unit: (v + 1) / 2)
    }
}

extension Theme {
    /// The sequential colour for a position `t` in 0…1: scale.mid (0, dark in a dark theme)
    /// → scale.high (1), for magnitudes, where the diverging scale's low end would read as
    /// "−1". Clamped; NaN gives the background colour.
    public func sequentialColor(unit t: Double) -> Color {
        guard !t.isNaN else { return self[.background] }
        return self[.scaleMid].mixed(with: self[.scaleHigh], min(max(t, 0), 1))
    }
}

/// How matrix and legend values map onto the theme's colour scale.
public enum ScaleMapping: Hashable, Sendable {
    /// Absolute values: `range.lowerBound` → scale.low, `range.upperBound` → scale.high.
    case absolute(ClosedRange<Double>)
    /// Magnitudes on the one-sided sequential scale: `range.lowerBound` → scale.mid,
    /// `range.upperBound` → scale.high (see ``Theme/sequentialColor(unit:)``).
    case sequential(ClosedRange<Double>)
    /// Signed values, diverging around zero: −`limit` → scale.low, 0 → scale.mid,
    /// +`limit` → scale.high.
    case signed(limit: Double)

    /// The position 0…1 along the scale for a value (NaN stays NaN; ±∞ clamp to the ends).
    public func position(of value: Double) -> Double {
        guard !value.isNaN else { return .nan }
        switch self {
        case let .absolute(range), let .sequential(range):
            let span = range.upperBound - range.lowerBound
            guard span > 0 else { return 0.5 }
            return min(max((value - range.lowerBound) / span, 0), 1)
        case let .signed(limit):
            guard limit > 0 else { return 0.5 }
            return min(max((value / limit + 1) / 2, 0), 1)
        }
    }

    /// Position in 0…1 used for mono shades: the magnitude for signed values (|v|/limit),
    /// the scale position for absolute ones.
    public func shadeLevel(of value: Double) -> Double {
        guard !value.isNaN else { return .nan }
        switch self {
        case .absolute, .sequential:
            return position(of: value)
        case let .signed(limit):
            guard limit > 0 else { return 0 }
            return min(abs(value) / limit, 1)
        }
    }

    /// A signed scale's value as −1…1 (v / limit, clamped; NaN stays NaN); nil for the other
    /// mappings. Mono draws it with ``GlyphSet/signedShade(_:)``, so the sign shows by glyph.
    public func signedUnit(of value: Double) -> Double? {
        guard case let .signed(limit) = self else { return nil }
        guard !value.isNaN else { return .nan }
        guard limit > 0 else { return 0 }
        return min(max(value / limit, -1), 1)
    }

    /// The scale's end labels (lower, upper).
    public var bounds: (lower: Double, upper: Double) {
        switch self {
        case let .absolute(range), let .sequential(range): (range.lowerBound, range.upperBound)
        case let .signed(limit): (-limit, limit)
        }
    }

    /// The colour of a value on the theme: the three-stop scale, or the sequential one.
    public func color(of value: Double, theme: Theme) -> Color {
        if case .sequential = self { return theme.sequentialColor(unit: position(of: value)) }
        return theme.scaleColor(unit: position(of: value))
    }

    /// The colour of the scale end a position leans to, for shade glyphs with few colours:
    /// scale.low below the middle of a signed scale, scale.high above it and for magnitudes,
    /// scale.mid at the middle, the background for NaN.
    public func endColor(atPosition position: Double, theme: Theme) -> Color {
        guard !position.isNaN else { return theme[.background] }
        if case .signed = self {
            return position < 0.5 ? theme[.scaleLow] : position > 0.5 ? theme[.scaleHigh] : theme[.scaleMid]
        }
        return theme[.scaleHigh]
    }
}
