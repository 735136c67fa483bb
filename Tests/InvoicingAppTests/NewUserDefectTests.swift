import Application
import Assembly
import BankingApp
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp
import TestSupport
import Testing

/// The defects found by trying the product as a new user would (issue 11, item 11), and the reconciliation statement
/// that cut its list at 10,000 lines (item 5). Each test failed before its fix.
@Suite struct NewUserDefectTests {
    static func noon(_ iso: String) -> @Sendable () -> Date {
        let date = ISO8601DateFormatter().date(from: "\(iso)T12:00:00Z")!
        return { date }
    }

    /// A series restarts when a backdated year is opened after a later one: two `EXD-1` exist, and every place that
    /// names an invoice by number needs the year.
    @Test(arguments: Engine.available)
    func invoiceNumberInTwoYears(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let line = [LineInput(product: "CONSULT", quantity: "2")]
            let later = try await culise.issueInvoice(
                company: setup.company, DocumentInput(partner: "BETA", series: "EXD", issueDate: "2026-03-10", lines: line),
                actor: setup.actor)
            let earlier = try await culise.issueInvoice(
                company: setup.company, DocumentInput(partner: "BETA", series: "EXD", issueDate: "2025-11-10", lines: line),
                actor: setup.actor)
            #expect(later.number == "EXD-1" && earlier.number == "EXD-1")
            // By number alone: refused, naming both years.
            await expectRefusal("invoice.number_ambiguous", field: "number") {
                try await culise.invoice(company: setup.company, number: "EXD-1", actor: setup.actor)
            }
            do {
                _ = try await culise.invoice(company: setup.company, number: "EXD-1", actor: setup.actor)
            } catch let error as DomainError {
                #expect(error.message.contains("2025, 2026") && error.message.contains("EXD-1/2026"))
            }
            // With the year, as an option or written after the number.
            #expect(try await culise.invoice(company: setup.company, number: "EXD-1", year: 2025, actor: setup.actor).id == earlier.id)
            #expect(try await culise.invoice(company: setup.company, number: "EXD-1/2026", actor: setup.actor).id == later.id)
            await expectRefusal("invoice.not_found") {
                try await culise.invoice(company: setup.company, number: "EXD-1/2024", actor: setup.actor)
            }
            // A payment allocated by number needs the year too.
            await expectRefusal("invoice.number_ambiguous", field: "allocations[0].document") {
                try await culise.recordPayment(
                    company: setup.company,
                    PaymentInput(
                        direction: "in", partner: "BETA", date: "2026-04-01", amount: "10",
                        allocations: [.init(document: "EXD-1", amount: "10")]), actor: setup.actor)
            }
            let payment = try await culise.recordPayment(
                company: setup.company,
                PaymentInput(
                    direction: "in", partner: "BETA", date: "2026-04-01", amount: "10",
                    allocations: [.init(document: "EXD-1/2025", amount: "10")]), actor: setup.actor)
            #expect(try await culise.invoice(company: setup.company, id: earlier.id, actor: setup.actor).paid.minorUnits == 1_000)
            #expect(try await culise.invoice(company: setup.company, id: later.id, actor: setup.actor).paid.minorUnits == 0)
            _ = payment
            // Exported file names are unique.
            let exported = try await culise.issuedXML(company: setup.company, after: nil, limit: 100, actor: setup.actor)
            let names = Set(exported.map { Culise.exportFileName(number: $0.number, year: $0.year) })
            #expect(exported.count == 2 && names == ["EXD-1_2025.xml", "EXD-1_2026.xml"])
        }
    }

    /// An e-invoice addressed to another buyer is refused by default; accepted on request, with its warning shown.
    @Test(arguments: Engine.available)
    func eInvoiceForAnotherBuyer(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let seller = try await InvoicingFixtures.setUp(culise)
            let invoice = try await culise.issueInvoice(
                company: seller.company,
                DocumentInput(
                    partner: "BETA", series: "EXD", issueDate: "2026-03-10", lines: [LineInput(product: "CONSULT", quantity: "2")]),
                actor: seller.actor)
            let xml = Data(try await culise.invoiceXML(company: seller.company, id: invoice.id, actor: seller.actor).xml.utf8)
            // A third company that is not the buyer (BETA).
            let (other, _, admin) = try await Fixtures.companyWithAdmin(
                culise, email: "admin@omega.ro", cuiBody: 7_654_321, name: "Omega Trade SRL")
            let refused = try await culise.ingestEInvoices(company: other, files: [("EXD-1.xml", xml)], actor: .user(admin))
            #expect(refused.count == 1 && refused[0].result == .refused && refused[0].bill == nil)
            #expect(refused[0].message.contains("addressed to") && refused[0].errors == ["efactura.other_buyer"])
            #expect(try await culise.bills(company: other, state: nil, partner: nil, page: .first, actor: .user(admin)).total == 0)
            let accepted = try await culise.ingestEInvoices(
                company: other, files: [("EXD-1.xml", xml)], acceptOtherBuyer: true, actor: .user(admin))
            #expect(accepted[0].result == .created && accepted[0].warnings.count == 1)
            #expect(accepted[0].warnings[0].contains("is not this company"))
            let bill = try await culise.bill(company: other, id: try #require(accepted[0].bill), actor: .user(admin))
            #expect(bill.warnings == accepted[0].warnings)
            // The buyer itself ingests it without a warning.
            let (buyer, _, buyerAdmin) = try await Fixtures.companyWithAdmin(
                culise, email: "admin@beta.ro", cuiBody: 2_345_678, name: "Beta Distribuție SRL")
            let own = try await culise.ingestEInvoices(company: buyer, files: [("EXD-1.xml", xml)], actor: .user(buyerAdmin))
            #expect(own[0].result == .created && own[0].warnings.isEmpty)
        }
    }

    /// Issuing with an issue date whose e-Factura deadline already passed warns; a timely one does not.
    @Test(arguments: Engine.available)
    func lateEFacturaDeadlineWarns(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine, clock: Self.noon("2026-12-07")) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let lines = [LineInput(product: "CONSULT", quantity: "1")]
            let late = try await culise.issueInvoice(
                company: setup.company, DocumentInput(partner: "BETA", series: "EXD", issueDate: "2026-11-02", lines: lines),
                actor: setup.actor)
            #expect(late.warnings.count == 1 && late.warnings[0].contains("has passed"))
            let timely = try await culise.issueInvoice(
                company: setup.company, DocumentInput(partner: "BETA", series: "EXD", issueDate: "2026-12-04", lines: lines),
                actor: setup.actor)
            #expect(timely.warnings.isEmpty)
            let draft = try await culise.createInvoiceDraft(
                company: setup.company, DocumentInput(partner: "BETA", series: "EXD", issueDate: "2026-10-01", lines: lines),
                actor: setup.actor)
            #expect(try await culise.issueDraft(company: setup.company, id: draft.id, actor: setup.actor).warnings.count == 1)
        }
    }

    /// The demo's dates follow the clock: no bank line, payment or entry after today.
    @Test(arguments: Engine.available)
    func demoDatesFollowTheClock(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine, clock: Self.noon("2026-12-06")) { culise, _ in
            _ = try await culise.seedDemo()
            let latest = try await culise.database.read { db in
                try await db.raw(
                    "SELECT (SELECT MAX(booking_date) FROM bank_lines) AS bank, (SELECT MAX(date) FROM entry_lines) AS ledger"
                ).first()
            }
            let bank = try #require(try latest?.decode(column: "bank", as: String?.self))
            let ledger = try #require(try latest?.decode(column: "ledger", as: String?.self))
            #expect(bank <= "2026-12-06" && ledger <= "2026-12-06", "bank \(bank), ledger \(ledger)")
        }
    }

    /// 12,000 unreconciled lines: the statement counts and sums every one, lists the first 1,000, and adds up.
    @Test(arguments: Engine.available)
    func reconciliationStatementPastTenThousandLines(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let account = try await culise.addBankAccount(
                company: setup.company, BankAccountInput(name: "BT RON", iban: "RO49AAAA1B31007593840000"),
                actor: setup.actor)
            var text = "date,amount,currency,counterparty,counterparty_iban,details,reference,bank_reference,account_iban\n"
            var total: Int64 = 0
            for index in 0..<12_000 {
                let minor = Int64(100 + index % 997)
                total += minor
                let day = 1 + index % 28
                text +=
                    "2026-10-\(day < 10 ? "0" : "")\(day),\(DecimalText.amount(minor)),RON,\"CLIENT \(index)\",,\"Depunere \(index)\",,R\(index),RO49AAAA1B31007593840000\n"
            }
            let report = try await culise.importStatement(
                company: setup.company, data: Data(text.utf8), fileName: "big.csv", actor: setup.actor)
            #expect(report.new == 12_000)
            let statement = try await culise.reconciliationStatement(
                company: setup.company, account: account.id, date: try LocalDate(iso: "2026-10-31"), actor: setup.actor)
            #expect(statement.bankOnlyCount == 12_000 && statement.bankOnlyTotal == total)
            #expect(statement.bankOnly.count == Limits.reconciliationItemsListed)
            #expect(statement.bankBalance == total && statement.ledgerBalance == 0)
            #expect(statement.difference == 0)
        }
    }
}
