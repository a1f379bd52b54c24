import TerminalUI

extension ExplorerState {
    /// The event a key stands for in the current state: prompt input while a prompt is
    /// open, scrolling or closing the help overlay while it shows, otherwise the key table's action.
    /// Resize keys are turned into ``ExplorerEvent/resize(_:)`` by the app (it knows the size).
    public func event(for key: Key) -> ExplorerEvent? {
        if case .mouse(let x, let y) = key { return .click(x: x, y: y) }
        if let prompt {
            switch (prompt, key) {
            case (_, .escape): return .promptCancel
            case (_, .enter): return .promptSubmit
            case (.openModel, .backspace), (.moreEpochs, .backspace): return .promptBackspace
            case (.openModel, .ctrl("u")), (.moreEpochs, .ctrl("u")): return .promptClearLine
            case (_, .char(let character)): return .promptInput(character)
            default: return nil
            }
        }
        if showsHelp {
            switch key {
            case .escape, .char("?"), .char("q"): return .action(.toggleHelp)
            case .down, .char("j"): return .helpScroll(.lineDown)
            case .up, .char("k"): return .helpScroll(.lineUp)
            case .pageDown, .char(" "): return .helpScroll(.pageDown)
            case .pageUp: return .helpScroll(.pageUp)
            case .home, .char("g"): return .helpScroll(.top)
            case .end, .char("G"): return .helpScroll(.bottom)
            default: return nil
            }
        }
        // While the screen is too small to draw anything but its size, only `q` acts: keys
        // pressed blind would change what appears once the terminal grows.
        if size.width < ScreenLayout.minimumSize.width || size.height < ScreenLayout.minimumSize.height {
            return key == .char("q") ? .action(.quit) : nil
        }
        return ExplorerKeys.table.action(for: key).map(ExplorerEvent.action)
    }
}
