/// Reduces 24-bit colours to the xterm 256-colour palette or to the 8 basic ANSI colours.
///
/// The 256-colour palette is the standard xterm one: indices 16…231 are a 6×6×6 cube with
/// channel levels 0, 95, 135, 175, 215, 255 (index = 16 + 36·r + 6·g + b), and 232…255 a
/// grey ramp 8, 18, …, 238. A colour maps to the nearer (squared RGB distance) of its
/// nearest cube entry and its nearest grey; ties go to the cube. Indices 0…15 are never
/// produced because users often redefine them.
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
        return greyDistance < cubeDistance ? 232 + greyStep : cubeIndex
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
