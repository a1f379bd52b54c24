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
    /// T.
    public var steps: Int
    /// For each pixel (row-major), the 1-based step that presents it.
    public var stepOfPixel: [Int]
    public var epochsTrained: Double
    public var testAccuracy: Double?

    public init(model: RNNModel<Double>, path: String) {
        self.path = path
        fileName = URL(fileURLWithPath: path).lastPathComponent
        task = model.task
        hidden = model.hidden
        steps = model.task.steps
        stepOfPixel = model.task.stepOfEachPixel.map { $0 + 1 }
        epochsTrained = model.metadata.epochsTrained
        testAccuracy = model.metadata.testAccuracy
    }
}
