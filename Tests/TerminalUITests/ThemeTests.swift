import Foundation
import Testing
@testable import TerminalUI

@Suite struct ThemeTests {
    @Test func validTextSetsItsKeysAndDefaultsTheRest() {
        let result = Theme.parse(text: """
            # comment
            accent = "#112233"
              title="#AABBCC"   # trailing comment
            scale.mid = "default"

            """, name: "mine")
        #expect(result.warnings.isEmpty)
        #expect(result.theme.name == "mine")
        #expect(result.theme[.accent] == .rgb(0x11, 0x22, 0x33))
        #expect(result.theme[.title] == .rgb(0xaa, 0xbb, 0xcc))
        #expect(result.theme[.scaleMid] == .default)
        #expect(result.definedKeys == [.accent, .title, .scaleMid])
        #expect(result.theme[.border] == Theme.default[.border])
        #expect(result.theme[.series3] == Theme.default[.series3])
    }

    @Test func malformedLinesWarnWithTheirLineNumberAndTheRestStillApplies() {
        let result = Theme.parse(text: """
            accent = "#112233"
            border #445566
            acent = "#112233"
            dim = "#12345"
            title = 778899
            cursor = "#010203"
            cursor = "#040506"
            """, name: "broken")
        #expect(result.warnings.count == 5)
        #expect(result.warnings[0].hasPrefix("line 2: expected key = \"#rrggbb\""))
        #expect(result.warnings[1] == "line 3: unknown key \"acent\"")
        #expect(result.warnings[2] == "line 4: dim needs \"#rrggbb\", a 256-colour index 0-255 or \"default\", got \"#12345\"")
        #expect(result.warnings[3] == "line 5: title needs \"#rrggbb\", a 256-colour index 0-255 or \"default\", got \"778899\"")
        #expect(result.warnings[4] == "line 7: cursor is set twice; the last value wins")
        #expect(result.theme[.accent] == .rgb(0x11, 0x22, 0x33))
        #expect(result.theme[.cursor] == .rgb(4, 5, 6))
        #expect(result.theme[.dim] == Theme.default[.dim])
    }

    /// Issue 29, item 11: a 256-colour index works as the README says, and unquoted values
    /// (`accent = #5fafff`) are read, not a reason to drop the whole theme.
    @Test func paletteIndicesAndUnquotedValues() {
        let result = Theme.parse(text: """
            accent = #5fafff   # unquoted, with a comment
            title = 196
            dim = "244"
            border = 1
            cursor = 256
            """, name: "plain")
        #expect(result.warnings == ["line 5: cursor needs \"#rrggbb\", a 256-colour index 0-255 or \"default\", got \"256\""])
        #expect(result.theme[.accent] == .rgb(0x5f, 0xaf, 0xff))
        #expect(result.theme[.title] == .rgb(255, 0, 0))
        #expect(result.theme[.dim] == .rgb(128, 128, 128))
        #expect(result.theme[.border] == .rgb(205, 0, 0))
        #expect(result.definedKeys == [.accent, .title, .dim, .border])
    }

    @Test func garbageFallsBackToTheDefaultWithOneMessage() {
        let result = Theme.parse(text: "<html>\nnot a theme\n", name: "page")
        #expect(result.warnings == ["theme \"page\" has no usable key = \"#rrggbb\" line; using the default theme"])
        #expect(result.theme == Theme.default)
    }

    @Test func commentsOnlyIsAnEmptyButValidTheme() {
        let result = Theme.parse(text: "# nothing here\n\n", name: "empty")
        #expect(result.warnings.isEmpty)
        #expect(result.theme[.accent] == Theme.default[.accent])
    }

    @Test func unknownThemeNameIsAOneLineErrorListingTheThemes() throws {
        let directory = try #require(themesDirectory())
        let error = #expect(throws: ThemeError.self) { try Theme.load(name: "neon", directory: directory) }
        #expect(error?.description == "unknown theme \"neon\"; available themes: colorblind, dark, light, mono")
        #expect(throws: ThemeError.self) { try Theme.load(name: "../Themes/dark", directory: directory) }
    }

