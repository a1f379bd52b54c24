import Explorer
import Foundation
import Testing

@Suite("Launcher")
struct LauncherTests {
    func options(_ change: (inout ExplorerOptions) -> Void = { _ in }) -> ExplorerOptions {
        var options = ExplorerOptions(dataDirectory: ExplorerFixtures.mnistDirectory, bundleRoot: ExplorerFixtures.temporaryDirectory())
        change(&options)
        return options
    }

    func prepare(_ options: ExplorerOptions) throws {
        _ = try ExplorerLauncher.prepare(options, environment: ["FTLE_THEMES": ExplorerFixtures.themesDirectory.path],
                                         currentDirectory: ExplorerFixtures.temporaryDirectory(), executableURL: nil)
    }

    @Test func missingDefaultModelsAreNamed() {
        let error = #expect(throws: ExplorerSetupError.self) { try prepare(options()) }
        #expect(error?.description.contains("Samples/models/permuted-h512.safetensors") == true)
        #expect(error?.description.contains("Samples/models/rowwise-h128.safetensors") == true)
    }

    @Test func theFirstExistingDefaultIsOpened() throws {
        let root = ExplorerFixtures.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: root + "/Samples/models", withIntermediateDirectories: true)
        try ExplorerFixtures.rowwiseModel.save(to: root + "/Samples/models/rowwise-h128.safetensors")
        let path = try ExplorerLauncher.resolveModelPath(options { $0.bundleRoot = root })
        #expect(path.hasSuffix("rowwise-h128.safetensors"))
    }

    @Test func unknownThemeListsTheThemes() throws {
        let model = ExplorerFixtures.temporaryDirectory() + "/m.safetensors"
        try ExplorerFixtures.rowwiseModel.save(to: model)
        let error = #expect(throws: ExplorerSetupError.self) {
            try prepare(options { $0.modelPath = model; $0.themeName = "neon" })
        }
        #expect(error?.description == "unknown theme \"neon\"; available themes: colorblind, dark, light, mono")
    }

    @Test func badColourModeAndImageAreOneLineErrors() throws {
        let model = ExplorerFixtures.temporaryDirectory() + "/m.safetensors"
        try ExplorerFixtures.rowwiseModel.save(to: model)
        #expect(throws: ExplorerSetupError.self) { try prepare(options { $0.modelPath = model; $0.colorName = "rainbow" }) }
        let error = #expect(throws: ExplorerSetupError.self) { try prepare(options { $0.modelPath = model; $0.imageIndex = 10_000 }) }
        #expect(error?.description.contains("out of range") == true)
        try prepare(options { $0.modelPath = model; $0.colorName = "256"; $0.themeName = "colorblind" })
    }
}
