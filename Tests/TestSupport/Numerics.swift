import Linalg

/// Relative difference ‖a − b‖_F / max(‖b‖_F, tiny): the measure the numerical tests compare
/// against their stated tolerances.
public func relativeError(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
    (a - b).frobeniusNorm / max(b.frobeniusNorm, 1e-300)
}

/// Relative difference of vectors, as above.
public func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    var num = 0.0, den = 0.0
    for i in 0..<a.count { num += (a[i] - b[i]) * (a[i] - b[i]); den += b[i] * b[i] }
    return (num / max(den, 1e-300)).squareRoot()
}

/// ‖QᵀQ − I‖_max for a matrix with (supposedly) orthonormal columns.
public func orthonormalityError(_ q: Matrix<Double>) -> Double {
    matmul(q, q, .transposed, .none).maxAbsDifference(.identity(q.cols))
}

/// Central finite difference of a scalar function of a vector: (f(x + εe_i) − f(x − εe_i)) / 2ε.
public func centralDifference(_ f: ([Double]) -> Double, at x: [Double], epsilon: Double = 1e-6) -> [Double] {
    var g = [Double](repeating: 0, count: x.count)
    var xp = x
    for i in 0..<x.count {
        xp[i] = x[i] + epsilon; let fp = f(xp)
        xp[i] = x[i] - epsilon; let fm = f(xp)
        xp[i] = x[i]
        g[i] = (fp - fm) / (2 * epsilon)
    }
    return g
}

/// The folder under which this test process makes its scratch folders,
/// `/tmp/ftle-tests-<pid>-XXXXXX`; removed when the process exits, so repeated test runs do not
/// pile up data in /tmp.
public let testScratchRoot: String = {
    var bytes = Array("/tmp/ftle-tests-\(getpid())-XXXXXX".utf8CString)
    let ok = bytes.withUnsafeMutableBufferPointer { p in mkdtemp(p.baseAddress!) != nil }
    precondition(ok, "mkdtemp failed for the test scratch root")
    atexit { try? FileManager.default.removeItem(atPath: testScratchRoot) }
    return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}()

/// A fresh, empty temporary directory for one test.
public func makeTemporaryDirectory(_ tag: String = "ftle-test") -> String {
    let template = "\(testScratchRoot)/\(tag)-XXXXXX"
    var bytes = Array(template.utf8CString)
    let ok = bytes.withUnsafeMutableBufferPointer { p in mkdtemp(p.baseAddress!) != nil }
    precondition(ok, "mkdtemp failed")
    return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

import Foundation

/// The bundled MNIST folder (Samples/mnist of this checkout), found from this file's path.
public let samplesMNIST: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Samples/mnist").path

/// `count` seeded sequences of T = 5 steps of I = 3 standard normal inputs (step-major, as a
/// sequence set holds them), each labelled by the input whose sum over the steps is largest:
/// a rule a small network learns, and a linear recurrent cell with V = U = I solves exactly.
public func largestSumSequences(count: Int, seed: UInt64 = 2) -> (values: [Double], labels: [Int]) {
    var rng = SeededRandom(seed: seed)
    var values: [Double] = [], labels: [Int] = []
    for _ in 0..<count {
        let x = (0..<15).map { _ in rng.nextNormal() }
        let sums = (0..<3).map { i in stride(from: i, to: 15, by: 3).map { x[$0] }.reduce(0, +) }
        values += x; labels.append(sums.indices.max { sums[$0] < sums[$1] }!)
    }
    return (values, labels)
}
