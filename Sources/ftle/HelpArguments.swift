import ArgumentParser

/// `ftle help …` and `ftle CMD help SUB` as one form: the argument parser knows `help` only as
/// the root's first word, so `ftle sweep help plan` was "2 unexpected arguments" and
/// `ftle help nosuch` printed the main help with exit 0.
enum HelpArguments {
    /// `arguments` (without the program name) with a `help` that follows subcommand names moved
    /// to the front (`sweep help plan` → `help sweep plan`); throws a usage error when the
    /// words after `help` do not name a command.
    static func normalized(_ arguments: [String], root: ParsableCommand.Type) throws -> [String] {
        var path: [String] = []
        var command: ParsableCommand.Type = root
        var rest = arguments[...]
        // Subcommand names before a `help`.
        while let word = rest.first, word != "help", let next = subcommand(word, of: command) {
            path.append(word); command = next; rest = rest.dropFirst()
        }
        guard rest.first == "help" else { return arguments }
        rest = rest.dropFirst()
        for word in rest where !word.hasPrefix("-") {
            guard let next = subcommand(word, of: command) else {
                let names = command.configuration.subcommands.map { $0._commandName }
                throw ValidationError("ftle \((path + [word]).joined(separator: " ")): no such command"
                    + (names.isEmpty ? "" : " (\((["ftle"] + path).joined(separator: " ")) has \(names.joined(separator: ", ")))"))
            }
            path.append(word); command = next
        }
        return ["help"] + path
    }

    static func subcommand(_ name: String, of command: ParsableCommand.Type) -> ParsableCommand.Type? {
        command.configuration.subcommands.first { $0._commandName == name }
    }
}
