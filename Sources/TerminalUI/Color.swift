import Foundation

/// A colour as the widgets see it: either the terminal's own default or a 24-bit RGB value.
///
/// Colours are always stored at full precision in the ``Grid``; they are reduced to the
/// terminal's capabilities (see ``ColorMode`` and ``ColorQuantizer``) only on output.
public enum Color: Hashable, Sendable {
    /// The terminal's default foreground or background (whichever the slot is).
    case `default`
    /// A 24-bit colour, one byte per channel.
    case rgb(UInt8, UInt8, UInt8)

    /// Parses `#rrggbb` (case-insensitive) or the word `default`; returns nil for anything else.
    public init?(hex text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "default" {
            self = .default
            return
        }
        guard trimmed.count == 7, trimmed.first == "#",
              let value = UInt32(trimmed.dropFirst(), radix: 16) else { return nil }
        self = .rgb(UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
    }

    /// `#rrggbb` in lower case, or `default`.
    public var hexString: String {
        switch self {
        case .default:
            return "default"
        case let .rgb(r, g, b):
            return "#" + [r, g, b].map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined()
        }
    }

    /// Linear interpolation in RGB between `self` (t = 0) and `other` (t = 1); `t` is clamped
    /// to 0…1. If either end is `.default` there is nothing to blend: the nearer end wins.
    public func mixed(with other: Color, _ t: Double) -> Color {
        let t = t.isNaN ? 0 : min(max(t, 0), 1)
        guard case let .rgb(r0, g0, b0) = self, case let .rgb(r1, g1, b1) = other else {
            return t < 0.5 ? self : other
        }
        func channel(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded())
        }
        return .rgb(channel(r0, r1), channel(g0, g1), channel(b0, b1))
    }

    /// Relative luminance in 0…1 (Rec. 709 weights on the raw sRGB bytes; good enough for
    /// choosing shade glyphs). `.default` counts as 0.5.
    public var luminance: Double {
        guard case let .rgb(r, g, b) = self else { return 0.5 }
        return (0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)) / 255
    }
}
