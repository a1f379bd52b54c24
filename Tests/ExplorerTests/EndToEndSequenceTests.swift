import Foundation
import Testing

/// The built `ftle` in tmux on a model that is not an MNIST model (issue 13): the PyTorch
/// fixture (two ReLU layers, I = 3, C = 4 named) on its 9×3 input opens with the Input pane and
/// the named classes, `b` ablates steps, `q` exits 0.
@Suite("End to end on sequences (tmux)", .serialized)
struct EndToEndSequenceTests {
    @Test(.enabled(if: EndToEndTests.isAvailable, "tmux or the built ftle binary is missing (run swift build first)"))
    func pytorchModelOnASequence() throws {
        let root = ExplorerFixtures.repositoryRoot.path
        let directory = ExplorerFixtures.temporaryDirectory()
        let session = "ftle-e2e-seq-\(getpid())"
        let command = "cd \(directory) && env -u NO_COLOR TERM=xterm-256color FTLE_THEMES=\(ExplorerFixtures.themesDirectory.path) "
            + "\(EndToEndTests.binary!) explore --model \(root)/Tests/Fixtures/pytorch-rnn/model.safetensors "
            + "--input \(root)/Tests/Fixtures/pytorch-rnn/input.npy --label 2; echo FTLE_EXIT=$?; sleep 2"
        #expect(EndToEndTests.tmuxCommand(["new-session", "-d", "-s", session, "-x", "120", "-y", "40", command]).status == 0)
        defer { EndToEndTests.tmuxCommand(["kill-session", "-t", session]) }
        var screen = EndToEndTests.waitFor(session) { $0.contains("┌ Input · t 9/9") && $0.contains("pred ") && $0.contains("ln r1 =") }
        #expect(screen.contains("I 3 C 4 · relu H 7,7 · N 14 · K 14"), "\(screen)")
        #expect(screen.contains("label south"))
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "b"])
        screen = EndToEndTests.waitFor(session) { $0.contains("R-ablated") }
        #expect(screen.contains("R-ablated") && screen.contains("x_t←0"), "\(screen)")
        EndToEndTests.tmuxCommand(["send-keys", "-t", session, "q"])
        screen = EndToEndTests.waitFor(session) { $0.contains("FTLE_EXIT=") }
        #expect(screen.contains("FTLE_EXIT=0"), "\(screen)")
    }
}
