import Foundation

// Element-wise kernels the engines run on every step. The loops are generic and carry
// `@_specialize` for Float and Double, so a generic caller (an unspecialised RNN<T>) still
// runs a specialised loop: the generic entry checks T once and jumps to the Float or Double
// body. The one kernel whose method depends on the type, tanh, is a requirement of
// `LinalgScalar`. All matrices are column-major; a column range is a contiguous block.

/// h[:, hCols] = tanh(a[:, aCols]) (same shapes), by `LinalgScalar.tanh(_:into:count:)`:
/// Float uses ``fastTanh(_:)`` (≤ 3 ulp from libm), Double uses libm's tanh.
public func tanhForward<T: LinalgScalar>(_ a: Matrix<T>, columns aCols: Range<Int>,
                                         into h: inout Matrix<T>, columns hCols: Range<Int>) {
    precondition(a.rows == h.rows && aCols.count == hCols.count, "tanhForward: shape mismatch")
    precondition(aCols.upperBound <= a.cols && hCols.upperBound <= h.cols, "tanhForward: column range out of bounds")
    let n = a.rows * aCols.count, ao = aCols.lowerBound * a.rows, ho = hCols.lowerBound * h.rows
    guard n > 0 else { return }
    a.storage.withUnsafeBufferPointer { pa in
        h.storage.withUnsafeMutableBufferPointer { ph in
            T.tanh(pa.baseAddress! + ao, into: ph.baseAddress! + ho, count: n)
        }
    }
}

/// gA[:, gCols] = gH[:, gHCols] ⊙ (1 − h[:, hCols]²): back through h = tanh(a).
@_specialize(where T == Float)
@_specialize(where T == Double)
public func tanhBackward<T: LinalgScalar>(_ gH: Matrix<T>, columns gHCols: Range<Int>,
                                          h: Matrix<T>, columns hCols: Range<Int>,
                                          into gA: inout Matrix<T>, columns gCols: Range<Int>) {
    precondition(gH.rows == h.rows && h.rows == gA.rows && gHCols.count == hCols.count && hCols.count == gCols.count,
                 "tanhBackward: shape mismatch")
    let n = h.rows * hCols.count
    let go = gHCols.lowerBound * gH.rows, ho = hCols.lowerBound * h.rows, ao = gCols.lowerBound * gA.rows
    gH.storage.withUnsafeBufferPointer { pg in
        h.storage.withUnsafeBufferPointer { ph in
            gA.storage.withUnsafeMutableBufferPointer { pa in
                let g = pg.baseAddress! + go, y = ph.baseAddress! + ho, out = pa.baseAddress! + ao
                for k in 0..<n { let yk = y[k]; out[k] = g[k] * (1 - yk * yk) }
            }
        }
    }
}

/// m[:, j] += v for every j in `cols` (broadcast a column vector, e.g. a bias).
@_specialize(where T == Float)
@_specialize(where T == Double)
public func addColumnVector<T: LinalgScalar>(_ v: [T], to m: inout Matrix<T>, columns cols: Range<Int>? = nil) {
    precondition(v.count == m.rows, "addColumnVector: vector has \(v.count), matrix has \(m.rows) rows")
    let r = m.rows, cc = cols ?? 0..<m.cols
    v.withUnsafeBufferPointer { pv in
        m.storage.withUnsafeMutableBufferPointer { pm in
            for j in cc { let o = j * r; for i in 0..<r { pm[o + i] += pv[i] } }
        }
    }
}

/// Σ_j m[:, j] over `cols`, added into `sums` (length m.rows).
@_specialize(where T == Float)
@_specialize(where T == Double)
public func accumulateRowSums<T: LinalgScalar>(_ m: Matrix<T>, columns cols: Range<Int>? = nil, into sums: inout [T]) {
    precondition(sums.count == m.rows)
    let r = m.rows, cc = cols ?? 0..<m.cols
    m.storage.withUnsafeBufferPointer { pm in
        sums.withUnsafeMutableBufferPointer { ps in
            for j in cc { let o = j * r; for i in 0..<r { ps[i] += pm[o + i] } }
        }
    }
}

