import Explorer
import Foundation
import Testing
import TerminalUI

@Suite("Flip count above the candidates", .serialized)
struct FlipCountTests {
    /// Down flips with k above the image's lit pixels: every lit pixel flips, the footer says
    /// "k N of N down" (N = lit pixels, the CLI's k_effective), then "random = ranked" where
    /// the pane is wide enough — not "k 784 down flips".
    @Test func kAboveTheCandidatesShowsTheEffectiveK() throws {
        let (app, _) = ExplorerFixtures.settledApp(size: TerminalSize(width: 160, height: 48))
        ExplorerFixtures.press([.char("d")] + [Key](repeating: .char("+"), count: 60), on: app)
        let flips = try #require(app.state.currentFlips)
        let lit = app.state.image.filter { $0 >= 0.001 }.count
        #expect(flips.request.count > lit)
        #expect(flips.rFlippedPixels.count == lit && Set(flips.randomPixels) == Set(flips.rFlippedPixels))
        let text = try #require(app.screen).plainText()
        #expect(text.contains("k \(lit) of \(lit) down"))
        #expect(!text.contains("k \(flips.request.count) down"))
    }
}
