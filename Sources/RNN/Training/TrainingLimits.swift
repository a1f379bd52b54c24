import Foundation
import Linalg
import MNIST

/// The largest sizes a training run accepts and the memory a run needs, so that an absurd
/// setting (typed, or read from a crafted checkpoint) is refused before anything is allocated.
public enum TrainingLimits {
    public static let maximumEpochs = 1_000_000
    public static let maximumHidden = 65_536
    public static let maximumBatchSize = 1_000_000
    /// Stacked layers of a run (PyTorch sets none; 64 layers of BPTT is already far past use).
    public static let maximumLayers = 64
    /// Optimizer steps and positions beyond this are not a real run (2⁵³, exact in Double).
    public static let maximumStep = 1 << 53

    /// Physical memory of this machine in bytes (`MemoryBudget.physicalBytes`).
    public static var physicalMemoryBytes: Double { MemoryBudget.physicalBytes }

    /// "12 MB", "137.5 GB", … (`MemoryBudget.text`).
    public static func memoryText(_ bytes: Double) -> String { MemoryBudget.text(bytes) }

    /// Bytes one training step of H × B on a T × I task needs, in Double: parameters with their
    /// gradients and two optimizer moments (and a checkpoint's copies), the forward states
    /// h_t (H × B × (T+1)), the chunked backward buffers and one batch of inputs.
    public static func trainingBytes(hidden h: Int, batch b: Int, steps t: Int, inputSize i: Int, precision: Precision) -> Double {
        let width = precision == .f64 ? 8.0 : 4.0
        let H = Double(h), B = Double(b), T = Double(t), I = Double(i)
        let parameters = H * H + H * I + 11 * H + 10
        return width * (8 * parameters + H * B * (T + 1) + 4 * H * B * 32 + B * T * I + 10 * B)
    }

    /// The same for a one-layer gated cell of G gate blocks (GRU 3, LSTM 4): G times the
    /// weights, and the trace BPTT keeps — h_t (and c_t) for every step, G·H gate activations
    /// and H auxiliary values per step — plus a chunk of input projections and two of gate gradients.
    public static func gatedTrainingBytes(cell: GatedLayer.Cell, hidden h: Int, batch b: Int, steps t: Int, inputSize i: Int,
                                          precision: Precision) -> Double {
        let width = precision == .f64 ? 8.0 : 4.0, g = Double(cell.gateCount)
        let H = Double(h), B = Double(b), T = Double(t), I = Double(i)
        let parameters = g * H * (H + I + 2) + 10 * H + 10
        let states = H * B * (T + 1) * (cell == .lstm ? 2 : 1)
        let trace = (g + 1) * H * B * T + 3 * g * H * B * 32
        return width * (8 * parameters + states + trace + B * T * I + 10 * B)
    }
}

extension TrainingConfig {
    /// The steps and inputs per step of `task` (without building its permutation).
    var taskShape: (steps: Int, inputSize: Int) { task == .rowwise ? (28, 28) : (784, 1) }

    /// Throws `TrainingError.invalid` for a size above its maximum, or for a run whose memory
    /// (`TrainingLimits.trainingBytes`) exceeds this machine's, naming the setting and the
    /// memory it would need. Lower bounds are `validate()`'s.
    public func checkLimits() throws {
        func atMost(_ value: Int, _ limit: Int, _ setting: Setting) throws {
            if value > limit { throw TrainingError.invalid(setting, "must be at most \(limit) (got \(value))") }
        }
        try atMost(epochs, TrainingLimits.maximumEpochs, .epochs)
        try atMost(hidden, TrainingLimits.maximumHidden, .hidden)
        try atMost(batchSize, TrainingLimits.maximumBatchSize, .batchSize)
        guard hidden >= 1, batchSize >= 1 else { return }
        let shape = taskShape
        func bytes(batch: Int) -> Double {
            if let gated = cell.gated {
                return Double(layers) * TrainingLimits.gatedTrainingBytes(cell: gated, hidden: hidden, batch: batch, steps: shape.steps,
                                                                          inputSize: max(shape.inputSize, layers > 1 ? hidden : 0), precision: precision)
            }
            // Layers 2…L each hold about what layer 1 does (their input is H wide).
            return Double(layers) * TrainingLimits.trainingBytes(hidden: hidden, batch: batch, steps: shape.steps,
                                                                  inputSize: max(shape.inputSize, layers > 1 ? hidden : 0), precision: precision)
        }
        let weightsOnly = bytes(batch: 0), needed = bytes(batch: batchSize)
        let available = TrainingLimits.physicalMemoryBytes
        if weightsOnly > available {
            throw TrainingError.invalid(.hidden, "\(hidden) would need about \(TrainingLimits.memoryText(weightsOnly)) of memory, more than this machine has")
        }
        if needed > available {
            throw TrainingError.invalid(.batchSize, "\(batchSize) with H = \(hidden) would need about \(TrainingLimits.memoryText(needed)) of memory for training, more than this machine has")
        }
    }
}