/// m[i, j] *= d[i] for all j (left-multiplication by diag(d)).
@_specialize(where T == Float)
@_specialize(where T == Double)
public func scaleRows<T: LinalgScalar>(_ m: inout Matrix<T>, by d: [T]) {
    precondition(d.count == m.rows)
    let r = m.rows, c = m.cols
    d.withUnsafeBufferPointer { pd in
        m.storage.withUnsafeMutableBufferPointer { pm in
            guard let d = pd.baseAddress, let m = pm.baseAddress else { return }
            // Column pointer plus index (no checked `j * r + i` in the inner loop), so it vectorises.
            for j in 0..<c { let column = m + j * r; for i in 0..<r { column[i] *= d[i] } }
        }
    }
}

/// y += alpha · x.
@_specialize(where T == Float)
@_specialize(where T == Double)
public func axpy<T: LinalgScalar>(_ alpha: T, _ x: [T], _ y: inout [T]) {
    precondition(x.count == y.count)
    x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { py in
        for k in 0..<px.count { py[k] += alpha * px[k] }
    }}
}

/// Σ x_k², accumulated in Double.
@_specialize(where T == Float)
@_specialize(where T == Double)
public func sumOfSquares<T: LinalgScalar>(_ x: [T]) -> Double {
    x.withUnsafeBufferPointer { p in
        var s = 0.0
        for v in p { let d = Double(v); s += d * d }
        return s
    }
}

/// Whether every |x_k| ≤ limit (false for a NaN: it fails the comparison).
@_specialize(where T == Float)
@_specialize(where T == Double)
public func allWithinMagnitude<T: LinalgScalar>(_ x: [T], _ limit: T) -> Bool {
    x.withUnsafeBufferPointer { p in
        for v in p where !(v <= limit && v >= -limit) { return false }
        return true
    }
}

/// x *= s.
@_specialize(where T == Float)
@_specialize(where T == Double)
public func scale<T: LinalgScalar>(_ x: inout [T], by s: T) {
    x.withUnsafeMutableBufferPointer { p in for k in 0..<p.count { p[k] *= s } }
}

/// One Adam update (Kingma & Ba, as torch.optim.Adam with weight_decay 0):
/// m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;
/// θ ← θ − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + ε).  `step` is t ≥ 1.
@_specialize(where T == Float)
@_specialize(where T == Double)
public func adamUpdate<T: LinalgScalar>(_ theta: inout [T], gradient g: [T], m: inout [T], v: inout [T],
                                        lr: Double, beta1: Double, beta2: Double, epsilon: Double, step: Int) {
    precondition(theta.count == g.count && g.count == m.count && m.count == v.count)
    let bc1 = 1 - pow(beta1, Double(step)), bc2 = 1 - pow(beta2, Double(step))
    // torch: denom = sqrt(v)/sqrt(bc2) + eps; step_size = lr/bc1
    let b1 = T(beta1), b2 = T(beta2), stepSize = T(lr / bc1), sqrtBc2 = T(bc2.squareRoot()), eps = T(epsilon)
    let n = theta.count
    guard n > 0 else { return }
    theta.withUnsafeMutableBufferPointer { pt in g.withUnsafeBufferPointer { pg in
    m.withUnsafeMutableBufferPointer { pm in v.withUnsafeMutableBufferPointer { pv in
        let t = pt.baseAddress!, gp = pg.baseAddress!, mp = pm.baseAddress!, vp = pv.baseAddress!
        for k in 0..<n {
            let gk = gp[k]
            let mk = b1 * mp[k] + (1 - b1) * gk
            let vk = b2 * vp[k] + (1 - b2) * gk * gk
            mp[k] = mk; vp[k] = vk
            t[k] -= stepSize * mk / (vk.squareRoot() / sqrtBc2 + eps)
        }
    }}}}
}

