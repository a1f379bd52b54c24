import Explorer
import Foundation
import RNN
import Testing
import TerminalUI

@Suite("App loop", .serialized)
struct AppLoopTests {
    @Test func scriptedKeysRunToQuit() throws {
        let terminal = MemoryTerminal(size: TerminalSize(width: 120, height: 40), keys: [.left, .left, .char("q")])
        let model = ExplorerFixtures.rowwiseModel
        let app = ExplorerApp(terminal: terminal, state: ExplorerFixtures.state(), model: model,
                              configuration: .init(modelPath: "m", dataDirectory: ExplorerFixtures.mnistDirectory,
                                                   trainingDirectory: ExplorerFixtures.temporaryDirectory(),
                                                   exportDirectory: ExplorerFixtures.temporaryDirectory()))
        #expect(app.run(signalCheck: { nil }) == .quit)
        #expect(app.state.t == 26)
        // Keys already waiting are applied before the next frame, so q came before a redraw.
        #expect(app.frameCount == 1)
        #expect(try #require(terminal.screen).plainText().contains("t 28/28"))
    }

    @Test func aSignalEndsTheLoop() {
        let terminal = MemoryTerminal(size: TerminalSize(width: 120, height: 40))
        let app = ExplorerApp(terminal: terminal, state: ExplorerFixtures.state(), model: ExplorerFixtures.rowwiseModel,
                              configuration: .init(modelPath: "m", dataDirectory: ExplorerFixtures.mnistDirectory,
                                                   trainingDirectory: "/nonexistent", exportDirectory: "/nonexistent"))
        #expect(app.run(signalCheck: { SIGTERM }) == .signal(SIGTERM))
    }

    @Test func nothingRedrawsWhenNothingChanged() {
        let (app, terminal) = ExplorerFixtures.settledApp()
        let frames = app.frameCount
        let flushes = terminal.changedCellCounts.count
        app.renderIfNeeded()
        #expect(!app.processWorkerResults())
        app.renderIfNeeded()
        #expect(app.frameCount == frames)
        #expect(terminal.changedCellCounts.count == flushes)
        // A step changes only part of the screen.
        app.handle(.left)
        app.renderIfNeeded()
        #expect(terminal.changedCellCounts.last! > 0)
        #expect(terminal.changedCellCounts.last! < 120 * 40 / 2)
    }

    @Test func resizeRelaysOut() throws {
        let (app, terminal) = ExplorerFixtures.settledApp()
        terminal.size = TerminalSize(width: 80, height: 24)
        app.handle(.resize)
        app.renderIfNeeded()
        let small = try #require(app.screen)
        #expect(small.width == 80 && small.height == 24)
        terminal.size = TerminalSize(width: 60, height: 20)
        app.handle(.resize)
        app.renderIfNeeded()
        #expect(try #require(app.screen).plainText().contains("terminal too small"))
    }

    @Test func exportWritesANSIAndJSON() throws {
        let (app, _) = ExplorerFixtures.settledApp()
        ExplorerFixtures.press([.char("u"), .char("e")], on: app)
        let status = try #require(app.state.status?.text)
        #expect(status.hasPrefix("exported ftle-explore-"))
        let files = try FileManager.default.contentsOfDirectory(atPath: app.configuration.exportDirectory)
        let ansi = try #require(files.first { $0.hasSuffix(".ansi") })
        let json = try #require(files.first { $0.hasSuffix(".json") })
        #expect(status.contains(ansi) && status.contains(json))
        let ansiText = try String(contentsOfFile: app.configuration.exportDirectory + "/" + ansi, encoding: .utf8)
        #expect(ansiText.contains("\u{1B}[0;"))
        #expect(ansiText.contains("FTLE spectrum"))
        let data = try #require(FileManager.default.contents(atPath: app.configuration.exportDirectory + "/" + json))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["t"] as? Int == 28)
        #expect((object["spectrum"] as? [Any])?.count == 16)
        #expect((object["log_r1"] as? [Any])?.count == 28)
        let flips = try #require(object["flips"] as? [String: Any])
        #expect((flips["r_flipped"] as? [Int])?.count == 10)
        let alignment = try #require(object["alignment"] as? [String: Any])
        #expect((alignment["cosines"] as? [[Double]])?.count == 16)
    }

    @Test func reloadOpensTheModelFileAgain() throws {
        let (app, _) = ExplorerFixtures.settledApp()
        let path = ExplorerFixtures.temporaryDirectory() + "/other.safetensors"
        try RNNModel<Double>(task: .rowwise, hidden: 12, initialization: .pytorch, seed: 2).save(to: path)
        let id = app.state.analysisID
        app.dispatch(.promptSubmit)   // no prompt: nothing happens
        #expect(app.state.analysisID == id)
        app.dispatch(.action(.openModel))
        for character in path { app.dispatch(.promptInput(character)) }
        app.dispatch(.promptSubmit)
        app.settle()
        app.renderIfNeeded()
        #expect(app.state.model.hidden == 12)
        #expect(app.state.currentSpectrum?.directions == 12)
        #expect(try #require(app.screen).plainText().contains("other.safetensors"))
        app.dispatch(.action(.openModel))
        for character in "/no/such/file" { app.dispatch(.promptInput(character)) }
        app.dispatch(.promptSubmit)
        #expect(app.state.status?.isWarning == true)
        #expect(app.state.model.hidden == 12)
    }
}
