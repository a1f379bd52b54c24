/// A dense matrix stored column-major in one contiguous array.
///
/// Element (i, j) lives at `storage[i + j * rows]`. Every wrapper in `Linalg` assumes this
/// layout and passes `lda = rows` to BLAS/LAPACK. A column range `j0..<j1` is therefore a
/// contiguous sub-matrix with the same leading dimension, which is how the engines address
/// time blocks of a batched state (see `gemm(_:_:...)`).
public struct Matrix<T: LinalgScalar>: Equatable, Sendable {
    public private(set) var rows: Int
    public private(set) var cols: Int
    /// Column-major elements, `rows * cols` of them.
    public var storage: [T]

    /// A `rows × cols` matrix filled with `value`.
    public init(rows: Int, cols: Int, repeating value: T = 0) {
        precondition(rows >= 0 && cols >= 0, "negative matrix dimension")
        self.rows = rows
        self.cols = cols
        self.storage = Array(repeating: value, count: rows * cols)
    }

    /// A matrix over existing column-major storage (`storage.count == rows * cols`).
    public init(rows: Int, cols: Int, columnMajor storage: [T]) {
        precondition(rows >= 0 && cols >= 0 && storage.count == rows * cols,
                     "storage has \(storage.count) elements, expected \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// A matrix from row-major nested arrays, as one would write it on paper.
    public init(_ rowArrays: [[T]]) {
        let r = rowArrays.count
        let c = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == c }, "ragged rows")
        self.init(rows: r, cols: c)
        for i in 0..<r { for j in 0..<c { self[i, j] = rowArrays[i][j] } }
    }

    /// A matrix from row-major flat storage (as safetensors and NumPy C order store it).
    public init(rows: Int, cols: Int, rowMajor values: [T]) {
        precondition(values.count == rows * cols, "values has \(values.count) elements, expected \(rows)×\(cols)")
        self.init(rows: rows, cols: cols)
        for i in 0..<rows { for j in 0..<cols { storage[i + j * rows] = values[i * cols + j] } }
    }

    /// The `n × n` identity.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, cols: n)
        for i in 0..<n { m.storage[i + i * n] = 1 }
        return m
    }

    /// The first `k` columns of the `n × n` identity.
    public static func identityColumns(_ n: Int, _ k: Int) -> Matrix {
        var m = Matrix(rows: n, cols: k)
        for i in 0..<min(n, k) { m.storage[i + i * n] = 1 }
        return m
    }

    @inlinable
    public subscript(i: Int, j: Int) -> T {
        get { storage[i + j * rows] }
        set { storage[i + j * rows] = newValue }
    }

    public var count: Int { rows * cols }
    public var isEmpty: Bool { rows == 0 || cols == 0 }

    /// Elements in row-major order (C order), for writing files.
    public var rowMajor: [T] {
        var out = [T](repeating: 0, count: count)
        for i in 0..<rows { for j in 0..<cols { out[i * cols + j] = storage[i + j * rows] } }
        return out
    }

    /// Column `j` as an array of `rows` elements.
    public func column(_ j: Int) -> [T] { Array(storage[(j * rows)..<((j + 1) * rows)]) }

    /// Overwrites column `j` with `values` (`values.count == rows`).
    public mutating func setColumn(_ j: Int, _ values: [T]) {
        precondition(values.count == rows)
        storage.replaceSubrange((j * rows)..<((j + 1) * rows), with: values)
    }

    /// Appends a column (`values.count == rows`). With the capacity reserved (or left by
    /// `removeLastColumn`) it does not reallocate.
    public mutating func appendColumn(_ values: [T]) {
        precondition(values.count == rows)
        storage.append(contentsOf: values)
        cols += 1
    }

    /// Removes the last column (keeping the storage's capacity) and returns it.
    @discardableResult
    public mutating func removeLastColumn() -> [T] {
        precondition(cols > 0)
        let last = Array(storage[((cols - 1) * rows)...])
        storage.removeLast(rows)
        cols -= 1
        return last
    }

    /// Columns `range` as a new matrix.
    public func columns(_ range: Range<Int>) -> Matrix {
        Matrix(rows: rows, cols: range.count, columnMajor: Array(storage[(range.lowerBound * rows)..<(range.upperBound * rows)]))
    }

    /// Row `i` as an array of `cols` elements.
    public func row(_ i: Int) -> [T] { (0..<cols).map { self[i, $0] } }

    /// The diagonal, `min(rows, cols)` elements.
    public var diagonal: [T] { (0..<min(rows, cols)).map { self[$0, $0] } }

    public var transposed: Matrix {
        var t = Matrix(rows: cols, cols: rows)
        for j in 0..<cols { for i in 0..<rows { t.storage[j + i * cols] = storage[i + j * rows] } }
        return t
    }

    /// Reinterprets the storage with new dimensions (same element count, same order).
    public func reshaped(rows r: Int, cols c: Int) -> Matrix {
        Matrix(rows: r, cols: c, columnMajor: storage)
    }

    /// Converts element type (e.g. Float32 weights to Float64 for analysis).
    public func converted<U: LinalgScalar>(to: U.Type = U.self) -> Matrix<U> {
        Matrix<U>(rows: rows, cols: cols, columnMajor: storage.map { U($0) })
    }

    /// Frobenius norm, accumulated in Double.
    public var frobeniusNorm: Double {
        var s = 0.0
        for v in storage { let d = Double(v); s += d * d }
        return s.squareRoot()
    }

    /// Largest |a_ij − b_ij| (shapes must match).
    public func maxAbsDifference(_ other: Matrix) -> Double {
        precondition(rows == other.rows && cols == other.cols, "shape mismatch")
        var m = 0.0
        for k in 0..<storage.count { m = Swift.max(m, abs(Double(storage[k]) - Double(other.storage[k]))) }
        return m
    }

    /// True when every element is finite. (Inlinable so that generic callers get a specialised
    /// loop: it runs before every QR.)
    @inlinable
    public var allFinite: Bool {
        storage.withUnsafeBufferPointer { p in
            for v in p where !v.isFinite { return false }
            return true
        }
    }

    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.cols == b.cols, "shape mismatch")
        var c = a
        for k in 0..<c.storage.count { c.storage[k] += b.storage[k] }
        return c
    }

    public static func - (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.cols == b.cols, "shape mismatch")
        var c = a
        for k in 0..<c.storage.count { c.storage[k] -= b.storage[k] }
        return c
    }

    public static func * (s: T, a: Matrix) -> Matrix {
        var c = a
        for k in 0..<c.storage.count { c.storage[k] *= s }
        return c
    }

    /// Matrix product through BLAS gemm.
    public static func * (a: Matrix, b: Matrix) -> Matrix { matmul(a, b) }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        var lines: [String] = ["Matrix \(rows)×\(cols)"]
        for i in 0..<Swift.min(rows, 8) {
            lines.append((0..<Swift.min(cols, 8)).map { String(format: "%10.4g", Double(self[i, $0])) }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}

import Foundation
