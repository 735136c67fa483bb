import Application
import Assembly
import FilingsApp
import Foundation
import Kernel
import Ledger
import LedgerApp
import TestSupport
import Testing

/// F10 and F20 of the demo company's closed year on both engines (issue 16 item 6): they equal the balance sheet and the
/// profit and loss reports' totals, every account with a balance is taken by a row, the control row is zero, the prior
/// year stands beside it, and the CSV and PDF carry them.
@Suite struct FinancialStatementsTests {
    @Test(arguments: Engine.available)
    func theDemoCompanysClosedYear(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let demo = try await culise.seedDemo()
            let company = demo.company.id
            let actor = Actor.system("test")
            let year = culise.today.year - 1
            let statements = try await culise.financialStatements(company: company, year: year, actor: actor)
            #expect(statements.closed && statements.unmapped.isEmpty, "\(statements.unmapped)")
            let end = try LocalDate(year: year, month: 12, day: 31)
            let sheet = try await culise.balanceSheet(company: company, asOf: end, actor: actor)
            let result = try await culise.profitAndLoss(
                company: company, from: try LocalDate(year: year, month: 1, day: 1), to: end, actor: actor)
            func report(_ rows: [StatementRow], _ code: String) -> Int64? { rows.first { $0.code == code }?.amount }
            // The totals agree with the reports: total assets less current liabilities, equity, the year's net result.
            #expect(statements.row("F10", "13")?.current == report(sheet, "F"))
            #expect(statements.row("F10", "27")?.current == report(sheet, "J"))
            #expect(statements.row("F10", "14")?.current == report(sheet, "G"))
            #expect(statements.row("F10", "CHK")?.current == 0 && statements.row("F10", "CHK")?.previous == 0)
            #expect(statements.row("F20", "30")?.current == report(result, "15"))
            #expect(statements.row("F20", "01")?.current == report(result, "1"))
            #expect(
                (statements.row("F20", "30")?.current ?? 0) > 0
                    && statements.row("F20", "30")?.current == statements.row("F10", "24")?.current)
            // The year before has no entries: its column is zero; the year after is open and provisional.
            #expect(statements.f20.allSatisfy { $0.previous == 0 } && statements.f10.allSatisfy { $0.previous == 0 })
            let next = try await culise.financialStatements(company: company, year: year + 1, actor: actor)
            #expect(!next.closed && next.row("F10", "27")?.previous == statements.row("F10", "27")?.current)
            #expect(next.row("F10", "CHK")?.current == 0)
            // CSV and PDF.
            let csv = statements.csv()
            #expect(csv.contains("F10,27,") && csv.contains("F20,30,") && csv.components(separatedBy: "\r\n").count > 50)
            let pdf = statements.pdf(english: false, created: culise.now)
            #expect(pdf.starts(with: Data("%PDF-".utf8)) && pdf.count > 2_000)
            #expect(try statements.export(format: "csv", english: false, created: culise.now).contentType.hasPrefix("text/csv"))
            let refused = #expect(throws: DomainError.self) { try statements.export(format: "xls", english: false, created: culise.now) }
            #expect(refused?.id == "report.format" && refused?.field == "format")
            // The first year Culise keeps dates for has no prior year: an empty column, not a refusal.
            let first = try await culise.financialStatements(company: company, year: 1900, actor: actor)
            #expect(first.f20.allSatisfy { $0.previous == 0 && $0.current == 0 })
            await expectRefusal("report.year", field: "year") {
                try await culise.financialStatements(company: company, year: 1800, actor: actor)
            }
            // Seeding again leaves the closed year as it is.
            _ = try await culise.seedDemo()
            #expect(try await culise.financialStatements(company: company, year: year, actor: actor) == statements)
        }
    }
}
