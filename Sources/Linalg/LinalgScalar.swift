import Foundation

/// The element types `Linalg` supports: `Float` (training, as PyTorch does) and `Double`
/// (analysis, tests). BLAS/LAPACK dispatch happens inside `Linalg` on `T.self`; callers never
/// see a pointer.
public protocol LinalgScalar: BinaryFloatingPoint, Sendable, Codable, LosslessStringConvertible
where Self.RawSignificand: FixedWidthInteger {
    static func tanh(_ x: Self) -> Self
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    /// Bytes per element (4 or 8).
    static var byteWidth: Int { get }
}

extension Float: LinalgScalar {
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    public static var byteWidth: Int { 4 }
}

extension Double: LinalgScalar {
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    public static var byteWidth: Int { 8 }
}

/// Whether an operand enters a product as itself or transposed.
public enum Transpose: Sendable, Equatable {
    case none
    case transposed
}

/// A numerical failure LAPACK reports with `info > 0`. (`info < 0` means an argument was
/// illegal: a programming error, which traps.)
public enum LinalgError: Error, Equatable, CustomStringConvertible {
    /// The SVD's bidiagonal QR iteration did not converge (`info` superdiagonals left).
    case svdDidNotConverge(routine: String, info: Int)
    /// A factorisation met a zero or non-finite pivot.
    case singular(routine: String, info: Int)
    /// An input contained NaN or ±Inf.
    case nonFiniteInput(routine: String)

    public var description: String {
        switch self {
        case let .svdDidNotConverge(r, info): return "\(r): SVD did not converge (\(info) superdiagonals left)"
        case let .singular(r, info): return "\(r): singular input (info \(info))"
        case let .nonFiniteInput(r): return "\(r): input contains NaN or Inf"
        }
    }
}

/// Traps on LAPACK's `info < 0` (an illegal argument is a bug in this module).
@inline(__always)
func checkArguments(_ info: Int32, _ routine: String) {
    precondition(info >= 0, "\(routine): illegal argument \(-info) (programming error)")
}
