import TerminalUI

/// Where everything goes on a screen of a given size.
///
/// Rows: header (1), body, status line (1), footer (1). The body holds
/// - from 120×40 up, every pane: a left column of Digit (30×16) over Logits, and on the
///   right Training | Alignment (20 to 22 rows, room for K = 32) over FTLE spectrum over R trace; from a
///   body of 150×50 up (200×60, say) the digit doubles (58×30), the R trace takes 10 rows (bars)
///   and the spectrum the height the top row does not need;
/// - from 80×24 up to that, Digit over R trace on the left and on the right the Logits as a
///   compact strip (one row per input: original, flipped, random) over the Spectrum while
///   Digit, R trace or Spectrum has the focus, else the focused pane alone; Tab cycles;
/// - zoomed (`z`), only the focused pane.
/// Below 80×24 there is no layout (the too-small screen shows instead).
public struct ScreenLayout: Hashable, Sendable {
    public static let minimumSize = TerminalSize(width: 80, height: 24)
    /// The smallest size that shows every pane at once.
    public static let fullSize = TerminalSize(width: 120, height: 40)
    /// Width of the left column: the 28-column digit plus its border.
    public static let leftColumnWidth = 30
    /// Height of the digit pane: 14 half-block rows plus its border.
    public static let digitHeight = 16
    /// The smallest body that shows the digit at twice the size.
    public static let doubleDigitBody = TerminalSize(width: 150, height: 50)
    /// The compact Logits strip above the spectrum below 120×40: a header row, original,
    /// flipped and random, the flip settings, and its border.
    public static let compactLogitsHeight = 7

    public var header: Rect
    public var body: Rect
    public var status: Rect
    public var footer: Rect
    public var panes: [Pane: Rect]

    /// The layout, or nil when the screen is smaller than ``minimumSize``.
    public static func make(size: TerminalSize, focus: Pane, isZoomed: Bool) -> ScreenLayout? {
        guard size.width >= minimumSize.width, size.height >= minimumSize.height else { return nil }
        let screen = Rect(x: 0, y: 0, width: size.width, height: size.height)
        let (header, rest) = screen.splitTop(1)
        let (middle, footer) = rest.splitBottom(1)
        let (body, status) = middle.splitBottom(1)
        var panes: [Pane: Rect] = [:]
        if isZoomed {
            panes[focus] = body
        } else if size.width >= fullSize.width && size.height >= fullSize.height {
            let scale = body.width >= doubleDigitBody.width && body.height >= doubleDigitBody.height ? 2 : 1
            let (left, right) = body.splitLeft(scale * (leftColumnWidth - 2) + 2)
            let (digit, logits) = left.splitTop(scale * (digitHeight - 2) + 2)
            panes[.digit] = digit
            panes[.logits] = logits
            let (top, bottom) = right.splitTop(max(20, min(22, right.height * 11 / 20)))
            let alignmentWidth = min(max(42, right.width * 2 / 5), 60)
            let (training, alignment) = top.splitLeft(top.width - alignmentWidth)
            panes[.training] = training
            panes[.alignment] = alignment
            // The R trace as bars when the screen is tall (200×60), else its sparkline row.
            let (spectrum, trace) = bottom.splitBottom(scale == 2 ? 10 : 4)
            panes[.spectrum] = spectrum
            panes[.rTrace] = trace
        } else {
            let (left, right) = body.splitLeft(leftColumnWidth)
            let (digit, trace) = left.splitTop(digitHeight)
            panes[.digit] = digit
            panes[.rTrace] = trace
            if focus == .digit || focus == .rTrace || focus == .spectrum {
                // The core loop on one screen: the input (left), the logits of the original and
                // flipped inputs in a compact strip, the spectrum under it.
                let (logits, spectrum) = right.splitTop(compactLogitsHeight)
                panes[.logits] = logits
                panes[.spectrum] = spectrum
            } else {
                panes[focus] = right
            }
        }
        return ScreenLayout(header: header, body: body, status: status, footer: footer, panes: panes)
    }
}
