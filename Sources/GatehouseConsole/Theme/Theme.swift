import Foundation
import Yams

/// A colour: the terminal's default, one of the 8 named ones, or an index of the 256-colour palette.
public enum ThemeColor: Sendable, Equatable {
    case terminalDefault
    case index(Int)

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses `default`, a name (`bright-` prefix for 8–15), `0`–`255`, or `#rrggbb` (nearest palette entry).
    public init?(_ text: String) {
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        if lower == "default" { self = .terminalDefault; return }
        if let i = Self.names.firstIndex(of: lower) { self = .index(i); return }
        if lower.hasPrefix("bright-"), let i = Self.names.firstIndex(of: String(lower.dropFirst(7))) { self = .index(i + 8); return }
        if let n = Int(lower), (0...255).contains(n) { self = .index(n); return }
        if lower.hasPrefix("#"), lower.count == 7, let rgb = Int(lower.dropFirst(), radix: 16) {
            self = .index(Self.nearest(r: (rgb >> 16) & 0xFF, g: (rgb >> 8) & 0xFF, b: rgb & 0xFF))
            return
        }
        return nil
    }

    /// The xterm-256 index closest to an RGB colour (6×6×6 cube or grey ramp).
    static func nearest(r: Int, g: Int, b: Int) -> Int {
        func level(_ v: Int) -> Int { v < 48 ? 0 : (v < 115 ? 1 : (v - 35) / 40) }
        let cube = 16 + 36 * level(r) + 6 * level(g) + level(b)
        let grey = (r + g + b) / 3
        if abs(r - grey) < 10 && abs(g - grey) < 10 && abs(b - grey) < 10 {
            return grey < 8 ? 16 : (grey > 238 ? 231 : 232 + (grey - 8) / 10)
        }
        return cube
    }

    /// The nearest of the 8 basic colours, for terminals without 256.
    public var basic: ThemeColor {
        guard case .index(let i) = self else { return self }
        if i < 8 { return self }
        if i < 16 { return .index(i - 8) }
        if i >= 232 { return .index(i < 244 ? 0 : 7) }
        let c = i - 16
        let r = c / 36, g = (c / 6) % 6, b = c % 6
        return .index((r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0))
    }
}

/// How one colour role looks.
public struct ThemeStyle: Sendable, Equatable {
    public var foreground: ThemeColor = .terminalDefault
    public var background: ThemeColor = .terminalDefault
    public var bold = false
    public var reverse = false
    public var underline = false
    public var dim = false

    public init(foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault, bold: Bool = false,
                reverse: Bool = false, underline: Bool = false, dim: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
        self.dim = dim
    }
}

/// Colour roles mapped to styles, read from `Themes/NAME.yaml`. Roles a theme leaves out look `normal`.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [ColorRole: ThemeStyle]
    /// Whether the theme uses colours at all (`mono` and `NO_COLOR` do not).
    public var usesColor: Bool

    public func style(_ role: ColorRole) -> ThemeStyle {
        styles[role] ?? styles[.normal] ?? ThemeStyle()
    }

    /// Attributes only: what `NO_COLOR` gets.
    public static let noColor = Theme(name: "no-color", styles: [
        .title: ThemeStyle(bold: true, reverse: true), .header: ThemeStyle(bold: true, underline: true),
        .selected: ThemeStyle(reverse: true), .error: ThemeStyle(bold: true), .warn: ThemeStyle(bold: true),
        .muted: ThemeStyle(dim: true), .tabActive: ThemeStyle(bold: true, reverse: true), .status: ThemeStyle(reverse: true),
        .filterInvalid: ThemeStyle(bold: true, underline: true),
    ], usesColor: false)
}

/// A theme file that cannot be used: which file, which line and key, and why.
public struct ThemeError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String?
    public var reason: String

    public var description: String {
        var text = file
        if let line { text += " line \(line)" }
        if let key { text += ", '\(key)'" }
        return text + ": " + reason
    }
}

