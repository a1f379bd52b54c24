import Testing
import TerminalUI

@Suite struct MemoryTerminalTests {
    @Test func flushesCountChangedCellsAndKeysComeInOrder() {
        let terminal = MemoryTerminal(size: TerminalSize(width: 4, height: 2), keys: [.char("j"), .resize])
        var grid = Grid(width: 4, height: 2)
        terminal.flush(grid)
        grid.put(text: "ab", at: (1, 1))
        terminal.flush(grid)
        terminal.flush(grid)
        terminal.invalidate()
        terminal.flush(grid)
        #expect(terminal.changedCellCounts == [8, 2, 0, 8])
        #expect(terminal.screen?.plainText() == "\n ab")
        #expect(terminal.readKey(timeoutMs: 0) == .char("j"))
        #expect(terminal.readKey(timeoutMs: 0) == .resize)
        #expect(terminal.readKey(timeoutMs: 0) == nil)
        terminal.restore()
        #expect(terminal.isRestored)
    }
}
