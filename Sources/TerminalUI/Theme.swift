/// A named set of colours for every ``ThemeKey``.
///
/// Themes are loaded from `Themes/<name>.theme` files (format in `Themes/README.md`) with
/// ``load(name:directory:)`` or parsed with ``parse(text:name:)``; a key a file leaves out
/// takes its value from ``default`` (the built-in dark theme).
public struct Theme: Hashable, Sendable {
    public var name: String
    private var colors: [ThemeKey: Color]

    /// A theme with the given colours; missing keys fall back to ``default``.
    public init(name: String, colors: [ThemeKey: Color]) {
        self.name = name
        self.colors = Theme.builtinDarkColors.merging(colors) { _, given in given }
    }

    public subscript(key: ThemeKey) -> Color {
        get { colors[key] ?? .default }
        set { colors[key] = newValue }
    }

    /// A style with this theme's colour for `key` as foreground.
    public func style(_ key: ThemeKey, attributes: CellAttributes = []) -> Style {
        Style(foreground: self[key], attributes: attributes)
    }

    /// Each colour of the theme with the keys that use it ("background/scale.mid"), for
    /// naming colours in style snapshots.
    public var colorNames: [Color: String] {
        var names: [Color: String] = [:]
        for key in ThemeKey.allCases { names[self[key]] = names[self[key]].map { $0 + "/" + key.rawValue } ?? key.rawValue }
        return names
    }

    /// The series colour for the `index`-th line-chart series (cycles through 1…3).
    public func seriesColor(_ index: Int) -> Color {
        let keys: [ThemeKey] = [.series1, .series2, .series3]
        return self[keys[((index % keys.count) + keys.count) % keys.count]]
    }

    /// The built-in default theme; identical to `Themes/dark.theme`.
    public static let `default` = Theme(name: "dark", colors: [:])

    /// The built-in dark colours, also the fallback for keys a theme file leaves out.
    static let builtinDarkColors: [ThemeKey: Color] = [
        .background: .rgb(0x1c, 0x1c, 0x24),
        .foreground: .rgb(0xd8, 0xd8, 0xe0),
        .dim: .rgb(0x7a, 0x7a, 0x8c),
        .border: .rgb(0x4a, 0x4a, 0x5c),
        .title: .rgb(0xe6, 0xe6, 0xf0),
        .accent: .rgb(0x5f, 0xaf, 0xff),
        .positive: .rgb(0x87, 0xd7, 0x87),
        .negative: .rgb(0xff, 0x6b, 0x6b),
        .cursor: .rgb(0xff, 0xd7, 0x5f),
        .upFlip: .rgb(0x00, 0xd7, 0xaf),
        .downFlip: .rgb(0xff, 0x5f, 0xaf),
        .topK: .rgb(0xff, 0x87, 0x00),
        .presented: .rgb(0xd8, 0xd8, 0xe0),
        .pending: .rgb(0x50, 0x50, 0x60),
        .warning: .rgb(0xff, 0xaf, 0x5f),
        .scaleLow: .rgb(0x3b, 0x6e, 0xd8),
        .scaleMid: .rgb(0x1c, 0x1c, 0x24),
        .scaleHigh: .rgb(0xe0, 0x5a, 0x3c),
        .series1: .rgb(0x5f, 0xaf, 0xff),
        .series2: .rgb(0xff, 0xaf, 0x5f),
        .series3: .rgb(0x87, 0xd7, 0x87),
    ]
}
