import MNIST

/// A model that may read MNIST images as sequences: its task (nil: array sequences only) and
/// the standardization applied to pixel values on their way in. `RNNModel`, `GatedModel`,
/// `GatedNetwork` and `Network` share `task` and `sequence(ofImage:)` through it.
public protocol ImageSequenceModel {
    /// How an MNIST image becomes a sequence (nil: a model of array sequences).
    var imageTask: SequenceTask? { get set }
    /// Applied to MNIST pixel values on their way into the network (nil: none).
    var inputStandardization: InputStandardization? { get }
}

extension ImageSequenceModel {
    /// The MNIST task. Only for models that have one (`imageTask != nil`): the commands check
    /// that before reading images, and say so in one line when a model has none.
    public var task: SequenceTask {
        get {
            guard let t = imageTask else { preconditionFailure("the model has no MNIST task") }
            return t
        }
        set { imageTask = newValue }
    }

    /// The input sequence (T×I, step-major) of a 784-pixel image under the model's task and
    /// input standardization: what the network sees when shown that image.
    public func sequence(ofImage image: [Float]) -> [Float] {
        let sequence = task.sequence(image)
        guard let standardization = inputStandardization else { return sequence }
        return sequence.map(standardization.apply)
    }
}

extension RNNModel: ImageSequenceModel {}
extension GatedModel: ImageSequenceModel {}
extension GatedNetwork: ImageSequenceModel {}
extension Network: ImageSequenceModel {}