    @Test(arguments: ["dark", "light", "colorblind", "mono"])
    func shippedThemesLoadCleanlyAndDefineEveryKey(name: String) throws {
        let directory = try #require(themesDirectory())
        let result = try Theme.load(name: name, directory: directory)
        #expect(result.warnings.isEmpty)
        #expect(result.definedKeys == Set(ThemeKey.allCases))
        #expect(result.theme.name == name)
    }

    @Test func darkThemeFileEqualsTheBuiltInDefault() throws {
        let directory = try #require(themesDirectory())
        let dark = try Theme.load(name: "dark", directory: directory).theme
        for key in ThemeKey.allCases {
            #expect(dark[key] == Theme.default[key], "\(key.rawValue)")
        }
    }

    @Test func darkIsBuiltInEvenWithoutAThemesFolder() throws {
        let nowhere = URL(fileURLWithPath: "/nonexistent-ftle-themes")
        #expect(try Theme.load(name: "dark", directory: nowhere).theme == Theme.default)
        #expect(throws: ThemeError.unknownTheme(name: "light", available: ["dark"])) {
            try Theme.load(name: "light", directory: nowhere)
        }
    }

    @Test func unreadableFileFallsBackWithOneMessage() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ftle-theme-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data([0xFF, 0xFE, 0x00, 0xC3]).write(to: directory.appendingPathComponent("binary.theme"))
        let result = try Theme.load(name: "binary", directory: directory)
        #expect(result.theme == Theme.default)
        #expect(result.warnings == ["theme \"binary\" could not be read as UTF-8 text; using the default theme"])
    }

    @Test func scaleInterpolation() {
        let theme = Theme.default
        #expect(theme.scaleColor(signed: -1) == theme[.scaleLow])
        #expect(theme.scaleColor(signed: 0) == theme[.scaleMid])
        #expect(theme.scaleColor(signed: 1) == theme[.scaleHigh])
        #expect(theme.scaleColor(signed: 7) == theme[.scaleHigh])
        #expect(theme.scaleColor(signed: 0.5) == theme[.scaleMid].mixed(with: theme[.scaleHigh], 0.5))
        #expect(theme.scaleColor(unit: 0.25) == theme[.scaleLow].mixed(with: theme[.scaleMid], 0.5))
        #expect(theme.scaleColor(unit: .nan) == theme[.background])
        #expect(ScaleMapping.signed(limit: 2).position(of: -1) == 0.25)
        #expect(ScaleMapping.signed(limit: 2).shadeLevel(of: -1) == 0.5)
        #expect(ScaleMapping.absolute(10...20).position(of: 12.5) == 0.25)
        #expect(ScaleMapping.absolute(10...20).position(of: -.infinity) == 0)
    }
}

@Suite struct ThemeDirectoryTests {
    @Test func findsTheThemesFolderAboveTheExecutableOrFromTheEnvironment() throws {
        let themes = try #require(themesDirectory())
        let repository = themes.deletingLastPathComponent()
        let nowhere = URL(fileURLWithPath: "/nonexistent-ftle")
        let executable = repository.appendingPathComponent(".build/release/ftle")
        #expect(Theme.locateDirectory(environment: [:], currentDirectory: nowhere, executableURL: executable)?
            .standardizedFileURL.path == themes.standardizedFileURL.path)
        #expect(Theme.locateDirectory(environment: ["FTLE_THEMES": themes.path], currentDirectory: nowhere,
                                      executableURL: nil)?.path == themes.path)
        #expect(Theme.locateDirectory(environment: [:], currentDirectory: repository, executableURL: nil)?
            .standardizedFileURL.path == themes.standardizedFileURL.path)
        #expect(Theme.locateDirectory(environment: [:], currentDirectory: nowhere, executableURL: nil) == nil)
    }
}

