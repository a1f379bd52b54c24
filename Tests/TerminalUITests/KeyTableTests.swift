import Testing
import TerminalUI

@Suite struct KeyTableTests {
    enum Action: Hashable, Sendable { case quit, back, help, export }

    let table = KeyTable<Action>([
        KeyBinding(keys: [.char("q"), .ctrl("c")], display: "q", description: "quit", action: .quit),
        KeyBinding(keys: [.left, .char("h")], display: "←/h", description: "back", action: .back),
        KeyBinding(keys: [.char("?")], display: "?", description: "help", action: .help),
        KeyBinding(keys: [.char("x")], display: "x", description: "export", action: .export, visibleInFooter: false),
    ])

    @Test func dispatchFindsTheBindingForEveryKey() {
        #expect(table.action(for: .char("h")) == .back)
        #expect(table.action(for: .left) == .back)
        #expect(table.action(for: .ctrl("c")) == .quit)
        #expect(table.action(for: .char("x")) == .export)
        #expect(table.action(for: .char("z")) == nil)
        #expect(table.duplicateKeys.isEmpty)
        let doubled = KeyTable<Action>(table.bindings + [
            KeyBinding(keys: [.char("q")], display: "q", description: "again", action: .help),
        ])
        #expect(doubled.duplicateKeys == [.char("q")])
        #expect(doubled.action(for: .char("q")) == .quit)
    }

    @Test func footerShowsAsManyVisibleHintsAsFit() {
        #expect(table.footerBindings(width: 20).map(\.action) == [.quit, .back])
        #expect(table.footerBindings(width: 24).map(\.action) == [.quit, .back, .help])
        #expect(table.footerBindings(width: 5).isEmpty)
        let narrow = rendered(Footer(keyTable: table), width: 20, height: 1)
        #expect(narrow.plainText() == "q quit  ←/h back")
        #expect(narrow[0, 0].foreground == Theme.default[.accent])
        #expect(narrow[2, 0].foreground == Theme.default[.dim])
        let wide = rendered(Footer(keyTable: table), width: 40, height: 1)
        #expect(wide.plainText() == "q quit  ←/h back  ? help")
    }

    @Test func helpOverlayListsEveryBindingInACentredBox() {
        var grid = Grid(width: 20, height: 8)
        grid.fill(grid.bounds, with: Cell("."))
        HelpOverlay(keyTable: table).render(into: &grid, area: grid.bounds, context: RenderContext())
        #expect(grid.plainText() == """
            ....................
            ..┌ keys ───────┐...
            ..│ q    quit   │...
            ..│ ←/h  back   │...
            ..│ ?    help   │...
            ..│ x    export │...
            ..└─────────────┘...
            ....................
            """)
        #expect(grid[4, 3].foreground == Theme.default[.accent])
        #expect(grid[9, 3].foreground == Theme.default[.foreground])
    }

    @Test func helpOverlayCutsRowsThatDoNotFit() {
        var grid = Grid(width: 20, height: 5)
        HelpOverlay(keyTable: table).render(into: &grid, area: grid.bounds, context: RenderContext())
        #expect(grid.plainText() == """
              ┌ keys ───────┐
              │ q    quit   │
              │ ←/h  back   │
              │ …           │
              └─────────────┘
            """)
    }

    @Test func charactersMapToKeys() {
        #expect(Key(character: "\r") == .enter)
        #expect(Key(character: "\n") == .enter)
        #expect(Key(character: "\t") == .tab)
        #expect(Key(character: "\u{1B}") == .escape)
        #expect(Key(character: "\u{7F}") == .backspace)
        #expect(Key(character: "\u{01}") == .ctrl("a"))
        #expect(Key(character: "\u{03}") == .ctrl("c"))
        #expect(Key(character: "q") == .char("q"))
        #expect(Key(character: "λ") == .char("λ"))
    }
}

@Suite struct HelpOverlayScrollTests {
    let table = KeyTable<Int>((1...4).map { KeyBinding(keys: [.char(Character("\($0)"))], display: "\($0)", description: "key \($0)", action: $0) })

    /// A window from `scroll`, with an ellipsis row for entries above and below, clamped so
    /// the last entry shows; the footer stays at the bottom.
    @Test func scrollingShowsAWindowWithMarkers() {
        let overlay = HelpOverlay(keyTable: table, extraEntries: [("click", "move")], footer: "Esc closes", scroll: 1)
        let area = Rect(x: 0, y: 0, width: 20, height: 6)
        #expect(overlay.entryRows(in: area) == 3)
        #expect(overlay.maxScroll(in: area) == 3)
        #expect(rendered(overlay, width: 20, height: 6).plainText() == """
              ┌ keys ────────┐
              │ …            │
              │ 2      key 2 │
              │ …            │
              │ Esc closes   │
              └──────────────┘
            """)
        var last = overlay
        last.scroll = 99
        #expect(rendered(last, width: 20, height: 6).plainText() == """
              ┌ keys ────────┐
              │ …            │
              │ 4      key 4 │
              │ click  move  │
              │ Esc closes   │
              └──────────────┘
            """)
    }
}
