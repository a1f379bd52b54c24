import Analysis
import Foundation
import Linalg
import MNIST
import RNN

extension Bench {
    /// Times align, perturb or report's studies on the bundled models with `workers` workers:
    /// best seconds over --repeat runs, and the results' headline numbers (equal for every
    /// worker count, so two runs can be compared).
    func experiment(workers: Int) throws -> [String: Any] {
        let test = try MNISTDataset.load(directory: Bundled.mnist, split: .test)
        func alignment(_ name: String) throws -> [Double] {
            let m: RNNModel<Double> = try loadModel(Bundled.model(name))
            var o = AlignmentStudy.Options()
            o.samples = samples
            let s = try AlignmentStudy(model: m, data: test, options: o, threads: workers)
            return [s.stdFirst10, s.stdLast10, s.stdRandom10]
        }
        func sensitivity(_ modes: [FlipMode]) throws -> [Double] {
            let m: RNNModel<Float> = try loadModel(Bundled.model("permuted-h512.safetensors"))
            return try modes.flatMap { mode -> [Double] in
                var o = SensitivityStudy.Options()
                o.images = images; o.mode = mode
                return try SensitivityStudy(model: m, data: test, options: o, threads: workers).table.map(\.test.meanDifference)
            }
        }
        var best = Double.infinity, numbers: [Double] = []
        for _ in 0..<`repeat` {
            let start = monotonicSeconds()
            switch workload {
            case .align: numbers = try alignment("rowwise-h128.safetensors")
            case .perturb: numbers = try sensitivity([.both])
            default:
                numbers = try alignment("rowwise-h128-epoch0.safetensors") + alignment("rowwise-h128.safetensors")
                    + sensitivity([.both, .up, .down])
            }
            best = min(best, monotonicSeconds() - start)
        }
        return ["best_seconds": best, "samples": samples, "images": images, "results": numbers, "gflops": 0.0]
    }
}
