import Foundation
import Linalg

/// Softmax cross-entropy over the columns of a 10 × B logits block, computed in Double.
///
/// ℓ_n = −ln softmax(o_n)[y_n], stable through log-sum-exp with the maximum subtracted.
/// The gradient of `scale · Σ_n ℓ_n` with respect to o_n is `scale · (softmax(o_n) − e_{y_n})`;
/// `scale = 1/B` gives the gradient of the mean loss.
public enum CrossEntropy {
    /// Mean loss and number of correct arg-max predictions over `columns` of `logits`.
    public static func evaluate<T: LinalgScalar>(_ logits: Matrix<T>, columns: Range<Int>? = nil,
                                                 labels: [Int]) -> (loss: Double, correct: Int) {
        var unused = Matrix<T>(rows: 0, cols: 0)
        return run(logits, columns ?? 0..<logits.cols, labels, scale: 0, gradient: &unused, gradientColumns: nil)
    }

    /// Mean loss and correct count, and writes `scale · (softmax − onehot)` into
    /// `gradient[:, gradientColumns]` (10 × B).
    public static func evaluate<T: LinalgScalar>(_ logits: Matrix<T>, columns: Range<Int>? = nil, labels: [Int],
                                                 scale: Double, gradient: inout Matrix<T>,
                                                 gradientColumns: Range<Int>? = nil) -> (loss: Double, correct: Int) {
        run(logits, columns ?? 0..<logits.cols, labels, scale: scale, gradient: &gradient,
            gradientColumns: gradientColumns ?? 0..<labels.count)
    }

    private static func run<T: LinalgScalar>(_ logits: Matrix<T>, _ cols: Range<Int>, _ labels: [Int], scale: Double,
                                             gradient: inout Matrix<T>, gradientColumns: Range<Int>?) -> (loss: Double, correct: Int) {
        precondition(cols.count == labels.count, "\(cols.count) logit columns for \(labels.count) labels")
        if let gc = gradientColumns { precondition(gc.count == labels.count && gradient.rows == logits.rows) }
        let k = logits.rows
        var total = 0.0, correct = 0
        var z = [Double](repeating: 0, count: k)
        for (n, col) in cols.enumerated() {
            var maxv = -Double.infinity, arg = 0
            for i in 0..<k {
                z[i] = Double(logits[i, col])
                if z[i] > maxv { maxv = z[i]; arg = i }
            }
            var s = 0.0
            for i in 0..<k { s += exp(z[i] - maxv) }
            let lse = maxv + log(s)
            total += lse - z[labels[n]]
            if arg == labels[n] { correct += 1 }
            if let gc = gradientColumns {
                let gcol = gc.lowerBound + n
                for i in 0..<k { gradient[i, gcol] = T((exp(z[i] - lse) - (i == labels[n] ? 1 : 0)) * scale) }
            }
        }
        return (total / Double(max(labels.count, 1)), correct)
    }

    /// The predicted class: the index of the largest logit (the first one on ties; callers
    /// check logits are finite first). Nil for no logits.
    public static func predictedClass(_ o: [Double]) -> Int? {
        o.indices.max { o[$0] < o[$1] }
    }

    /// Softmax probabilities of one logits vector.
    public static func softmax(_ o: [Double]) -> [Double] {
        let m = o.max() ?? 0
        let e = o.map { exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// −ln softmax(o)[y] for one logits vector.
    public static func loss(_ o: [Double], label y: Int) -> Double {
        let m = o.max() ?? 0
        return m + log(o.map { exp($0 - m) }.reduce(0, +)) - o[y]
    }
}
