extension ColorQuantizer {
    /// Names of the 8 basic colours, in ANSI order.
    public static let basicNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// How an RGB colour shows with 8 colours: a basic colour index (ANSI order) and whether
    /// to draw it dim. Greys (little chroma) become black, dim white or white by lightness,
    /// so borders, grey labels and pending pixels stay visible and grey; other colours take
    /// the basic colour nearest in hue, dim when dark. (Nearest-RGB ``basicIndex(r:g:b:)``
    /// turns mid greys magenta and dark greys black.)
    public static func basic8(r: UInt8, g: UInt8, b: UInt8) -> (index: Int, dim: Bool) {
        let (red, green, blue) = (Double(r) / 255, Double(g) / 255, Double(b) / 255)
        let high = max(red, green, blue), low = min(red, green, blue), chroma = high - low
        if chroma < 0.16 || chroma < 0.3 * high {
            let lightness = 0.2126 * red + 0.7152 * green + 0.0722 * blue
            if lightness < 0.2 { return (0, false) }
            return (7, lightness < 0.62)
        }
        var hue: Double
        if high == red {
            hue = 60 * ((green - blue) / chroma)
        } else if high == green {
            hue = 60 * ((blue - red) / chroma + 2)
        } else {
            hue = 60 * ((red - green) / chroma + 4)
        }
        if hue < 0 { hue += 360 }
        // Red 0°, yellow 60°, green 120°, cyan 180°, blue 240°, magenta 300°.
        let byHue = [1, 3, 2, 6, 4, 5]
        return (byHue[Int((hue / 60).rounded()) % 6], high < 0.55)
    }
}

extension Grid {
    /// The grid as an 8-colour terminal shows it: colours replaced by the basic colours of
    /// ``ColorQuantizer/basic8(r:g:b:)`` (dim added where the foreground asks for it), for
    /// snapshots of that mode.
    public func reducedToEightColors() -> Grid {
        var grid = self
        func basic(_ color: Color) -> (Color, Bool) {
            guard case let .rgb(r, g, b) = color else { return (color, false) }
            let (index, dim) = ColorQuantizer.basic8(r: r, g: g, b: b)
            let rgb = ColorQuantizer.basicColors[index]
            return (.rgb(UInt8(rgb.r), UInt8(rgb.g), UInt8(rgb.b)), dim)
        }
        for y in 0..<height {
            for x in 0..<width {
                var cell = self[x, y]
                let (foreground, dim) = basic(cell.foreground)
                cell.foreground = foreground
                cell.background = basic(cell.background).0
                if dim { cell.attributes.insert(.dim) }
                grid[x, y] = cell
            }
        }
        return grid
    }

    /// The basic colours by name, for ``styleText(names:)`` of a reduced grid.
    public static var basicColorNames: [Color: String] {
        var names: [Color: String] = [:]
        for (index, rgb) in ColorQuantizer.basicColors.enumerated() {
            names[.rgb(UInt8(rgb.r), UInt8(rgb.g), UInt8(rgb.b))] = ColorQuantizer.basicNames[index]
        }
        return names
    }
}
