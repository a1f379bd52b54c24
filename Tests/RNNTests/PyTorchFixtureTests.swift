import Foundation
import Linalg
import RNN
import Testing
import TestSupport

/// Tests/Fixtures/pytorch-rnn: a model, an input and logits written by PyTorch itself
/// (make_fixture.py there regenerates them).
@Suite struct PyTorchFixtureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/pytorch-rnn").path

    func load<T: LinalgScalar>(_: T.Type) throws -> (RNNModel<T>, SequenceBatch<T>) {
        let m = try RNNModel<T>.load(from: Self.folder + "/model.safetensors")
        let x = try NPYArray(contentsOf: Self.folder + "/input.npy")
        #expect(x.shape == [9, 3])
        return (m, SequenceBatch<T>(sequences: [x.values], labels: [0], steps: 9, inputSize: 3))
    }

    /// The file is read as what PyTorch built: two ReLU layers of 7, I = 3, C = 4, no biases,
    /// no MNIST task, the class names kept as metadata.
    @Test func modelIsReadAsBuilt() throws {
        let (m, _) = try load(Double.self)
        #expect(m.layerSizes == [7, 7] && m.inputSize == 3 && m.classes == 4)
        #expect(m.nonlinearity == .relu && m.biasMode == .none && m.imageTask == nil)
        #expect(m.metadata.extra["classes"] == "north,east,south,west")
    }

    /// ftle's Float32 logits equal PyTorch's Float32 logits to 1e-6, and its Float64 logits
    /// equal PyTorch's float64 ones (same weights, net.double()) to 1e-12.
    @Test func logitsEqualPyTorch() throws {
        let torch32 = try NPYArray(contentsOf: Self.folder + "/logits-f32.npy").values
        let torch64 = try NPYArray(contentsOf: Self.folder + "/logits-f64.npy").values
        let (m32, b32) = try load(Float.self)
        let o32 = m32.finalLogits(b32).column(0).map(Double.init)
        let worst32 = zip(o32, torch32).map { abs($0 - $1) }.max()!
        #expect(worst32 < 1e-6, "max |Δ logit| float32 = \(worst32)")
        let (m64, b64) = try load(Double.self)
        let o64 = m64.finalLogits(b64).column(0)
        let worst64 = zip(o64, torch64).map { abs($0 - $1) }.max()!
        #expect(worst64 < 1e-12, "max |Δ logit| float64 = \(worst64)")
    }
}