/// Reads theme files: `roles:` mapping each role to `{fg, bg, bold, reverse, underline, dim}` (or just a colour).
public enum ThemeLoader {
    /// Where themes are looked up by name: `$GATEHOUSE_THEMES`, `./Themes`, and `Themes` beside the executable's package.
    public static func searchPaths() -> [String] {
        var paths: [String] = []
        if let env = ProcessInfo.processInfo.environment["GATEHOUSE_THEMES"] { paths.append(env) }
        paths.append(FileManager.default.currentDirectoryPath + "/Themes")
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            paths.append(dir.appendingPathComponent("Themes").path)
            dir = dir.deletingLastPathComponent()
        }
        var seen = Set<String>()
        return paths.filter { seen.insert(URL(fileURLWithPath: $0).standardizedFileURL.path).inserted }
    }

    /// The themes compiled into the binary (from `Themes/`), so the console has its colours wherever the
    /// executable goes.
    public static let builtIn: [String: String] = [
        "default": String(decoding: PackageResources.default_yaml, as: UTF8.self),
        "light": String(decoding: PackageResources.light_yaml, as: UTF8.self),
        "mono": String(decoding: PackageResources.mono_yaml, as: UTF8.self),
    ]

    /// A theme by name (`default`, `light`, `mono`, …) or by path to a `.yaml` file. A file of that name in
    /// the search paths overrides the built-in theme.
    public static func load(_ nameOrPath: String, searchPaths: [String] = ThemeLoader.searchPaths()) throws -> Theme {
        let isPath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml")
        let candidates = isPath ? [nameOrPath] : searchPaths.map { "\($0)/\(nameOrPath).yaml" }
        guard let file = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            if !isPath, let text = builtIn[nameOrPath] { return try parse(text, file: "built-in \(nameOrPath) theme") }
            throw ThemeError(file: nameOrPath, line: nil, key: nil,
                             reason: "no such theme; the built-in ones are \(builtIn.keys.sorted().joined(separator: ", ")), "
                                + "and files are looked for in \(candidates.prefix(3).joined(separator: ", "))")
        }
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw ThemeError(file: file, line: nil, key: nil, reason: "cannot read it: \(error.localizedDescription)")
        }
        return try parse(text, file: file)
    }

    /// The theme to start with, never failing: the requested one, else the built-in one of the same name, else
    /// the built-in default; `notice` says what was used instead and why (shown on the console's message line).
    public static func resolve(_ nameOrPath: String, searchPaths: [String] = ThemeLoader.searchPaths()) -> (theme: Theme, notice: String?) {
        do {
            return (try load(nameOrPath, searchPaths: searchPaths), nil)
        } catch {
            let fallbackName = builtIn[nameOrPath] != nil ? nameOrPath : "default"
            if let text = builtIn[fallbackName], let theme = try? parse(text, file: "built-in \(fallbackName) theme") {
                return (theme, "\(error); using the built-in \(fallbackName) theme")
            }
            return (Theme.noColor, "\(error); using no colours")
        }
    }

    public static func parse(_ text: String, file: String) throws -> Theme {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw ThemeError(file: file, line: nil, key: nil, reason: "the file is empty") }
            root = node
        } catch let error as ThemeError {
            throw error
        } catch let error as YamlError {
            switch error {
            case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
                throw ThemeError(file: file, line: mark.line, key: nil, reason: "YAML syntax: \(problem)")
            default:
                throw ThemeError(file: file, line: nil, key: nil, reason: "YAML syntax: \(error)")
            }
        }
        guard let roles = root["roles"], case .mapping(let mapping) = roles else {
            throw ThemeError(file: file, line: root.mark?.line, key: "roles", reason: "a theme needs a 'roles:' mapping of colour roles")
        }
        var styles: [ColorRole: ThemeStyle] = [:]
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            guard let role = ColorRole(rawValue: key) else {
                throw ThemeError(file: file, line: keyNode.mark?.line, key: key,
                                 reason: "not a colour role; roles are \(ColorRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            styles[role] = try style(value, key: key, file: file)
        }
        let name = root["name"]?.string ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let usesColor = root["color"]?.bool ?? true
        return Theme(name: name, styles: styles, usesColor: usesColor)
    }

    static func style(_ node: Node, key: String, file: String) throws -> ThemeStyle {
        if case .scalar = node {
            guard let color = ThemeColor(node.string ?? "") else {
                throw ThemeError(file: file, line: node.mark?.line, key: key, reason: "'\(node.string ?? "")' is not a colour (a name, 0–255, #rrggbb or default)")
            }
            return ThemeStyle(foreground: color)
        }
        guard case .mapping(let fields) = node else {
            throw ThemeError(file: file, line: node.mark?.line, key: key, reason: "expected a colour or a mapping of fg, bg, bold, reverse, underline, dim")
        }
        var style = ThemeStyle()
        for (fieldNode, value) in fields {
            let field = fieldNode.string ?? ""
            let at = "\(key).\(field)"
            switch field {
            case "fg", "bg":
                guard let color = ThemeColor(value.string ?? "") else {
                    throw ThemeError(file: file, line: value.mark?.line, key: at, reason: "'\(value.string ?? "")' is not a colour (a name, 0–255, #rrggbb or default)")
                }
                if field == "fg" { style.foreground = color } else { style.background = color }
            case "bold", "reverse", "underline", "dim":
                guard let flag = value.bool else {
                    throw ThemeError(file: file, line: value.mark?.line, key: at, reason: "expected true or false")
                }
                switch field {
                case "bold": style.bold = flag
                case "reverse": style.reverse = flag
                case "underline": style.underline = flag
                default: style.dim = flag
                }
            default:
                throw ThemeError(file: file, line: fieldNode.mark?.line, key: at, reason: "unknown field; use fg, bg, bold, reverse, underline or dim")
            }
        }
        return style
    }
}
