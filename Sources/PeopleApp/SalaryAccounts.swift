import Application
import Kernel
import SQLKit

extension Culise {
    /// Each employee's salary IBAN (code → IBAN, those with one), inside the caller's transaction: what payroll needs to
    /// recognise its transfers on a bank statement (issue 15 item 6).
    package static func salaryIBANs(_ db: any SQLDatabase, company: CompanyID) async throws -> [String: String] {
        var ibans: [String: String] = [:]
        for row in try await db.raw(
            "SELECT code, iban FROM employees WHERE company_id = \(bind: company.description) AND iban IS NOT NULL"
        ).all() {
            let iban = try row.decode(column: "iban", as: String.self).uppercased().filter { !$0.isWhitespace }
            if !iban.isEmpty { ibans[try row.decode(column: "code", as: String.self)] = iban }
        }
        return ibans
    }
}

/// A department as payroll's summaries group by it.
package struct DepartmentFacts: Sendable, Equatable {
    package var name: String
    package var costCentre: String?
}

extension Culise {
    /// Each department's name and cost centre (code → facts), inside the caller's transaction: payroll's summary by
    /// department and cost centre (issue 15 item 5) needs them whatever the reader's HR access.
    package static func departmentFacts(_ db: any SQLDatabase, company: CompanyID) async throws -> [String: DepartmentFacts] {
        var facts: [String: DepartmentFacts] = [:]
        for row in try await db.raw(
            "SELECT code, name, cost_centre FROM departments WHERE company_id = \(bind: company.description)"
        ).all() {
            facts[try row.decode(column: "code", as: String.self)] = DepartmentFacts(
                name: try row.decode(column: "name", as: String.self), costCentre: try row.decode(column: "cost_centre", as: String?.self))
        }
        return facts
    }
}
