import Foundation
import Identity

/// Reads the permission matrix from docs/security.md, the document people read.
public enum SecurityDoc {
    public static func matrix() throws -> [Role: [Area: Access]] {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        let text = try String(contentsOf: url.appendingPathComponent("docs/security.md"), encoding: .utf8)
        var header: [Area] = []
        var result: [Role: [Area: Access]] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("|") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.first == "role" {
                header = cells.dropFirst().compactMap { Area(rawValue: $0) }
                continue
            }
            guard let role = Role(rawValue: cells.first ?? "") else { continue }
            var row: [Area: Access] = [:]
            for (area, cell) in zip(header, cells.dropFirst()) {
                row[area] = cell == "RW" ? .write : cell == "R" ? .read : Access.none
            }
            result[role] = row
        }
        return result
    }
}
