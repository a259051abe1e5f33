/// Reads AWS's `ImportApiKeys` CSV: a header row naming the columns (any order, any case) — `Name`, `Key`,
/// `Description`, `Enabled`, `UsagePlanIds` (ids separated by `;`, `|` or `,` inside a quoted field) — then one
/// key per row. Every problem is reported with its line, and nothing is imported when there is one.
public enum ApiKeyImport {
    /// One key to create.
    public struct Row: Sendable, Equatable {
        public var line: Int
        public var name: String
        public var value: String?
        public var description: String
        public var enabled: Bool
        public var usagePlanIds: [String]
    }

    /// The rows of `text`, or an error naming each bad line.
    public static func parse(_ text: String) throws(ImportError) -> [Row] {
        let records = try csvRecords(text)
        guard let header = records.first else { throw ImportError(problems: ["line 1: the file is empty; it needs a header row such as Name,Key,Description,Enabled,UsagePlanIds"]) }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let known = ["name", "key", "description", "enabled", "usageplanids"]
        var problems: [String] = []
        for column in columns where !known.contains(column) {
            problems.append("line \(header.line): unknown column '\(column)' (known: Name, Key, Description, Enabled, UsagePlanIds)")
        }
        if !columns.contains("name") && !columns.contains("key") {
            problems.append("line \(header.line): the header names neither a Name nor a Key column")
        }
        var rows: [Row] = []
        var seenValues: [String: Int] = [:]
        for record in records.dropFirst() {
            if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard record.fields.count == columns.count else {
                problems.append("line \(record.line): \(record.fields.count) fields, the header has \(columns.count)")
                continue
            }
            var field: [String: String] = [:]
            for (column, value) in zip(columns, record.fields) { field[column] = value.trimmingCharacters(in: .whitespaces) }
            let value = field["key"].flatMap { $0.isEmpty ? nil : $0 }
            if let value {
                if let problem = ApiKey.problem(withValue: value) { problems.append("line \(record.line): \(problem)") }
                if let earlier = seenValues[value] { problems.append("line \(record.line): the same key value as line \(earlier)") }
                seenValues[value] = record.line
            }
            let name = field["name"].flatMap { $0.isEmpty ? nil : $0 } ?? "imported-\(record.line)"
            var enabled = true
            if let text = field["enabled"], !text.isEmpty {
                switch text.lowercased() {
                case "true", "yes", "1": enabled = true
                case "false", "no", "0": enabled = false
                default: problems.append("line \(record.line): Enabled is true or false, not '\(text)'")
                }
            }
            let plans = (field["usageplanids"] ?? "").split(whereSeparator: { $0 == ";" || $0 == "|" || $0 == "," })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            rows.append(Row(line: record.line, name: name, value: value, description: field["description"] ?? "", enabled: enabled,
                            usagePlanIds: plans))
        }
        guard problems.isEmpty else { throw ImportError(problems: problems) }
        return rows
    }

    /// Why a file was not imported: one message per problem, each with its line.
    public struct ImportError: Error, CustomStringConvertible {
        public var problems: [String]
        public var description: String { problems.joined(separator: "\n") }
    }

    /// RFC 4180 records with the line each starts on: quoted fields may hold commas, quotes (doubled) and line breaks.
    static func csvRecords(_ text: String) throws(ImportError) -> [(line: Int, fields: [String])] {
        var records: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false, fieldStarted = false, afterQuote = false
        var line = 1, recordLine = 1
        var characters = Array(text.replacingOccurrences(of: "\r\n", with: "\n"))
        if characters.first == "\u{FEFF}" { characters.removeFirst() }
        var index = 0
        while index < characters.count {
            let c = characters[index]
            if quoted {
                if c == "\"" {
                    if index + 1 < characters.count && characters[index + 1] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            } else if c == "," {
                fields.append(field)
                field = ""
                fieldStarted = false
                afterQuote = false
            } else if c == "\n" {
                fields.append(field)
                records.append((recordLine, fields))
                fields = []
                field = ""
                fieldStarted = false
                afterQuote = false
                line += 1
                recordLine = line
            } else if c == "\"" && !fieldStarted {
                quoted = true
                fieldStarted = true
            } else if afterQuote {
                throw ImportError(problems: ["line \(line): text after a closing quote; a quote inside a quoted field is written twice (\"\")"])
            } else {
                field.append(c)
                fieldStarted = true
            }
            index += 1
        }
        if quoted { throw ImportError(problems: ["line \(recordLine): a quoted field is never closed"]) }
        if fieldStarted || !fields.isEmpty || !field.isEmpty {
            fields.append(field)
            records.append((recordLine, fields))
        }
        return records
    }
}
