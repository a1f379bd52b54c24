/// One cell that differs between two grids of the same size.
public struct CellChange: Hashable, Sendable {
    public var x: Int
    public var y: Int
    public var cell: Cell
}

extension Grid {
    /// The cells of `self` that differ from `previous`, in row-major order. If the sizes
    /// differ (or there is no previous grid) every cell is listed: a full redraw.
    public func diff(from previous: Grid?) -> [CellChange] {
        var changes: [CellChange] = []
        let sameSize = previous.map { $0.width == width && $0.height == height } ?? false
        for y in 0..<height {
            for x in 0..<width {
                let cell = self[x, y]
                if !sameSize || previous?[x, y] != cell {
                    changes.append(CellChange(x: x, y: y, cell: cell))
                }
            }
        }
        return changes
    }
}
