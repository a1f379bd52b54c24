import Explorer
import Testing
import TerminalUI

@Suite("Key table")
struct KeyTableTests {
    @Test func noKeyIsBoundTwice() {
        #expect(ExplorerKeys.table.duplicateKeys.isEmpty)
    }

    @Test func everyActionHasALetterOrSymbolKey() {
        for action in ExplorerAction.allCases {
            let binding = ExplorerKeys.table.bindings.first { $0.action == action }
            #expect(binding != nil, "no binding for \(action)")
            let hasCharacter = binding?.keys.contains { if case .char = $0 { true } else { false } } ?? false
            #expect(hasCharacter || action == .focusNextPane, "\(action) needs a character key")
        }
    }

    @Test func issueKeysMapToTheirActions() {
        let table = ExplorerKeys.table
        let expected: [(Key, ExplorerAction)] = [
            (.left, .stepBackward), (.char("h"), .stepBackward), (.right, .stepForward), (.char("l"), .stepForward),
            (.char("H"), .jumpBackward), (.pageUp, .jumpBackward), (.char("L"), .jumpForward), (.pageDown, .jumpForward),
            (.home, .firstStep), (.char("g"), .firstStep), (.end, .lastStep), (.char("G"), .lastStep),
            (.char(" "), .togglePlay), (.char("n"), .nextImage), (.char("p"), .previousImage),
            (.char("u"), .toggleUpFlips), (.char("d"), .toggleDownFlips), (.char("r"), .newRandomBaseline),
            (.char("+"), .increaseFlipCount), (.char("-"), .decreaseFlipCount), (.char("["), .scrollSpectrumLeft),
            (.char("]"), .scrollSpectrumRight), (.char("a"), .toggleAlignmentScale), (.char("t"), .toggleTraining),
            (.char("s"), .saveCheckpoint), (.char("o"), .openModel), (.char("T"), .nextTheme), (.tab, .focusNextPane),
            (.char("z"), .toggleZoom), (.char("e"), .export), (.char("?"), .toggleHelp), (.char("q"), .quit),
            (.char("R"), .reloadWeights),
        ]
        for (key, action) in expected { #expect(table.action(for: key) == action, "\(key)") }
    }

    @Test func footerAndHelpComeFromTheTable() {
        var grid = Grid(width: 120, height: 1)
        Footer(keyTable: ExplorerKeys.table).render(into: &grid, area: grid.bounds, context: RenderContext())
        let footer = grid.plainText()
        for binding in ExplorerKeys.table.footerBindings(width: 120) {
            #expect(footer.contains(binding.display + " " + binding.description))
        }
        let help = HelpOverlay(keyTable: ExplorerKeys.table).lines()
        #expect(help.count == ExplorerKeys.table.bindings.count)
        #expect(help.contains { $0.contains("reload newest training weights") })
    }
}
