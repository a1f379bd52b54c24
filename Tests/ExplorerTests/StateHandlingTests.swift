import Explorer
import Testing
import TerminalUI

@Suite("State handling")
struct StateHandlingTests {
    @Test func cursorMovesAndClamps() {
        var state = ExplorerFixtures.state()
        #expect(state.t == 28)
        #expect(state.handle(.action(.stepForward)).isEmpty)   // already at T
        #expect(state.handle(.action(.stepBackward)) == [.requestAlignment])
        #expect(state.t == 27)
        _ = state.handle(.action(.jumpBackward))
        #expect(state.t == 17)
        _ = state.handle(.action(.firstStep))
        #expect(state.t == 1)
        _ = state.handle(.action(.jumpBackward))
        #expect(state.t == 1)
        _ = state.handle(.action(.lastStep))
        #expect(state.t == 28)
    }

    @Test func playRestartsAtTheEndAndStopsAtT() {
        var state = ExplorerFixtures.state()
        _ = state.handle(.action(.togglePlay))
        #expect(state.isPlaying && state.t == 1)
        for _ in 0..<40 { _ = state.handle(.tick) }
        #expect(state.t == 28)
        #expect(!state.isPlaying)
    }

    @Test func imagesWrapAndStartANewAnalysis() {
        var state = ExplorerFixtures.state()
        let id = state.analysisID
        #expect(state.handle(.action(.previousImage)) == [.analyze])
        #expect(state.imageIndex == state.dataset.count - 1)
        #expect(state.analysisID == id + 1)
        _ = state.handle(.action(.nextImage))
        #expect(state.imageIndex == 0)
        #expect(state.label == ExplorerFixtures.testSet.label(0))
    }

    @Test func flipSettingsRequestFlips() {
        var state = ExplorerFixtures.state()
        #expect(state.handle(.action(.toggleUpFlips)) == [.requestFlips])
        #expect(state.flipRequest.mode == .up)
        _ = state.handle(.action(.increaseFlipCount))
        #expect(state.flipCount == 15)
        _ = state.handle(.action(.decreaseFlipCount))
        _ = state.handle(.action(.decreaseFlipCount))
        #expect(state.flipCount == 9)
        _ = state.handle(.action(.newRandomBaseline))
        #expect(state.baselineSeed == 1)
    }

    /// Issue 29, item 8: one flip direction at a time — `d` after `u` replaces the up flips
    /// (it used to turn both on and re-rank: 10 up flips became 7 up + 3 down), and says so;
    /// pressing the direction that is on turns it off.
    @Test func oneFlipDirectionReplacesTheOther() {
        var state = ExplorerFixtures.state()
        #expect(state.handle(.action(.toggleUpFlips)) == [.requestFlips])
        #expect(state.flipRequest.mode == .up)
        #expect(state.handle(.action(.toggleDownFlips)) == [.requestFlips])
        #expect(state.flipRequest.mode == .down)
        #expect(!state.flipUp && state.flipDown)
        #expect(state.status?.text == "down flips replace the up flips (one direction at a time)")
        _ = state.handle(.action(.toggleUpFlips))
        #expect(state.flipRequest.mode == .up)
        _ = state.handle(.action(.toggleUpFlips))
        #expect(state.flipRequest.mode == nil)
        #expect(state.status?.text == "up flips off")
        _ = state.handle(.action(.toggleDownFlips))
        _ = state.handle(.action(.toggleDownFlips))
        #expect(!state.flipUp && !state.flipDown)
    }

    @Test func staleResultsAreIgnored() {
        var state = ExplorerFixtures.state()
        let old = SpectrumResult(analysisID: state.analysisID - 1, directions: 1, totalSteps: 28, logR: [[0]], exponents: [[0]])
        _ = state.handle(.engine(.spectrum(old)))
        #expect(state.spectrum == nil)
    }

    @Test func quittingWhileTrainingAsksFirst() throws {
        var state = ExplorerFixtures.state()
        _ = state.handle(.action(.toggleTraining))
        #expect(state.training.phase == .starting)
        #expect(state.handle(.action(.quit)).isEmpty)
        #expect(state.prompt == .confirmQuit)
        let no = try #require(state.event(for: .char("n")))
        _ = state.handle(no)
        #expect(state.prompt == nil && !state.shouldQuit)
        _ = state.handle(.action(.quit))
        #expect(state.handle(state.event(for: .char("y"))!) == [.quit])
        #expect(state.shouldQuit)
    }

    @Test func openModelPromptCollectsAPath() {
        var state = ExplorerFixtures.state()
        _ = state.handle(.action(.openModel))
        for key in [Key.char("a"), .char("b"), .backspace, .char("c")] { _ = state.handle(state.event(for: key)!) }
        #expect(state.prompt == .openModel(text: "ac"))
        #expect(state.handle(state.event(for: .enter)!) == [.openModel(path: "ac")])
        #expect(state.prompt == nil)
    }

    @Test func clickingThePixelOrTheTraceMovesT() {
        var state = ExplorerFixtures.state(model: ExplorerFixtures.permutedModel, name: "permuted-h8")
        // Digit pane inside starts at (1, 2); pixel (row 10, column 5) sits in cell row 5.
        _ = state.handle(.click(x: 1 + 5, y: 2 + 5))
        #expect(state.t == state.model.stepOfPixel[10 * 28 + 5])
        // R trace pane (120×40): inside row of the sparkline.
        let layout = ScreenLayout.make(size: state.size, focus: state.focus, isZoomed: false)!
        let trace = layout.panes[.rTrace]!.inset(by: 1)
        _ = state.handle(.action(.firstStep))
        _ = state.handle(.click(x: trace.minX + 3, y: trace.minY))
        #expect(state.t == 4)
    }

    @Test func helpTakesKeysUntilClosed() {
        var state = ExplorerFixtures.state()
        _ = state.handle(.action(.toggleHelp))
        #expect(state.event(for: .char("n")) == nil)
        _ = state.handle(state.event(for: .escape)!)
        #expect(!state.showsHelp)
    }

    @Test func themesCycleInNameOrder() {
        var state = ExplorerFixtures.state()
        #expect(state.handle(.action(.nextTheme)) == [.loadTheme("light")])
    }
}

