/// One key binding: the keys that trigger it, how they are shown, what they do.
public struct KeyBinding<Action: Hashable & Sendable>: Hashable, Sendable {
    public var keys: [Key]
    /// How the keys are shown in the footer and help, e.g. "←/h".
    public var display: String
    public var description: String
    public var action: Action
    public var visibleInFooter: Bool

    public init(keys: [Key], display: String, description: String, action: Action, visibleInFooter: Bool = true) {
        self.keys = keys
        self.display = display
        self.description = description
        self.action = action
        self.visibleInFooter = visibleInFooter
    }
}

/// The single list of key bindings: dispatch, the footer hints and the help overlay all
/// read it, so help never drifts from behaviour. The first binding listing a key wins.
public struct KeyTable<Action: Hashable & Sendable>: Sendable {
    public var bindings: [KeyBinding<Action>]

    public init(_ bindings: [KeyBinding<Action>]) {
        self.bindings = bindings
    }

    /// The action bound to `key`, if any.
    public func action(for key: Key) -> Action? {
        bindings.first { $0.keys.contains(key) }?.action
    }

    /// How the first binding for `action` shows its keys (e.g. "t"), or nil if unbound.
    public func display(for action: Action) -> String? {
        bindings.first { $0.action == action }?.display
    }

    /// Keys bound more than once (a table-building mistake worth a test).
    public var duplicateKeys: [Key] {
        var seen = Set<Key>()
        var duplicates: [Key] = []
        for key in bindings.flatMap(\.keys) where !seen.insert(key).inserted {
            duplicates.append(key)
        }
        return duplicates
    }

    /// The footer bindings that fit in `width` columns, in table order: each takes
    /// `display.count + 1 + description.count` columns, with `gap` between hints. Stops at the
    /// first one that does not fit, so the order of the table is the priority.
    public func footerBindings(width: Int, gap: Int = 2) -> [KeyBinding<Action>] {
        var used = 0
        var shown: [KeyBinding<Action>] = []
        for binding in bindings where binding.visibleInFooter {
            let needed = binding.display.count + 1 + binding.description.count + (shown.isEmpty ? 0 : gap)
            guard used + needed <= width else { break }
            used += needed
            shown.append(binding)
        }
        return shown
    }
}