@Suite struct SequentialScaleTests {
    /// Magnitudes run from scale.mid (0) to scale.high (1); 0 is never the diverging scale's
    /// low end (issue #16, item 4), and the legend shows the same gradient.
    @Test func magnitudesUseTheSequentialScale() {
        let theme = Theme.default
        let mapping = ScaleMapping.sequential(0...1)
        #expect(mapping.color(of: 0, theme: theme) == theme[.scaleMid])
        #expect(mapping.color(of: 1, theme: theme) == theme[.scaleHigh])
        #expect(mapping.color(of: 0, theme: theme) != theme[.scaleLow])
        #expect(mapping.color(of: .nan, theme: theme) == theme[.background])
        let matrix = HalfBlockMatrix(rows: 2, columns: 1, values: [0, 1], mapping: mapping)
        #expect(matrix.color(row: 0, column: 0, theme: theme) == theme[.scaleMid])
        let legend = rendered(ColorScaleLegend(mapping: mapping), width: 10, height: 1)
        #expect(legend.plainText() == "0 ██████ 1")
        #expect(legend[2, 0].foreground == theme[.scaleMid] && legend[7, 0].foreground == theme[.scaleHigh])
    }
}

@Suite struct StateColourDistanceTests {
    /// Pairs from Sharma, Wu and Dalal's CIEDE2000 test data.
    @Test func ciede2000MatchesTheReferencePairs() {
        let pairs: [((Double, Double, Double), (Double, Double, Double), Double)] = [
            ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
            ((50, -1.3802, -84.2814), (50, 0, -82.7485), 1.0),
            ((50, 2.5, 0), (50, 0, -2.5), 4.3065),
            ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
            ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
        ]
        for (first, second, expected) in pairs {
            let d = LabColor(l: first.0, a: first.1, b: first.2).difference(to: LabColor(l: second.0, a: second.1, b: second.2))
            #expect(abs(d - expected) < 1e-4, "\(first) \(second): \(d) vs \(expected)")
        }
        #expect(abs(LabColor(r: 255, g: 255, b: 255).l - 100) < 1e-3)
    }

    /// Every colour theme tells the digit's states apart after 256-colour reduction: the
    /// current pixel above all (issue #16, item 7). The mono theme uses attributes instead.
    @Test(arguments: ["dark", "light", "colorblind"])
    func stateColoursArePairwiseDistinguishable(name: String) throws {
        let directory = try #require(themesDirectory())
        let theme = try Theme.load(name: name, directory: directory).theme
        let keys: [ThemeKey] = [.cursor, .presented, .pending, .upFlip, .downFlip, .topK]
        for (i, first) in keys.enumerated() {
            for second in keys[(i + 1)...] {
                let d = try #require(theme[first].lab256).difference(to: try #require(theme[second].lab256))
                #expect(d >= 10, "\(name): \(first.rawValue) vs \(second.rawValue) ΔE00 = \(d)")
            }
        }
    }
}

/// `--theme` takes the path of a theme file as well as a name.
@Suite struct ThemePathTests {
    @Test func aPathLoadsThatFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ftle-theme-path-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("mine.theme")
        let themes = try #require(themesDirectory())
        let mono = try String(contentsOfFile: themes.appendingPathComponent("mono.theme").path, encoding: .utf8)
        try mono.write(to: file, atomically: true, encoding: .utf8)
        let byPath = try Theme.load(name: file.path, directory: URL(fileURLWithPath: "/nonexistent"))
        let byName = try Theme.load(name: "mono", directory: themes)
        // The same colours under another name (the theme is named for its file).
        var renamed = byPath.theme; renamed.name = byName.theme.name
        #expect(renamed == byName.theme && byPath.warnings.isEmpty)
        #expect(throws: ThemeError.self) { try Theme.load(name: dir.appendingPathComponent("none.theme").path, directory: themes) }
        #expect(throws: ThemeError.self) { try Theme.load(name: dir.path + "/", directory: themes) }
    }
}
