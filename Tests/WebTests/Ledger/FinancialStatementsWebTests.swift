import Application
import Assembly
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Kernel
import TestSupport
import Testing

/// F10 and F20 on the page and through the API, as JSON, CSV and PDF; a bad year or format is named.
@Suite struct FinancialStatementsWebTests {
    @Test(arguments: Engine.available)
    func pageAndDownloads(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let demo = try await culise.seedDemo()
            let year = culise.today.year - 1
            try await browser.login(Culise.demoEmail, Culise.demoPassword)
            let page = try await browser.get("/ledger/financial-statements?year=\(year)")
            #expect(
                page.status == .ok && page.text.contains("F10") && page.text.contains("Cifra de afaceri netă"), "\(page.text.prefix(300))")
            #expect(!page.text.contains("provizorii"))
            let csv = try await browser.get("/ledger/financial-statements?year=\(year)&format=csv")
            #expect(csv.status == .ok && csv.headers[.contentType]?.hasPrefix("text/csv") == true && csv.text.contains("F20,30,"))
            let pdf = try await browser.get("/ledger/financial-statements?year=\(year)&format=pdf")
            #expect(pdf.status == .ok && Data(buffer: pdf.body).starts(with: Data("%PDF-".utf8)))
            let (_, token) = try await culise.createToken(
                user: try await culise.user(email: Culise.demoEmail).id, company: demo.company.id, name: "t", actor: .system("test"))
            let json = try await browser.api(.get, "/api/v1/reports/financial-statements?year=\(year)", token: token)
            #expect(
                json.status == .ok && json.json["closed"] as? Bool == true && (json.json["f10"] as? [Any])?.isEmpty == false,
                "\(json.text.prefix(300))")
            // The API's parameters are checked against its description; the page names its own.
            let badYear = try await browser.api(.get, "/api/v1/reports/financial-statements?year=20x5", token: token)
            #expect(badYear.status == .unprocessableContent && badYear.text.contains("\"field\":\"year\""), "\(badYear.text)")
            let badFormat = try await browser.get("/ledger/financial-statements?year=\(year)&format=xls")
            #expect(
                badFormat.status == .unprocessableContent && badFormat.text.contains("formatele sunt csv și pdf"),
                "\(badFormat.text.prefix(300))")
            let badPageYear = try await browser.get("/ledger/financial-statements?year=20x5")
            #expect(badPageYear.status == .unprocessableContent && badPageYear.text.contains("între 1900 și 2199"))
        }
    }
}
