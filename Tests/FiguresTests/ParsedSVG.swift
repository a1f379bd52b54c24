import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG string parsed back with Foundation's XMLParser: every element in document order with
/// its attributes, the text directly inside it, and the classes of its ancestors.
struct ParsedSVG {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
        var ancestorClasses: Set<String>

        var classes: Set<String> { Set((attributes["class"] ?? "").split(separator: " ").map(String.init)) }
    }

    var elements: [Element]

    /// Parses `svg`; throws the parser's error when it is not well-formed XML.
    init(_ svg: String) throws {
        let collector = Collector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = collector
        guard parser.parse() else {
            throw parser.parserError ?? NSError(domain: "ParsedSVG", code: 1)
        }
        elements = collector.finished
    }

    /// Elements named `name` carrying class `className` (if given), outside any legend.
    func data(_ name: String, class className: String) -> [Element] {
        elements.filter { $0.name == name && $0.classes.contains(className) && !$0.ancestorClasses.contains("legend") }
    }

    /// All text content, in document order.
    var texts: [String] { elements.filter { $0.name == "text" || $0.name == "title" }.map(\.text) }

    private final class Collector: NSObject, XMLParserDelegate {
        var finished: [Element] = []
        private var stack: [(element: Element, index: Int)] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let inherited = stack.last.map { $0.element.ancestorClasses.union($0.element.classes) } ?? []
            let element = Element(name: elementName, attributes: attributeDict, text: "", ancestorClasses: inherited)
            finished.append(element)
            stack.append((element, finished.count - 1))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard let top = stack.last else { return }
            finished[top.index].text += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            stack.removeLast()
        }
    }
}
