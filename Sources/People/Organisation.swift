import Foundation
import Kernel

/// A department in the company's tree (`parent` is another department's code; the top has none).
public struct Department: Hashable, Sendable, Codable {
    public var code: String
    public var name: String
    public var parent: String?
    /// The employee who manages the department (its code), when set.
    public var manager: String?
    public var costCentre: String?

    public init(code: String, name: String, parent: String? = nil, manager: String? = nil, costCentre: String? = nil) {
        self.code = code
        self.name = name
        self.parent = parent
        self.manager = manager
        self.costCentre = costCentre
    }
}

/// A position (post) with its COR occupation.
public struct Position: Hashable, Sendable, Codable {
    public var code: String
    public var title: String
    public var corCode: String
    public var department: String?

    public init(code: String, title: String, corCode: String, department: String? = nil) {
        self.code = code
        self.title = title
        self.corCode = corCode
        self.department = department
    }
}

public enum Organisation {
    /// A record code: letters, digits, `-`, `_`, `.`, 1 to 30 characters, upper-cased.
    public static func code(_ text: String, field: String, what: String) throws(DomainError) -> String {
        let code = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard (1...30).contains(code.count),
            code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
        else {
            throw DomainError(
                "people.code", field: field,
                "You cannot use '\(text)' as \(what) code; use 1 to 30 letters, digits, '-', '_' or '.'.")
        }
        return code
    }

    /// The code of a department or position known only by its name (an imported spreadsheet): letters without their
    /// diacritics, upper-cased, other characters as `-` (`Vânzări și marketing` → `VANZARI-SI-MARKETING`); then checked
    /// like any code.
    public static func code(fromName name: String, field: String, what: String) throws(DomainError) -> String {
        let folded = name.trimmingCharacters(in: .whitespaces).folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        var code = ""
        for character in folded.uppercased() {
            let allowed = character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == ".")
            if allowed {
                code.append(character)
            } else if !code.hasSuffix("-") {
                code.append("-")
            }
        }
        while code.hasSuffix("-") { code.removeLast() }
        return try Self.code(code.isEmpty ? name : code, field: field, what: what)
    }

    /// A name or title: 1 to `Limits.nameLength` characters, no control characters.
    public static func name(_ text: String, field: String) throws(DomainError) -> String {
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...Limits.nameLength).contains(name.count),
            !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw DomainError(
                "people.name", field: field, "You cannot leave \(field) empty or longer than \(Limits.nameLength) characters.")
        }
        return name
    }

    /// Checks that setting `department`'s parent to `parent` keeps the tree a tree: the parent exists, the department
    /// is not its own ancestor, and the tree is at most `Limits.departmentDepth` deep.
    public static func checkParent(
        of department: String, parent: String, in departments: [String: Department]
    ) throws(DomainError) {
        guard departments[parent] != nil else {
            throw DomainError(
                "department.parent_unknown", field: "parent",
                "You cannot put \(department) under \(parent) because there is no such department.")
        }
        var seen: Set<String> = [department]
        var current: String? = parent
        var depth = 1
        while let code = current {
            guard !seen.contains(code) else {
                throw DomainError(
                    "department.cycle", kind: .conflict, field: "parent",
                    "You cannot put \(department) under \(parent) because \(parent) is already inside \(department).")
            }
            seen.insert(code)
            depth += 1
            guard depth <= Limits.departmentDepth else {
                throw DomainError(
                    "department.too_deep", field: "parent",
                    "You cannot put \(department) under \(parent) because departments nest at most \(Limits.departmentDepth) levels.")
            }
            current = departments[code]?.parent
        }
    }
}
