import TerminalUI

extension ExplorerKeys {
    /// How `table` shows the key of `action` (e.g. "t" for training), for hints in pane
    /// and status texts, so they never name a key the table does not bind.
    static func hint(_ action: ExplorerAction, in table: KeyTable<ExplorerAction> = ExplorerKeys.table) -> String {
        table.display(for: action) ?? "?"
    }
}
