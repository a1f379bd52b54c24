import Testing
import TerminalUI
@testable import Explorer

/// `v` switches the alignment pane's place between the gate pane and the alignment pane
/// (issue 14): gated models start on their gates and `v` shows their alignment (the whole
/// recurrent block, since issue 27); vanilla models start on the alignment and `v` shows that
/// they have no gates.
@Suite("Gate pane toggle", .serialized)
struct GatePaneToggleTests {
    static func slotText(_ app: ExplorerApp) throws -> [String] {
        let area = try #require(ScreenLayout.make(size: app.state.size, focus: app.state.focus, isZoomed: false)?.panes[.alignment])
        let grid = app.screen!
        return (area.minY..<area.maxY).map { String(grid.rowText($0).dropFirst(area.minX).prefix(area.width)) }
    }

    @Test func gatedModelsStartOnGatesAndToggle() throws {
        let app = GatedExplorerTests.settledApp(try GatedExplorerTests.network(.lstm))
        #expect(app.state.showsGates)
        #expect(try Self.slotText(app)[0].hasPrefix("┌ Gates · LSTM · mean over units"))
        ExplorerFixtures.press([.char("v")], on: app)
        var slot = try Self.slotText(app)
        #expect(slot[0].hasPrefix("┌ Alignment"))
        #expect(slot.joined(separator: " ").contains("q1 ") && slot.joined(separator: " ").contains("rank "), "\(slot)")
        #expect(app.state.engineError == nil && app.state.status == nil)
        ExplorerFixtures.press([.char("v")], on: app)
        slot = try Self.slotText(app)
        #expect(slot[0].hasPrefix("┌ Gates"))
        #expect(slot[1].hasPrefix("│i "))
    }

    @Test func vanillaModelsStartOnAlignmentAndToggle() throws {
        let (app, _) = ExplorerFixtures.settledApp()
        #expect(!app.state.showsGates)
        #expect(try Self.slotText(app)[0].hasPrefix("┌ Alignment QᵀE"))
        ExplorerFixtures.press([.char("v")], on: app)
        let slot = try Self.slotText(app)
        #expect(slot[0].hasPrefix("┌ Gates ─"))
        #expect(slot[1].contains("a vanilla RNN has no gates. v:"))
        ExplorerFixtures.press([.char("v")], on: app)
        #expect(try Self.slotText(app)[0].hasPrefix("┌ Alignment QᵀE"))
        #expect(app.state.currentAlignment != nil)
    }
}
