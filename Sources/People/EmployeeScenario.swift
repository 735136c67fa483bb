import Foundation
import Kernel

/// Generated employees for the demo, tests and benchmarks: valid CNPs and employee files of any size.
public enum EmployeeScenario {
    /// A CNP with its check digit: `S YY MM DD JJ NNN C`.
    public static func cnp(_ s: Int, _ yy: Int, _ mm: Int, _ dd: Int, county: Int = 40, sequence: Int = 123) -> String {
        let body = String(format: "%d%02d%02d%02d%02d%03d", s, yy, mm, dd, county, sequence)
        return body + String(CNP.checkDigit(body.compactMap(\.wholeNumberValue)))
    }

    /// An employee file (`EmployeeImport` format) of `count` valid rows, row `index` on line `index + 2`, each with its own
    /// code, CNP and contract number (unique up to 1,000,000 rows); `change` edits the cells of chosen rows.
    public static func file(_ count: Int, prefix: String = "E", change: [Int: @Sendable (inout [String]) -> Void] = [:]) -> String {
        var lines = [EmployeeImport.required.joined(separator: ",")]
        lines.reserveCapacity(count + 1)
        for index in 0..<count {
            // Birth dates spread over 40 years × 12 months × 28 days (13,440), then counties and sequences.
            let day = index % 13_440
            let cnp = cnp(
                index % 2 == 0 ? 2 : 1, 60 + day / 336, 1 + day / 28 % 12, 1 + day % 28, county: 1 + index / 13_440 % 40,
                sequence: 1 + index / 537_600 % 999)
            var cells = [
                "\(prefix)\(index)", "Popescu", "Ana", cnp, "ana\(index)@exemplu.ro", index % 2 == 0 ? "Vânzări" : "Logistica",
                "Agent comercial", "332202", "CIM-\(prefix)\(index)", "2026-01-05", "2026-01-06",
                index % 3 == 0 ? "fixed:2026-12-31" : "indefinite",
                "8", "4500.00", "", String(index % 3),
            ]
            change[index]?(&cells)
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
