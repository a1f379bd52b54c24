import Linalg
import Foundation
import MNIST
import RNN

/// What the panes need to know about the loaded model (the weights stay with the app).
public struct ModelSummary: Equatable, Sendable {
    /// The file's path as given, and its last component for the header.
    public var path: String
    public var fileName: String
    public var task: SequenceTask
    public var hidden: Int
    /// "rnn", "gru" or "lstm".
    public var cell: String = "rnn"
    /// N, the size of the state the frame lives in (2H for an LSTM).
    public var stateSize: Int
    /// T.
    public var steps: Int
    /// For each pixel (row-major), the 1-based step that presents it.
    public var stepOfPixel: [Int]
    public var epochsTrained: Double
    public var testAccuracy: Double?

    public init(model: RNNModel<Double>, path: String) {
        self.init(network: .vanilla(model), path: path)
    }

    /// Any network of an MNIST task.
    public init(network: RecurrentNetwork, path: String) {
        guard let task = network.imageTask else { preconditionFailure("the explorer shows models of an MNIST task") }
        self.path = path
        fileName = URL(fileURLWithPath: path).lastPathComponent
        self.task = task
        hidden = network.layerSizes[0]
        cell = network.cellName
        stateSize = network.stateSize
        steps = task.steps
        stepOfPixel = task.stepOfEachPixel.map { $0 + 1 }
        epochsTrained = network.metadata.epochsTrained
        testAccuracy = network.metadata.testAccuracy
    }
}
