import Foundation
import Kernel
import People
import TestSupport
import Testing

/// The employee file from a spreadsheet: every row checked, every problem with its row.
@Suite struct EmployeeImportTests {
    typealias F = PeopleFixtures
    static let header = PeopleSamples.header

    static func file(_ count: Int, change: [Int: @Sendable (inout [String]) -> Void] = [:]) -> String {
        PeopleSamples.file(count, change: change)
    }

    @Test func aThousandRowsWithThreeBadOnesReportThoseThree() async throws {
        let text = Self.file(
            1_000,
            change: [
                10: { $0[3] = "1234567890123" },  // a CNP with a wrong check digit
                500: { $0[12] = "9" },  // nine hours a day
                998: { $0[13] = "patru mii" },  // no amount
            ])
        do {
            _ = try EmployeeImport.parse(text, today: F.today)
            Issue.record("the file was accepted")
        } catch {
            #expect(error.problems.count == 3)
            #expect(Set(error.problems.compactMap(\.field)) == ["rows[12].cnp", "rows[502].norm_hours", "rows[1000].base_salary"])
        }
        let rows = try EmployeeImport.parse(Self.file(1_000), today: F.today)
        #expect(rows.count == 1_000)
        #expect(rows[0].employee.position == "AGENT-COMERCIAL" && rows[0].positionTitle == "Agent comercial")
        #expect(rows[0].contract.duration == .fixed(end: F.date("2026-12-31")) && rows[1].employee.declaredDependants == 1)
    }

    @Test func theFileItselfIsChecked() async throws {
        await expectRefusal("employee_import.empty", field: "file") { try EmployeeImport.parse("", today: F.today) }
        await expectRefusal("employee_import.columns", field: "file") { try EmployeeImport.parse("code,cnp\nE1,1\n", today: F.today) }
        let duplicates = Self.file(3, change: [1: { $0[0] = "E0" }, 2: { $0[3] = PeopleSamples.cnp(2, 60, 1, 1, county: 1, sequence: 1) }])
        await expectRefusal("employee_import.duplicate_code", field: "rows[3].code") {
            try EmployeeImport.parse(duplicates, today: F.today)
        }
        await expectRefusal("employee_import.duplicate_cnp", field: "rows[4].cnp") { try EmployeeImport.parse(duplicates, today: F.today) }
        let missing = Self.file(
            1,
            change: [
                0: {
                    $0[5] = ""; $0[10] = "2026-13-01"
                }
            ])
        await expectRefusal("employee.department_required", field: "rows[2].department") {
            try EmployeeImport.parse(missing, today: F.today)
        }
        await expectRefusal("date.invalid", field: "rows[2].start_date") { try EmployeeImport.parse(missing, today: F.today) }
        let semicolons = Self.file(2).replacingOccurrences(of: ",", with: ";") + "\n\n"
        #expect(try EmployeeImport.parse(semicolons, today: F.today).count == 2)
        let withLeave = Self.file(1).replacingOccurrences(of: Self.header, with: Self.header + ",leave_days")
            .replacingOccurrences(of: ",0\n", with: ",0,zece\n")
        await expectRefusal("contract.days", field: "rows[2].leave_days") { try EmployeeImport.parse(withLeave, today: F.today) }
    }

    @Test func theFileHasItsBounds() async throws {
        let tooLarge = Self.header + "\n" + String(repeating: "x", count: Limits.employeeImportBytes)
        await expectRefusal("employee_import.too_large", field: "file") { try EmployeeImport.parse(tooLarge, today: F.today) }
        let tooMany = Self.header + "\n" + String(repeating: "x\n", count: Limits.employeeImportRows + 1)
        await expectRefusal("employee_import.too_many_rows", field: "file") { try EmployeeImport.parse(tooMany, today: F.today) }
    }
}
