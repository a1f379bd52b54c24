/// Reduces 24-bit colours to the xterm 256-colour palette or to the 8 basic ANSI colours.
///
/// The 256-colour palette is the standard xterm one: indices 16…231 are a 6×6×6 cube with
/// channel levels 0, 95, 135, 175, 215, 255 (index = 16 + 36·r + 6·g + b), and 232…255 a
/// grey ramp 8, 18, …, 238. A colour maps to the nearer (squared RGB distance) of its
/// nearest cube entry and its nearest grey; ties go to the cube — except that a colour with
/// visible hue (chroma, max − min channel, at least ``minimumKeptChroma``) never becomes a
/// grey: it takes the nearest coloured cube entry within 30° of its hue instead. (Dark,
/// weakly tinted colours — a heatmap's |cos| = 0.2 on a dark background — are nearer a grey
/// by distance, and a signed heatmap would lose its sign.) Indices 0…15 are never produced
/// because users often redefine them.
public enum ColorQuantizer {
    /// The six channel levels of the xterm colour cube.
    public static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// RGB values used for the 8 basic colours (xterm defaults), in ANSI order:
    /// black, red, green, yellow, blue, magenta, cyan, white.
    public static let basicColors: [(r: Int, g: Int, b: Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
        (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
    ]

    /// The xterm-256 index (16…255) nearest to an RGB colour.
    public static func xterm256Index(r: UInt8, g: UInt8, b: UInt8) -> Int {
        let channels = [Int(r), Int(g), Int(b)]
        let cube = channels.map(nearestCubeLevel)
        let cubeIndex = 16 + 36 * cube[0] + 6 * cube[1] + cube[2]
        let cubeDistance = zip(channels, cube).reduce(0) { sum, pair in
            sum + square(pair.0 - cubeLevels[pair.1])
        }
        let average = (channels[0] + channels[1] + channels[2]) / 3
        let greyStep = min(max((average - 8 + 5) / 10, 0), 23)
        let greyLevel = 8 + 10 * greyStep
        let greyDistance = channels.reduce(0) { $0 + square($1 - greyLevel) }
        let isGrey = greyDistance < cubeDistance || (cube[0] == cube[1] && cube[1] == cube[2])
        if isGrey, channels.max()! - channels.min()! >= minimumKeptChroma,
           let coloured = nearestColouredCubeIndex(channels) {
            return coloured
        }
        return greyDistance < cubeDistance ? 232 + greyStep : cubeIndex
    }

    /// The smallest chroma (max − min channel, 0…255) that keeps its hue in the 256-colour
    /// palette. The shipped themes' greys (dim, border, pending) have at most 18.
    public static let minimumKeptChroma = 24

    /// The hue in degrees (0 red, 120 green, 240 blue) of an RGB triple with some chroma.
    static func hue(_ c: [Int]) -> Double {
        let high = c.max()!, low = c.min()!, chroma = Double(high - low)
        guard chroma > 0 else { return 0 }
        var h: Double
        if high == c[0] { h = 60 * (Double(c[1] - c[2]) / chroma) }
        else if high == c[1] { h = 60 * (Double(c[2] - c[0]) / chroma + 2) }
        else { h = 60 * (Double(c[0] - c[1]) / chroma + 4) }
        return h < 0 ? h + 360 : h
    }

    /// The cube's coloured entries (index, channels, hue), computed once.
    private static let colouredCube: [(index: Int, channels: [Int], hue: Double)] = {
        var entries: [(index: Int, channels: [Int], hue: Double)] = []
        for r in 0..<6 {
            for g in 0..<6 {
                for b in 0..<6 where !(r == g && g == b) {
                    let channels = [cubeLevels[r], cubeLevels[g], cubeLevels[b]]
                    entries.append((16 + 36 * r + 6 * g + b, channels, hue(channels)))
                }
            }
        }
        return entries
    }()

    /// The nearest cube entry (squared RGB distance) that is not grey and whose hue lies
    /// within 30° of the colour's.
    private static func nearestColouredCubeIndex(_ channels: [Int]) -> Int? {
        let target = hue(channels)
        var best: (index: Int, distance: Int)?
        for entry in colouredCube {
            let difference = abs(entry.hue - target)
            guard min(difference, 360 - difference) <= 30 else { continue }
            let distance = square(channels[0] - entry.channels[0]) + square(channels[1] - entry.channels[1])
                + square(channels[2] - entry.channels[2])
            if best == nil || distance < best!.distance { best = (entry.index, distance) }
        }
        return best?.index
    }

    /// The basic colour index (0…7, ANSI order) nearest to an RGB colour.
    public static func basicIndex(r: UInt8, g: UInt8, b: UInt8) -> Int {
        var best = 0
        var bestDistance = Int.max
        for (index, basic) in basicColors.enumerated() {
            let distance = square(Int(r) - basic.r) + square(Int(g) - basic.g) + square(Int(b) - basic.b)
            if distance < bestDistance {
                best = index
                bestDistance = distance
            }
        }
        return best
    }

    /// The RGB value of a palette index 16…255 (for tests and previews).
    public static func rgb(ofXterm256Index index: Int) -> (r: Int, g: Int, b: Int) {
        precondition((16...255).contains(index), "only indices 16…255 have fixed colours")
        if index >= 232 {
            let level = 8 + 10 * (index - 232)
            return (level, level, level)
        }
        let cube = index - 16
        return (cubeLevels[cube / 36], cubeLevels[cube / 6 % 6], cubeLevels[cube % 6])
    }

    private static func nearestCubeLevel(_ value: Int) -> Int {
        if value < 48 { return 0 }
        if value < 115 { return 1 }
        return min((value - 35) / 40, 5)
    }

    private static func square(_ x: Int) -> Int { x * x }
}
