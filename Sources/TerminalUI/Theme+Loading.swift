import Foundation

/// A parsed theme and anything in its file that was skipped.
public struct ThemeLoadResult: Hashable, Sendable {
    public var theme: Theme
    /// One line per problem (e.g. `line 4: unknown key "acent"`); empty for a clean file.
    public var warnings: [String]
    /// The keys the text set itself; the others came from the default theme.
    public var definedKeys: Set<ThemeKey>

    public init(theme: Theme, warnings: [String], definedKeys: Set<ThemeKey> = []) {
        self.theme = theme
        self.warnings = warnings
        self.definedKeys = definedKeys
    }
}

/// Why a theme could not be chosen at all.
public enum ThemeError: Error, Equatable, CustomStringConvertible {
    case unknownTheme(name: String, available: [String])
    /// A theme file larger than ``Theme/maximumFileBytes`` (refused before it is read).
    case fileTooLarge(path: String, bytes: Int)

    /// One line naming the available themes, or the size.
    public var description: String {
        switch self {
        case let .unknownTheme(name, available):
            return "unknown theme \"\(name)\"; available themes: \(available.joined(separator: ", "))"
        case let .fileTooLarge(path, bytes):
            return "theme file \(Theme.quoted(path, limit: nil)) is \(bytes) bytes; a theme file is at most \(Theme.maximumFileBytes) bytes"
        }
    }
}

extension Theme {
    /// The file extension of theme files.
    public static let fileExtension = "theme"
    /// The largest theme file read (the shipped ones are about 1 KB): checked before reading,
    /// so a huge file given as --theme costs nothing.
    public static let maximumFileBytes = 64 << 10

