import Foundation

/// One attribute of an SVG element, kept in insertion order so output is deterministic.
public struct SVGAttribute: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A node of the SVG tree: an element name, attributes, optional text content, children.
///
/// Text and attribute values are stored raw and escaped once, in `render`. The geometric
/// factories (`line`, `rect`, `circle`, `text`, `path`) take Doubles and return nil when a
/// coordinate they need is NaN or ±∞, so a non-finite number can never reach the output:
/// callers simply skip nil (`SVGDocument.add` and `SVGElement.group` do).
public struct SVGElement: Sendable, Equatable, Hashable {
    public var name: String
    public var attributes: [SVGAttribute]
    public var text: String?
    public var children: [SVGElement]

    public init(_ name: String, attributes: [SVGAttribute] = [], text: String? = nil, children: [SVGElement] = []) {
        self.name = name
        self.attributes = attributes
        self.text = text
        self.children = children
    }

    /// The value of attribute `name`, if present.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// Returns a copy with an extra attribute (nil values are skipped).
    public func with(_ name: String, _ value: String?) -> SVGElement {
        guard let value else { return self }
        var copy = self
        copy.attributes.append(SVGAttribute(name, value))
        return copy
    }

    /// `<g>` with an optional class; nil children are dropped.
    public static func group(class className: String? = nil, _ children: [SVGElement?]) -> SVGElement {
        SVGElement("g", children: children.compactMap { $0 }).with("class", className)
    }

    public static func line(x1: Double, y1: Double, x2: Double, y2: Double, class className: String? = nil) -> SVGElement? {
        guard let a = SVGNumber.format(x1), let b = SVGNumber.format(y1),
              let c = SVGNumber.format(x2), let d = SVGNumber.format(y2) else { return nil }
        return SVGElement("line", attributes: [.init("x1", a), .init("y1", b), .init("x2", c), .init("y2", d)])
            .with("class", className)
    }

    /// A rectangle; a negative width or height is normalised (x, y move to the other corner).
    public static func rect(x: Double, y: Double, width: Double, height: Double, class className: String? = nil) -> SVGElement? {
        let left = min(x, x + width), top = min(y, y + height)
        guard let a = SVGNumber.format(left), let b = SVGNumber.format(top),
              let c = SVGNumber.format(abs(width)), let d = SVGNumber.format(abs(height)) else { return nil }
        return SVGElement("rect", attributes: [.init("x", a), .init("y", b), .init("width", c), .init("height", d)])
            .with("class", className)
    }

    public static func circle(cx: Double, cy: Double, r: Double, class className: String? = nil) -> SVGElement? {
        guard let a = SVGNumber.format(cx), let b = SVGNumber.format(cy), let c = SVGNumber.format(r) else { return nil }
        return SVGElement("circle", attributes: [.init("cx", a), .init("cy", b), .init("r", c)]).with("class", className)
    }

    /// Horizontal alignment of a text element relative to its x (SVG `text-anchor`).
    public enum TextAnchor: String, Sendable { case start, middle, end }

    /// `<text>` at (x, y) (y is the baseline); `rotation` in degrees about (x, y).
    public static func text(_ string: String, x: Double, y: Double, anchor: TextAnchor = .start,
                            rotation: Double? = nil, class className: String? = nil) -> SVGElement? {
        guard let a = SVGNumber.format(x), let b = SVGNumber.format(y) else { return nil }
        var element = SVGElement("text", attributes: [.init("x", a), .init("y", b)], text: string)
        if anchor != .start { element = element.with("text-anchor", anchor.rawValue) }
        if let rotation, let angle = SVGNumber.format(rotation) {
            element = element.with("transform", "rotate(\(angle) \(a) \(b))")
        }
        return element.with("class", className)
    }

    /// A polyline as a `<path>`: consecutive finite points are joined; a non-finite point ends the
    /// current run and the next finite point starts a new subpath (a visible gap, never a line
    /// drawn through a missing value). nil when no point is finite.
    public static func path(points: [(x: Double, y: Double)], class className: String? = nil) -> SVGElement? {
        var commands: [String] = []
        var penDown = false
        for point in points {
            guard let x = SVGNumber.format(point.x), let y = SVGNumber.format(point.y) else {
                penDown = false
                continue
            }
            commands.append("\(penDown ? "L" : "M")\(x) \(y)")
            penDown = true
        }
        guard !commands.isEmpty else { return nil }
        return SVGElement("path", attributes: [.init("d", commands.joined(separator: " "))]).with("class", className)
    }

