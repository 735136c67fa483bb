import Foundation
import Kernel
import People
import TestSupport

enum PeopleFixtures {
    static func date(_ text: String) -> LocalDate {
        // trap-safe: tests only, literal dates
        try! LocalDate(iso: text)
    }

    static let today = date("2026-12-07")

    static func cnp(_ s: Int, _ yy: Int, _ mm: Int, _ dd: Int, county: Int = 40, sequence: Int = 123) -> String {
        PeopleSamples.cnp(s, yy, mm, dd, county: county, sequence: sequence)
    }

    static func money(_ lei: Int64) -> Money { Money(minorUnits: lei * 100, currency: .ron) }

    static func terms(start: String = "2026-01-05", salary: Int64 = 5_000) -> ContractTerms {
        ContractTerms(
            number: "CIM-1", signed: date("2025-12-20"), start: date(start), duration: .indefinite, normHours: 8, baseSalary: money(salary),
            position: "CONTABIL", corCode: "331302", leaveDays: 21)
    }
}
