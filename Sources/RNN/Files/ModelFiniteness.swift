import Foundation
import Linalg

extension RNNModel {
    /// Checks that every weight is finite in T, the working precision, after the file's values
    /// were converted (1e300 is finite as Float64 but not as Float32) and after the two PyTorch
    /// biases were combined (3e38 + 3e38 overflows Float32). Throws a one-line
    /// `FileFormatError` naming `path` and the tensor; the NaN/Inf check of the file's own
    /// values comes before this one.
    func checkFiniteInWorkingPrecision(path: String) throws {
        let precisionName = T.byteWidth == 8 ? "Float64" : "Float32"
        let largest = T.byteWidth == 8 ? "\(Double.greatestFiniteMagnitude)" : "\(Float.greatestFiniteMagnitude)"
        for (name, values) in [(TensorName.inputWeights, u.storage), (TensorName.recurrentWeights, v.storage),
                               (TensorName.readoutWeights, w.storage), (TensorName.readoutBias, c)] where !values.allSatisfy(\.isFinite) {
            throw FileFormatError(path: path, "tensor \"\(name)\" has a value beyond ±\(largest), which overflows \(precisionName)")
        }
        if !b.allSatisfy(\.isFinite) {
            let what = biasMode == .pair ? "the bias sum \"\(TensorName.inputBias)\" + \"\(TensorName.recurrentBias)\""
                                         : "tensor \"\(TensorName.inputBias)\""
            throw FileFormatError(path: path, "\(what) has a value beyond ±\(largest), which overflows \(precisionName)")
        }
        for (offset, layer) in upperLayers.enumerated() {
            let l = offset + 1
            for (name, values) in [("rnn.weight_ih_l\(l)", layer.u.storage), ("rnn.weight_hh_l\(l)", layer.v.storage),
                                   ("rnn.bias_ih_l\(l) (+ bias_hh_l\(l))", layer.b)] where !values.allSatisfy(\.isFinite) {
                throw FileFormatError(path: path, "tensor \"\(name)\" has a value beyond ±\(largest), which overflows \(precisionName)")
            }
        }
    }
}

/// The largest weight or bias magnitude a model file may hold. Beyond it a sum such as
/// W h + c is dominated by one term whose rounding step (1e6 has a Float32 ulp of 0.06; 3e38
/// has one of 2e31) swallows the differences between logits: every class then ties, and
/// predict, eval and perturb would report probabilities, accuracies and p-values of a model
/// that is not the one in the file. Trained networks stay orders of magnitude below.
public let maximumWeightMagnitude = 1e6

extension SafeTensorsFile {
    /// Refuses a weight or bias (an F32/F64 tensor) with a value beyond ±`maximumWeightMagnitude`,
    /// naming the first such tensor (in name order) and its largest value.
    func checkWeightMagnitudes(path: String) throws {
        for name in tensors.keys.sorted() {
            guard let t = tensors[name], t.dtype != .i64, !name.hasPrefix("optimizer.") else { continue }
            let largest = t.doubles.lazy.map(abs).max() ?? 0
            if largest > maximumWeightMagnitude {
                throw FileFormatError(path: path, "tensor \(quotedForMessage(name)) holds a value of magnitude \(largest), beyond ±1e6: "
                    + "the logits' differences would be lost in rounding")
            }
        }
    }
}