    /// XML for this element and its children, indented by `depth` levels.
    public func render(depth: Int = 0) -> String {
        let indent = String(repeating: "  ", count: depth)
        var head = "\(indent)<\(name)"
        for attribute in attributes {
            head += " \(attribute.name)=\"\(XMLEscaping.attribute(attribute.value))\""
        }
        if children.isEmpty {
            guard let text else { return head + "/>" }
            return head + ">" + XMLEscaping.text(text) + "</\(name)>"
        }
        var lines = [head + ">"]
        if let text { lines.append(indent + "  " + XMLEscaping.text(text)) }
        lines += children.map { $0.render(depth: depth + 1) }
        lines.append("\(indent)</\(name)>")
        return lines.joined(separator: "\n")
    }
}

/// A standalone SVG image: fixed pixel size, a stylesheet, elements in paint order.
///
/// `render()` writes an XML declaration, `<svg xmlns=… width height viewBox>`, a `<title>` (read
/// by screen readers and shown as a tooltip), the `<style>` block and the elements. Colours of
/// text, axes and grid come from the stylesheet (`FigureStyle.css`), which switches under
/// `@media (prefers-color-scheme: dark)`, so the same file reads on light and dark pages; data
/// colours are inline attributes. The background is transparent.
public struct SVGDocument: Sendable, Equatable {
    public var width: Double
    public var height: Double
    public var title: String
    public var stylesheet: String
    public var elements: [SVGElement]
    /// Gradient and other definitions emitted inside `<defs>`.
    public var definitions: [SVGElement]

    public init(width: Double, height: Double, title: String, stylesheet: String = FigureStyle.css) {
        self.width = width
        self.height = height
        self.title = title
        self.stylesheet = stylesheet
        self.elements = []
        self.definitions = []
    }

    /// Appends an element; nil (an element dropped for non-finite coordinates) is ignored.
    public mutating func add(_ element: SVGElement?) {
        if let element { elements.append(element) }
    }

    public mutating func add(contentsOf newElements: [SVGElement?]) {
        elements += newElements.compactMap { $0 }
    }

    /// The complete SVG file as a String (UTF-8 when written out).
    public func render() -> String {
        let w = SVGNumber.format(width) ?? "0", h = SVGNumber.format(height) ?? "0"
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(w)" height="\#(h)" viewBox="0 0 \#(w) \#(h)" role="img">"#,
            "  <title>\(XMLEscaping.text(title))</title>",
            "  <style>\n\(XMLEscaping.text(stylesheet))\n  </style>",
        ]
        if !definitions.isEmpty {
            lines.append(SVGElement("defs", children: definitions).render(depth: 1))
        }
        lines += elements.map { $0.render(depth: 1) }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Escaping for XML 1.0 character data and attribute values.
public enum XMLEscaping {
    /// Escapes & < > and drops characters XML 1.0 forbids (C0 controls other than tab, LF, CR).
    public static func text(_ string: String) -> String {
        var out = ""
        out.reserveCapacity(string.utf8.count)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// As `text`, plus both quote characters and literal whitespace controls (which attribute
    /// normalisation would otherwise turn into spaces).
    public static func attribute(_ string: String) -> String {
        var out = ""
        for scalar in text(string).unicodeScalars {
            switch scalar {
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Formatting of coordinates and lengths for SVG attributes.
public enum SVGNumber {
    /// Up to two decimals (1/100 px is far below what a screen resolves), trailing zeros and a
    /// trailing point removed, "-0" written as "0". nil for NaN and ±∞ — the caller must skip the
    /// element rather than write "nan" or "inf". Magnitudes above 1e9 px are treated as
    /// non-finite too (they only arise from degenerate scales).
    public static func format(_ value: Double) -> String? {
        guard value.isFinite, abs(value) < 1e9 else { return nil }
        let rounded = (value * 100).rounded() / 100
        if rounded == 0 { return "0" }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
