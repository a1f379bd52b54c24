import Testing
@testable import TerminalUI

@Suite struct GridStyleTextTests {
    /// Colours get keys in order of first appearance, named where `names` knows them;
    /// attributes get their own map only when some cell has one.
    @Test func styleTextMapsEveryCellsColoursAndAttributes() {
        let red = Color.rgb(255, 0, 0), blue = Color.rgb(0, 0, 255)
        var grid = Grid(width: 3, height: 2)
        grid[0, 0] = Cell("x", foreground: red, background: blue)
        grid[2, 1] = Cell("y", foreground: blue, background: red, attributes: [.bold, .reverse])
        #expect(grid.styleText(names: [red: "negative"]) == """
            fg
            acc
            ccb
            bg
            bcc
            cca
            attr
            ...
            ..a
            colours
            a #ff0000 negative
            b #0000ff
            c default
            attributes
            a bold+reverse
            """)
        #expect(!Grid(width: 2, height: 1).styleText().contains("attr"))
    }

    @Test func displayForActionIsTheFirstBindingsDisplay() {
        let table = KeyTable<Int>([
            KeyBinding(keys: [.char("a")], display: "a", description: "one", action: 1),
            KeyBinding(keys: [.char("b")], display: "b", description: "one again", action: 1),
        ])
        #expect(table.display(for: 1) == "a")
        #expect(table.display(for: 2) == nil)
    }
}
