import Foundation
import TerminalUI

/// Renders a widget into a fresh `width`×`height` grid.
func rendered(_ widget: some Widget, width: Int, height: Int,
              context: RenderContext = RenderContext()) -> Grid {
    var grid = Grid(width: width, height: height)
    widget.render(into: &grid, area: grid.bounds, context: context)
    return grid
}

/// The repository's `Themes` folder: `$FTLE_REPO/Themes` if set, otherwise the first folder
/// holding `Themes/dark.theme` found walking up from this file (symlinks resolved too, so
/// it also works from a scratch package that links the test folder).
func themesDirectory(filePath: String = #filePath) -> URL? {
    let fileManager = FileManager.default
    var candidates: [URL] = []
    if let repo = ProcessInfo.processInfo.environment["FTLE_REPO"] {
        candidates.append(URL(fileURLWithPath: repo).appendingPathComponent("Themes"))
    }
    let file = URL(fileURLWithPath: filePath)
    for start in [file, file.resolvingSymlinksInPath()] {
        var folder = start.deletingLastPathComponent()
        while folder.path != "/" {
            candidates.append(folder.appendingPathComponent("Themes"))
            folder = folder.deletingLastPathComponent()
        }
    }
    return candidates.first { fileManager.fileExists(atPath: $0.appendingPathComponent("dark.theme").path) }
}
