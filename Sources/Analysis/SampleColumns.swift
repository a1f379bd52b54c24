import Linalg

/// The columns of one A_t the study reads: the leading singular vectors' cosines with every Q
/// vector (K × `leadingCount`) and the trailing ones' (K × `trailingCount`).
///
/// Which columns (`AlignmentStudy.NullSpace`): with the null space excluded (the default), only
/// singular vectors inside ΔV_t's numerical rank r count — the leading are columns
/// 0..<min(first, r), the trailing the last `last` of the range disjoint from them,
/// max(first, r − last)..<r — so no vector of LAPACK's arbitrary null-space basis enters a
/// statistic. With it included (the paper's code), the first `first` and last `last` of all H.
struct SampleColumns: Sendable {
    let leading: Matrix<Double>, trailing: Matrix<Double>
    let rank: Int
    /// ‖q_h‖ of each Q vector (`SampleAlignment.Ranked.qNorms`).
    let qNorms: [Double]
    var leadingCount: Int { leading.cols }
    var trailingCount: Int { trailing.cols }

    init(_ ranked: SampleAlignment.Ranked, first: Int, last: Int, nullSpace: AlignmentStudy.NullSpace) {
        let a = ranked.cosines, h = a.rows, n = a.cols
        rank = ranked.rank
        qNorms = ranked.qNorms
        let leadingColumns: Range<Int>, trailingColumns: Range<Int>
        switch nullSpace {
        case .included:
            leadingColumns = 0..<first
            trailingColumns = (n - last)..<n
        case .excluded:
            let r = ranked.rank
            leadingColumns = 0..<min(first, r)
            trailingColumns = min(max(first, r - last), r)..<r
        }
        // A singular vector's sign is LAPACK's choice, and a rounding difference can flip it
        // (measured: Zen against Sandybridge kernels, row-wise model, from step 20 on). With the
        // null space excluded each column is given the sign that makes its largest cosine
        // positive (the Q frame's own signs are fixed by diag(R) > 0), so no statistic depends
        // on LAPACK's choice; the paper's code keeps LAPACK's signs.
        let canonicalSigns = nullSpace == .excluded
        func columns(_ range: Range<Int>) -> Matrix<Double> {
            var m = Matrix(rows: h, cols: range.count, columnMajor: Array(a.storage[(h * range.lowerBound)..<(h * range.upperBound)]))
            guard canonicalSigns else { return m }
            for j in 0..<m.cols {
                var largest = 0.0
                for i in 0..<h where abs(m[i, j]) > abs(largest) { largest = m[i, j] }
                if largest < 0 { for i in 0..<h { m[i, j] = -m[i, j] } }
            }
            return m
        }
        leading = columns(leadingColumns)
        trailing = columns(trailingColumns)
    }
}

/// What one job of the study's pool gives: a sample's compared columns at every step, or the
/// random baseline.
enum StudyJobResult: Sendable {
    case sample([SampleColumns])
    case baseline(Double)
}
