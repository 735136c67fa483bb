import Application
import Assembly
import Banking
import BankingApp
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp
import TestSupport
import Testing

@Suite struct FXTests {
    /// Built from the structure of BNR's nbrfxrates.xml (../shared/reference §10): two days, a multiplier.
    static let feed = BNRSample.feed

    @Test func parsesTheFeedWithMultipliersAndReportsProblemsWithLines() throws {
        let rates = try BNRFeed.parse(Data(Self.feed.utf8))
        #expect(rates.count == 6)
        #expect(
            rates.first { $0.currency == "HUF" && $0.published == (try! LocalDate(iso: "2026-03-12")) }?.ronPerUnit
                == Decimal(string: "0.012936"))
        let broken = Self.feed.replacingOccurrences(of: "<Rate currency=\"USD\">4.6780</Rate>", with: "<Rate currency=\"USD\">x</Rate>")
            .replacingOccurrences(of: "<Cube date=\"2026-03-13\">", with: "<Cube date=\"13.03.2026\">")
        do {
            _ = try BNRFeed.parse(Data(broken.utf8))
            Issue.record("a broken file was accepted")
        } catch {
            #expect(Set(error.problems.map(\.id)) == ["fx.rate", "fx.cube_date"])
            #expect(error.problems.allSatisfy { $0.message.contains("line") })
        }
        #expect(throws: ValidationErrors.self) { _ = try BNRFeed.parse(Data("<DataSet><Body></Body>".utf8)) }
    }

    @Test func conventionPicksThePreviousPublicationAndNeverAStaleOne() throws {
        let rates = try BNRFeed.parse(Data(Self.feed.utf8)).filter { $0.currency == "EUR" }
        let friday = try LocalDate(iso: "2026-03-13")
        #expect(RateConvention.previousPublication.pick(rates, for: friday)?.ronPerUnit == Decimal(string: "5.0912"))
        #expect(RateConvention.samePublicationDay.pick(rates, for: friday)?.ronPerUnit == Decimal(string: "5.0987"))
        // Saturday and Monday use Friday's publication.
        #expect(
            RateConvention.previousPublication.pick(rates, for: try LocalDate(iso: "2026-03-16"))?.ronPerUnit == Decimal(string: "5.0987"))
        #expect(RateConvention.previousPublication.pick(rates, for: try LocalDate(iso: "2026-04-30")) == nil)
        #expect(RateConvention.previousPublication.pick(rates, for: try LocalDate(iso: "2026-03-12")) == nil)
    }

    @Test(arguments: Engine.available)
    func importedRatesPriceForeignInvoices(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let input = DocumentInput(
                partner: "BETA", issueDate: "2026-03-16", currency: "EUR", lines: [LineInput(product: "CONSULT", quantity: "1")])
            // No rate stored: a clear error, never 1.0.
            do {
                _ = try await culise.issueInvoice(company: setup.company, input, actor: setup.actor)
                Issue.record("an invoice in EUR was issued without a rate")
            } catch let error as DomainError {
                #expect(error.id == "fx.missing_rate" && error.field == "exchange_rate")
            }
            let report = try await culise.importBNRRates(Data(Self.feed.utf8), actor: .system("test"))
            #expect(report.rates == 6 && report.new == 6 && report.days == 2)
            #expect(try await culise.importBNRRates(Data(Self.feed.utf8), actor: .system("test")).new == 0)
            let invoice = try await culise.issueInvoice(company: setup.company, input, actor: setup.actor)
            #expect(invoice.document.exchangeRate == Decimal(string: "5.0987"))
            try await culise.setRateConvention(.samePublicationDay, actor: .system("test"))
            #expect(
                try await culise.exchangeRate(currency: "EUR", on: try LocalDate(iso: "2026-03-12")).ronPerUnit == Decimal(string: "5.0912")
            )
            // A typed rate still wins.
            var typed = input
            typed.exchangeRate = "5.1"
            #expect(
                try await culise.issueInvoice(company: setup.company, typed, actor: setup.actor).document.exchangeRate
                    == Decimal(string: "5.1"))
        }
    }
}
