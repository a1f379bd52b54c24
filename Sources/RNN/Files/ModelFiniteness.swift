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
