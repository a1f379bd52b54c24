import Explorer
import Foundation
import RNN
import Testing
import TerminalUI

/// The status line and the open prompt (issue #16, item 13).
@Suite("Status line", .serialized)
struct StatusLineTests {
    @Test func theNextActionClearsTheLastMessage() {
        var state = ExplorerFixtures.state()
        _ = state.handle(.action(.newRandomBaseline))
        #expect(state.status?.text == "random baseline seed 1")
        _ = state.handle(.action(.stepBackward))
        #expect(state.status == nil)
        // A message that is no longer shown does not clear a newer one.
        _ = state.handle(.status("newer", isWarning: false))
        _ = state.handle(.statusExpired(StatusMessage("older")))
        #expect(state.status?.text == "newer")
        _ = state.handle(.statusExpired(StatusMessage("newer")))
        #expect(state.status == nil)
    }

    @Test func messagesExpireAfterTheirLifetime() throws {
        let (app, _) = ExplorerFixtures.settledApp()
        app.dispatch(.status("exported something", isWarning: false))
        let now = monotonicSeconds()
        app.expireStatus(now: now)
        app.expireStatus(now: now + StatusMessage.lifetime - 1)
        #expect(app.state.status?.text == "exported something")
        app.expireStatus(now: now + StatusMessage.lifetime + 0.1)
        #expect(app.state.status == nil)
    }

    @Test func escapeOnThePromptSaysItCancelledAndCtrlUClearsTheLine() {
        var state = ExplorerFixtures.state()
        _ = state.handle(.action(.openModel))
        for character in "abc" { _ = state.handle(state.event(for: .char(character))!) }
        #expect(state.prompt == .openModel(text: "abc"))
        let prompt = ExplorerScreen.render(state, size: state.size).rowText(state.size.height - 2)
        #expect(prompt.contains("Esc cancels, Ctrl-U clears): abc_"))
        _ = state.handle(state.event(for: .ctrl("u"))!)
        #expect(state.prompt == .openModel(text: ""))
        _ = state.handle(state.event(for: .char("x"))!)
        _ = state.handle(state.event(for: .escape)!)
        #expect(state.prompt == nil)
        #expect(state.status?.text == "open model cancelled")
        let line = ExplorerScreen.render(state, size: state.size).rowText(state.size.height - 2)
        #expect(line.contains("open model cancelled"))
    }

    @Test func aMissingModelIsNamedOnce() {
        let (app, _) = ExplorerFixtures.settledApp()
        let path = "/nonexistent-\(getpid())/m.safetensors"
        app.handle(.char("o"))
        for character in path { app.handle(.char(character)) }
        app.handle(.enter)
        let text = app.state.status?.text ?? ""
        #expect(text == "cannot open \(path): no such file")
        #expect(text.components(separatedBy: path).count == 2)
        #expect(app.state.status?.isWarning == true)
    }
}
