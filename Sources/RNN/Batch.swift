import Linalg
import MNIST

/// A batch of B input sequences of T steps of I inputs, laid out for the forward pass:
/// `inputs` is I × (B·T), column t·B + n holding x_{t+1} of sample n (time-major blocks of B
/// columns, so step t is the contiguous column block t·B..<(t+1)·B).
public struct SequenceBatch<T: LinalgScalar>: Sendable {
    public var inputs: Matrix<T>
    public var labels: [Int]
    public let steps: Int
    public var batchSize: Int { labels.count }
    public var inputSize: Int { inputs.rows }

    /// From explicit sequences, each T×I values step-major (x_t contiguous), Float or Double
    /// (converted to T once).
    public init<S: BinaryFloatingPoint>(sequences: [[S]], labels: [Int], steps: Int, inputSize: Int) {
        precondition(sequences.count == labels.count && sequences.allSatisfy { $0.count == steps * inputSize })
        let b = labels.count
        self.steps = steps
        self.labels = labels
        var x = Matrix<T>(rows: inputSize, cols: b * steps)
        x.storage.withUnsafeMutableBufferPointer { p in
            for (n, seq) in sequences.enumerated() {
                for t in 0..<steps {
                    let col = t * b + n
                    for i in 0..<inputSize { p[col * inputSize + i] = T(seq[t * inputSize + i]) }
                }
            }
        }
        inputs = x
    }

    /// A batch over an existing input matrix (I × (B·T), time-major blocks of B columns).
    public init(inputs: Matrix<T>, labels: [Int], steps: Int) {
        precondition(inputs.cols == labels.count * steps, "inputs must have B·T columns")
        self.inputs = inputs
        self.labels = labels
        self.steps = steps
    }

    /// Images `indices` of `data`, presented as `task` sequences, each pixel value standardized
    /// when `standardization` is given (as `RNNModel.sequence(ofImage:)` does). Specialised: the
    /// generic trainer calls it for every batch, and unspecialised its per-pixel conversion and
    /// store went through witness tables (about 13 % of a training step at H = 64).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public init(_ data: MNISTDataset, indices: [Int], task: SequenceTask, standardization: InputStandardization? = nil) {
        let t = task.steps, i = task.inputSize, b = indices.count
        self.steps = t
        labels = indices.map { data.label($0) }
        var x = Matrix<T>(rows: i, cols: b * t)
        let order: [Int]
        switch task {
        case .rowwise, .pixelwise: order = Array(0..<MNISTDataset.pixels)
        case let .permuted(p): order = p
        }
        data.pixelBytes.withUnsafeBufferPointer { px in
            x.storage.withUnsafeMutableBufferPointer { p in
                for (n, idx) in indices.enumerated() {
                    let base = idx * MNISTDataset.pixels
                    // Sequence position s = t·I + j presents pixel order[s].
                    for s in 0..<(t * i) {
                        let step = s / i, j = s % i
                        let x = Float(px[base + order[s]]) / 255
                        p[(step * b + n) * i + j] = T(standardization?.apply(x) ?? x)
                    }
                }
            }
        }
        inputs = x
    }

    /// x_t of sample n (t is 0-based) as I values.
    public func input(step t: Int, sample n: Int) -> [T] {
        inputs.column(t * batchSize + n)
    }
}
