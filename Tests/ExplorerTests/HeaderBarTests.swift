import Explorer
import Foundation
import Testing
import TerminalUI

/// The header at 80 columns drops the model file name before H, K and the Jacobian
/// convention (found trying the explorer at 80×24: the line ended "H 16 …").
@Suite("Header bar", .serialized)
struct HeaderBarTests {
    @Test func eightyColumnsKeepKAndTheConvention() throws {
        let (app, _) = ExplorerFixtures.settledApp(size: TerminalSize(width: 80, height: 24))
        let header = try #require(app.screen?.plainText().split(separator: "\n").first.map(String.init))
        #expect(header.contains("H 16 · K \(app.state.directions) · D"), "\(header)")
        #expect(!header.contains("…"), "\(header)")
        #expect(!header.contains(app.state.model.fileName), "\(header)")
        let (wide, _) = ExplorerFixtures.settledApp(size: TerminalSize(width: 120, height: 40))
        let wideHeader = try #require(wide.screen?.plainText().split(separator: "\n").first.map(String.init))
        #expect(wideHeader.contains(wide.state.model.fileName + " · rowwise · H 16 · K \(wide.state.directions) · D"), "\(wideHeader)")
    }
}
