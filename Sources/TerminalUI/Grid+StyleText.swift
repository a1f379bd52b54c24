extension Grid {
    /// The looks of every cell as text, for golden tests where colour carries meaning.
    ///
    /// Three maps in the layout of ``plainText(trimTrailingSpaces:)`` — `fg`, `bg` and, when
    /// any cell has attributes, `attr` — with one key character per cell, then a legend line
    /// per key: `a #rrggbb name` (the name from `names`, e.g. theme keys) or `a bold+reverse`.
    /// Keys are handed out in order of first appearance (row by row), so the text changes
    /// exactly when some cell's look does.
    public func styleText(names: [Color: String] = [:]) -> String {
        var colorKeys = StyleKeys<Color>(), attributeKeys = StyleKeys<CellAttributes>()
        var foreground: [String] = [], background: [String] = [], attributes: [String] = []
        var anyAttributes = false
        for y in 0..<height {
            var fg = "", bg = "", attr = ""
            for x in 0..<width {
                let cell = self[x, y]
                fg.append(colorKeys.key(for: cell.foreground))
                bg.append(colorKeys.key(for: cell.background))
                if cell.attributes.isEmpty {
                    attr.append(".")
                } else {
                    anyAttributes = true
                    attr.append(attributeKeys.key(for: cell.attributes))
                }
            }
            foreground.append(fg)
            background.append(bg)
            attributes.append(attr)
        }
        var sections = ["fg", foreground.joined(separator: "\n"), "bg", background.joined(separator: "\n")]
        if anyAttributes { sections += ["attr", attributes.joined(separator: "\n")] }
        sections.append("colours")
        sections += colorKeys.ordered.map { key, color in
            "\(key) \(color.hexString)" + (names[color].map { " " + $0 } ?? "")
        }
        if anyAttributes {
            sections.append("attributes")
            sections += attributeKeys.ordered.map { key, value in "\(key) \(Self.attributeNames(value))" }
        }
        return sections.joined(separator: "\n")
    }

    static func attributeNames(_ attributes: CellAttributes) -> String {
        let named: [(CellAttributes, String)] = [(.bold, "bold"), (.dim, "dim"), (.underline, "underline"), (.reverse, "reverse")]
        return named.filter { attributes.contains($0.0) }.map(\.1).joined(separator: "+")
    }
}

/// Single-character keys for distinct values, in order of first use: letters, digits,
/// then Greek, Cyrillic and Latin Extended-A letters (all one column wide); `?` after those.
private struct StyleKeys<Value: Hashable> {
    static var alphabet: [Character] {
        let ranges: [ClosedRange<UInt32>] = [0x61...0x7A, 0x41...0x5A, 0x30...0x39, 0x3B1...0x3C9, 0x391...0x3A1,
                                              0x3A3...0x3A9, 0x430...0x44F, 0x410...0x42F, 0x100...0x17F]
        return ranges.flatMap { $0.compactMap { Unicode.Scalar($0).map(Character.init) } }
    }

    private let keys = StyleKeys.alphabet
    private var assigned: [Value: Character] = [:]
    private(set) var ordered: [(Character, Value)] = []

    mutating func key(for value: Value) -> Character {
        if let key = assigned[value] { return key }
        let key = ordered.count < keys.count ? keys[ordered.count] : "?"
        assigned[value] = key
        ordered.append((key, value))
        return key
    }
}
