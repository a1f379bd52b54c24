import Foundation

/// A JSON value as a safetensors header holds it, parsed strictly enough to follow the format:
/// object members keep their order and duplicates (so a repeated tensor name is seen, not
/// silently replaced), and numbers keep their text (so `10.0` is not taken for the integer 10).
/// Nesting is limited to `HeaderJSON.maximumDepth` levels (no stack exhaustion on `[[[[…`).
indirect enum HeaderJSON: Equatable {
    case object([(key: String, value: HeaderJSON)])
    case array([HeaderJSON])
    case string(String)
    /// The number's text as written (JSON grammar checked).
    case number(String)
    case bool(Bool)
    case null

    static let maximumDepth = 64

    static func == (a: HeaderJSON, b: HeaderJSON) -> Bool {
        switch (a, b) {
        case let (.object(x), .object(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(x), .array(y)): return x == y
        case let (.string(x), .string(y)), let (.number(x), .number(y)): return x == y
        case let (.bool(x), .bool(y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// The whole of `bytes` as one JSON value (surrounding whitespace allowed), or nil when it
    /// is not valid JSON (RFC 8259; strings must be valid UTF-8).
    static func parse(_ bytes: ArraySlice<UInt8>) -> HeaderJSON? {
        var parser = Parser(bytes: bytes)
        guard let value = parser.value(depth: 0) else { return nil }
        parser.skipWhitespace()
        return parser.index == bytes.endIndex ? value : nil
    }

    /// The value as a non-negative or negative integer when its text is one (no fraction, no
    /// exponent) and fits in Int; nil otherwise.
    var integer: Int? {
        guard case let .number(text) = self, !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else { return nil }
        return Int(text)
    }

    private struct Parser {
        let bytes: ArraySlice<UInt8>
        var index: Int
        init(bytes: ArraySlice<UInt8>) { self.bytes = bytes; index = bytes.startIndex }

        var current: UInt8? { index < bytes.endIndex ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let c = current, c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d { index += 1 }
        }

        mutating func literal(_ text: String, _ value: HeaderJSON) -> HeaderJSON? {
            let t = Array(text.utf8)
            guard bytes.endIndex - index >= t.count, Array(bytes[index..<(index + t.count)]) == t else { return nil }
            index += t.count
            return value
        }

        mutating func value(depth: Int) -> HeaderJSON? {
            guard depth < HeaderJSON.maximumDepth else { return nil }
            skipWhitespace()
            guard let c = current else { return nil }
            switch c {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(key: String, value: HeaderJSON)] = []
                skipWhitespace()
                if current == UInt8(ascii: "}") { index += 1; return .object(members) }
                while true {
                    skipWhitespace()
                    guard current == UInt8(ascii: "\""), let key = string() else { return nil }
                    skipWhitespace()
                    guard current == UInt8(ascii: ":") else { return nil }
                    index += 1
                    guard let v = value(depth: depth + 1) else { return nil }
                    members.append((key, v))
                    skipWhitespace()
                    if current == UInt8(ascii: ",") { index += 1; continue }
                    if current == UInt8(ascii: "}") { index += 1; return .object(members) }
                    return nil
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [HeaderJSON] = []
                skipWhitespace()
                if current == UInt8(ascii: "]") { index += 1; return .array(items) }
                while true {
                    guard let v = value(depth: depth + 1) else { return nil }
                    items.append(v)
                    skipWhitespace()
                    if current == UInt8(ascii: ",") { index += 1; continue }
                    if current == UInt8(ascii: "]") { index += 1; return .array(items) }
                    return nil
                }
            case UInt8(ascii: "\""): return string().map(HeaderJSON.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default: return number()
            }
        }

        mutating func digits() -> Int {
            let start = index
            while let c = current, c >= 0x30 && c <= 0x39 { index += 1 }
            return index - start
        }

        mutating func number() -> HeaderJSON? {
            let start = index
            if current == UInt8(ascii: "-") { index += 1 }
            if current == UInt8(ascii: "0") { index += 1 } else if digits() == 0 { return nil }
            if current == UInt8(ascii: ".") { index += 1; guard digits() > 0 else { return nil } }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { return nil }
            }
            return .number(String(decoding: bytes[start..<index], as: UTF8.self))
        }

        mutating func hex4() -> UInt32? {
            guard bytes.endIndex - index >= 4 else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let d = current.flatMap({ Character(UnicodeScalar($0)).hexDigitValue }) else { return nil }
                v = v * 16 + UInt32(d); index += 1
            }
            return v
        }

        /// A string starting at the opening quote; nil on bad escapes, raw control characters,
        /// lone surrogates or invalid UTF-8.
        mutating func string() -> String? {
            index += 1
            var raw: [UInt8] = []
            while let c = current {
                index += 1
                switch c {
                case UInt8(ascii: "\""): return String(validatingUTF8Bytes: raw)
                case 0..<0x20: return nil
                case UInt8(ascii: "\\"):
                    guard let e = current else { return nil }
                    index += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): raw.append(e)
                    case UInt8(ascii: "b"): raw.append(0x08)
                    case UInt8(ascii: "f"): raw.append(0x0c)
                    case UInt8(ascii: "n"): raw.append(0x0a)
                    case UInt8(ascii: "r"): raw.append(0x0d)
                    case UInt8(ascii: "t"): raw.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard current == UInt8(ascii: "\\") else { return nil }
                            index += 1
                            guard current == UInt8(ascii: "u") else { return nil }
                            index += 1
                            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00..<0xE000).contains(scalar) { return nil }
                        guard let u = UnicodeScalar(scalar) else { return nil }
                        raw += Array(String(Character(u)).utf8)
                    default: return nil
                    }
                default: raw.append(c)
                }
            }
            return nil
        }
    }
}
