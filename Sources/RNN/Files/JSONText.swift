import Foundation

/// The JSON text every command and export writes: keys sorted, non-finite numbers as `null`
/// (JSON has no NaN or infinity), one trailing newline.
public enum JSONText {
    /// `object` is what `JSONSerialization` takes: dictionaries keyed by strings, arrays,
    /// strings, numbers, `NSNull`. Anything else is a programming error upstream; it is written
    /// as `null` rather than trapping.
    public static func encode(_ object: Any) -> String {
        let clean = withoutNonFiniteNumbers(object)
        guard JSONSerialization.isValidJSONObject([clean]),
              let data = try? JSONSerialization.data(withJSONObject: clean, options: [.sortedKeys, .fragmentsAllowed])
        else { return "null\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// `object` with every non-finite `Double` (at any depth) replaced by `NSNull`.
    public static func withoutNonFiniteNumbers(_ object: Any) -> Any {
        switch object {
        case let number as Double: return number.isFinite ? number : NSNull()
        case let array as [Any]: return array.map(withoutNonFiniteNumbers)
        case let dictionary as [String: Any]: return dictionary.mapValues(withoutNonFiniteNumbers)
        default: return object
        }
    }
}