    /// Parses theme text. Never throws: lines that cannot be used are reported in
    /// `warnings` and keys the text leaves out keep their ``default`` value. Text with no
    /// usable line at all (but some non-comment content) is not a theme: the result is
    /// the default colours and a single warning saying so.
    ///
    /// Format, one entry per line: `key = "#rrggbb"`, an xterm 256-colour index
    /// (`key = "75"`), or `key = "default"` for the terminal's own colour; the quotes may be
    /// left out; blank lines and lines starting with `#` are ignored, and a `#` comment may
    /// follow the value.
    public static func parse(text: String, name: String) -> ThemeLoadResult {
        var colors: [ThemeKey: Color] = [:]
        var warnings: [String] = []
        var contentLines = 0
        // Any line break: "\n", "\r\n" (a single Character in Swift, so splitting on "\n"
        // alone would keep a CRLF file as one line), "\r".
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            contentLines += 1
            let lineNumber = offset + 1
            guard let (key, value) = splitEntry(line) else {
                warnings.append("line \(lineNumber): expected key = \"#rrggbb\", got \(quoted(line))")
                continue
            }
            guard let themeKey = ThemeKey(rawValue: key) else {
                warnings.append("line \(lineNumber): unknown key \(quoted(key))")
                continue
            }
            guard let color = Color(hex: value) ?? paletteColor(value) else {
                warnings.append("line \(lineNumber): \(key) needs \"#rrggbb\", a 256-colour index 0-255 or \"default\", got \(quoted(value))")
                continue
            }
            if colors[themeKey] != nil {
                warnings.append("line \(lineNumber): \(key) is set twice; the last value wins")
            }
            colors[themeKey] = color
        }
        if colors.isEmpty && contentLines > 0 {
            return ThemeLoadResult(
                theme: Theme(name: Theme.default.name, colors: [:]),
                warnings: ["theme \(quoted(name)) has no usable key = \"#rrggbb\" line; using the default theme"])
        }
        return ThemeLoadResult(theme: Theme(name: name, colors: colors), warnings: warnings,
                               definedKeys: Set(colors.keys))
    }

    /// Loads `<directory>/<name>.theme`, or the theme file at `name` when it is a path (it
    /// contains a `/` or ends in `.theme`). The name `dark` works even without a file (it is
    /// built in). An unreadable file (e.g. not UTF-8) gives the default theme and a
    /// one-line warning. Throws ``ThemeError/unknownTheme(name:available:)`` when there is
    /// no such theme.
    public static func load(name: String, directory: URL) throws -> ThemeLoadResult {
        let isPath = name.contains("/") || name.hasSuffix("." + fileExtension)
        let file = isPath ? URL(fileURLWithPath: name) : directory.appendingPathComponent(name + "." + fileExtension)
        let isPlainName = !name.isEmpty && !name.hasPrefix(".") && (isPath || !name.contains("/"))
        var isDirectory: ObjCBool = false
        guard isPlainName, FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            if name == Theme.default.name {
                return ThemeLoadResult(theme: .default, warnings: [], definedKeys: Set(ThemeKey.allCases))
            }
            throw ThemeError.unknownTheme(name: name, available: availableThemes(in: directory))
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? Int, size > maximumFileBytes {
            throw ThemeError.fileTooLarge(path: file.path, bytes: size)
        }
        guard let data = FileManager.default.contents(atPath: file.path),
              let text = String(data: data, encoding: .utf8) else {
            return ThemeLoadResult(
                theme: .default,
                warnings: ["theme \(quoted(name)) could not be read as UTF-8 text; using the default theme"])
        }
        return parse(text: text, name: name)
    }

    /// The theme names in `directory` (files ending in `.theme`) plus the built-in `dark`,
    /// sorted.
    public static func availableThemes(in directory: URL) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let names = files.filter { $0.hasSuffix("." + fileExtension) }
            .map { String($0.dropLast(fileExtension.count + 1)) }
        return Array(Set(names + [Theme.default.name])).sorted()
    }

    /// The colour of an xterm 256-colour index ("0"…"255"): 16…255 the fixed cube and grey
    /// ramp, 0…15 xterm's default system colours (a terminal may show those differently).
    static func paletteColor(_ text: String) -> Color? {
        guard text.allSatisfy(\.isASCII), let index = Int(text), (0...255).contains(index) else { return nil }
        if index >= 16 {
            let c = ColorQuantizer.rgb(ofXterm256Index: index)
            return .rgb(UInt8(c.r), UInt8(c.g), UInt8(c.b))
        }
        let system: [(UInt8, UInt8, UInt8)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
            (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
        ]
        return .rgb(system[index].0, system[index].1, system[index].2)
    }

    /// Splits `key = "value"  # comment` into key and unquoted value. The quotes may be left
    /// out (`accent = #5fafff`, `accent = 75`): the value is then the first word.
    private static func splitEntry(_ line: String) -> (String, String)? {
        guard let equals = line.firstIndex(of: "=") else { return nil }
        let key = line[..<equals].trimmingCharacters(in: .whitespaces)
        let rest = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, !key.contains(" "), !rest.isEmpty else { return nil }
        if rest.first != "\"" {
            let value = rest.prefix { !$0.isWhitespace }
            let trailing = rest.dropFirst(value.count).trimmingCharacters(in: .whitespaces)
            guard trailing.isEmpty || trailing.hasPrefix("#") else { return nil }
            return (key, String(value))
        }
        let afterQuote = rest.dropFirst()
        guard let closing = afterQuote.firstIndex(of: "\"") else { return nil }
        let trailing = afterQuote[afterQuote.index(after: closing)...].trimmingCharacters(in: .whitespaces)
        guard trailing.isEmpty || trailing.hasPrefix("#") else { return nil }
        return (key, String(afterQuote[..<closing]))
    }

    /// At most 40 characters of `text` in quotes, control characters escaped (`\u{1b}`), so a
    /// warning stays one printable line whatever the file holds.
    /// `text` in double quotes, control characters escaped, cut at `limit` characters (file
    /// text); paths are given whole (`limit` nil).
    static func quoted(_ text: some StringProtocol, limit: Int? = 40) -> String {
        var out = ""
        for u in String(limit.map { text.prefix($0) } ?? text[...]).unicodeScalars {
            switch u.value {
            case 0..<0x20, 0x7f...0x9f, 0x2028, 0x2029: out += "\\u{\(String(u.value, radix: 16))}"
            default: out.unicodeScalars.append(u)
            }
        }
        return "\"" + out + "\""
    }
}

extension Theme {
    /// Where to look for theme files, first match wins: `$FTLE_THEMES`; `Themes` in the
    /// current directory; `Themes` or `share/ftle/Themes` in any folder above the executable
    /// (so `.build/release/ftle` finds the repository's folder, `<prefix>/bin/ftle`
    /// `<prefix>/share/ftle/Themes`). Returns the first candidate
    /// holding `dark.theme`, or nil (then only the built-in `dark` is available).
    public static func locateDirectory(environment: [String: String], currentDirectory: URL,
                                       executableURL: URL?) -> URL? {
        var candidates: [URL] = []
        if let explicit = environment["FTLE_THEMES"], !explicit.isEmpty {
            candidates.append(URL(fileURLWithPath: explicit))
        }
        candidates.append(currentDirectory.appendingPathComponent("Themes"))
        if let executableURL {
            var folder = executableURL.resolvingSymlinksInPath().deletingLastPathComponent()
            while folder.pathComponents.count > 1 {
                candidates.append(folder.appendingPathComponent("Themes"))
                candidates.append(folder.appendingPathComponent("share/ftle/Themes"))
                folder = folder.deletingLastPathComponent()
            }
        }
        return candidates.first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("dark.\(fileExtension)").path)
        }
    }
}
