import Foundation

/// Reading CSV files people make in a spreadsheet: bank statements, employee lists.
public enum CSVRecords {
    /// RFC 4180 records: quoted fields may hold the delimiter, doubled quotes and line breaks; each record keeps its first line.
    public static func records(_ text: String, delimiter: Character) -> [(line: Int, fields: [String])] {
        var result: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var recordLine = 1
        var iterator = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let character = pending {
                pending = nil
                return character
            }
            return iterator.next()
        }
        while let character = next() {
            if quoted {
                if character == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.append("\"")
                        } else {
                            quoted = false
                            pending = following
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: quoted = true
            case delimiter:
                fields.append(field)
                field = ""
            case "\n", "\r\n", "\r":
                fields.append(field)
                result.append((recordLine, fields))
                fields = []
                field = ""
                line += 1
                recordLine = line
            default: field.append(character)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            result.append((recordLine, fields))
        }
        return result
    }
}
