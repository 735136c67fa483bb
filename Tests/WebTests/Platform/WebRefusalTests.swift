import Application
import Assembly
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Invoicing
import InvoicingApp
import Kernel
import NIOCore
import TestSupport
import Testing

/// The refusals only the web layer raises (query and body checks, sign-in, body size), each sent through the API and
/// asserted by the id in its problem document (the error catalogue).
@Suite struct WebRefusalTests {
    /// The ids of a problem document: its own and its fields'.
    static func ids(_ response: TestResponse) -> Set<String> {
        let json = response.json
        var ids = Set((json["errors"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        if let id = json["id"] as? String { ids.insert(id) }
        return ids
    }

    @Test(arguments: Engine.available)
    func apiRefusals(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let setup = try await InvoicingFixtures.setUp(culise)
            let (_, token) = try await culise.createToken(user: setup.admin.userID, company: setup.company, name: "t", actor: setup.actor)
            let invoice = try await culise.issueInvoice(
                company: setup.company,
                DocumentInput(
                    partner: "BETA", series: "EXD", issueDate: "2026-10-01", lines: [LineInput(product: "CONSULT", quantity: "1")]),
                actor: setup.actor)
            let entry =
                #"{"journal":"GEN","date":"2026-10-02","description":"x","post":true,"lines":[{"account":"5124","debit":"10.00","currency":"EUR","amount_currency":"2.00","rate":"cinci"},{"account":"1012","credit":"10.00"}]}"#
            let partner = #"{"code":"ROBO","kind":"robot","name":"Robot SRL","is_customer":true,"is_supplier":false}"#
            let requests: [(String, HTTPRequest.Method, String, String?)] = [
                ("aging.side", .get, "/api/v1/reports/aging?side=lateral", nil),
                ("bill.account_line", .post, "/api/v1/bills/\(BillID.generate())/post", #"{"accounts":{"prima":"628"}}"#),
                ("dunning.language", .post, "/api/v1/dunning-runs", #"{"language":"fr"}"#),
                ("mail.language", .post, "/api/v1/invoices/\(invoice.id)/email", #"{"language":"fr"}"#),
                ("efactura.not_configured", .post, "/api/v1/invoices/\(invoice.id)/efactura/send", nil),
                ("fx.currency", .get, "/api/v1/fx/rate", nil),
                ("ledger.rate_format", .post, "/api/v1/entries", entry),
                ("ledger.reversal_style", .put, "/api/v1/ledger/settings", #"{"reversal_style":"lateral"}"#),
                ("partner.kind", .post, "/api/v1/partners", partner),
                ("report.account_required", .get, "/api/v1/reports/account-sheet", nil),
                ("request.field_missing", .post, "/api/v1/partners", #"{"kind":"company"}"#),
                ("request.field_type", .post, "/api/v1/partners", #"{"code":5,"kind":"company","name":"X"}"#),
            ]
            for (id, method, path, body) in requests {
                let response = try await browser.api(method, path, token: token, json: body)
                #expect(Self.ids(response).contains(id), "\(path): \(response.status) \(response.text)")
                #expect(response.status.code >= 400 && response.status.code < 500, "\(path): \(response.status)")
            }
            let anonymous = try await browser.api(.get, "/api/v1/me", token: nil)
            #expect(anonymous.status == .unauthorized && Self.ids(anonymous).contains("auth.required"), "\(anonymous.text)")
            let body = #"{"code":"MARE","kind":"company","name":""# + String(repeating: "a", count: Limits.requestBodyBytes) + #""}"#
            let huge = try await browser.api(.post, "/api/v1/partners", token: token, json: body)
            #expect(huge.status == .contentTooLarge && Self.ids(huge).contains("request.too_large"), "\(huge.status) \(huge.text)")
        }
    }
}
