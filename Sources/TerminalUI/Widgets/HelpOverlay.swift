/// A centred, bordered box titled "keys" listing every binding of a key table (footer or
/// not): the key display padded to a common width, two spaces, the description. The box
/// is sized to its content and clipped to the area; rows that do not fit are dropped and
/// the last shown row becomes the ellipsis glyph.
public struct HelpOverlay<Action: Hashable & Sendable>: Widget, Sendable {
    public var keyTable: KeyTable<Action>
    public var title: String

    public init(keyTable: KeyTable<Action>, title: String = "keys") {
        self.keyTable = keyTable
        self.title = title
    }

    /// The text lines inside the box.
    public func lines() -> [String] {
        let keyWidth = keyTable.bindings.map(\.display.count).max() ?? 0
        return keyTable.bindings.map { binding in
            binding.display + String(repeating: " ", count: keyWidth - binding.display.count + 2) + binding.description
        }
    }

    public func render(into grid: inout Grid, area: Rect, context: RenderContext) {
        let lines = lines()
        let contentWidth = max(lines.map(\.count).max() ?? 0, title.count + 2)
        let box = area.centered(width: contentWidth + 4, height: lines.count + 2)
        guard box.width >= 3, box.height >= 3 else { return }
        let block = Block(title: title, isFocused: true)
        block.render(into: &grid, area: box, context: context)
        let inside = block.inner(box)
        let content = Rect(x: inside.minX + 1, y: inside.minY, width: inside.width - 2, height: inside.height)
        let keyWidth = keyTable.bindings.map(\.display.count).max() ?? 0
        for (row, line) in lines.enumerated() {
            let y = content.minY + row
            guard y < content.maxY else { break }
            if row == content.height - 1 && lines.count > content.height {
                grid.put(text: String(context.glyphs.ellipsis), at: (content.minX, y),
                         style: Style(foreground: context.theme[.dim]), clip: content)
                break
            }
            grid.put(text: String(line.prefix(keyWidth)), at: (content.minX, y),
                     style: Style(foreground: context.theme[.accent], attributes: .bold), clip: content)
            grid.put(text: String(line.dropFirst(keyWidth)), at: (content.minX + keyWidth, y),
                     style: Style(foreground: context.theme[.foreground]), clip: content)
        }
    }
}
