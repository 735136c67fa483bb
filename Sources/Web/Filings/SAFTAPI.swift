import Application
import Filings
import FilingsApp
import Foundation
import Hummingbird
import Identity
import Kernel

/// `/api/v1/saft/{period}…`: the period's SAF-T file (D406) in figures with its checks and blockers, the XML as a draft,
/// and generating and keeping it (issue 16 items 2 and 7).
struct SAFTAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.accounting, .read).get("/api/v1/saft/{period}", use: show)
        protect(.accounting, .read).get("/api/v1/saft/{period}/d406", use: draft)
        protect(.accounting, .write).post("/api/v1/saft/{period}/d406", use: generate)
    }

    struct AccountDTO: Encodable {
        let id: String
        let code: String
        let name: String
        let standard: String?
        let type: String
        /// Debit balances positive, credit balances negative.
        let opening: Money
        let closing: Money
    }

    struct SAFTDTO: Encodable {
        let period: String
        let from: String
        let to: String
        let quarterly: Bool
        let accounts: [AccountDTO]
        let customers: Int
        let suppliers: Int
        let entries: Int
        let lines: Int
        let salesInvoices: Int
        let purchaseInvoices: Int
        let payments: Int
        let problems: [FilingAPI.ProblemDTO]
        let blockers: [VATAPI.BlockerDTO]
        let filing: FilingAPI.FilingDTO?
    }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try VATAPI.period(context)
        let view = try await culise.saftReturn(company: p.companyID, period: period, actor: .user(p))
        let file = view.file
        return try JSON.response(
            SAFTDTO(
                period: period.description, from: view.from.iso, to: view.to.iso, quarterly: view.quarterly,
                accounts: file.accounts.map {
                    AccountDTO(
                        id: $0.id, code: $0.code, name: $0.name, standard: $0.standard, type: $0.type, opening: .ron($0.opening),
                        closing: .ron($0.closing))
                }, customers: file.customers.count, suppliers: file.suppliers.count, entries: file.transactionCount,
                lines: file.lineCount, salesInvoices: file.sales.count, purchaseInvoices: file.purchases.count,
                payments: file.payments.count,
                problems: view.problems.map { FilingAPI.ProblemDTO(check: $0.check, message: $0.message, messageRo: $0.messageRO) },
                blockers: view.blockers.map { VATAPI.BlockerDTO(id: $0.id, field: $0.field, message: $0.message) },
                filing: view.filing.map(FilingAPI.FilingDTO.init)))
    }

    @Sendable func draft(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try VATAPI.period(context)
        let draft = try await culise.d406Draft(company: p.companyID, period: period, actor: .user(p))
        return try JSON.response(
            VATAPI.DraftDTO(
                period: period.description,
                problems: draft.problems.map { FilingAPI.ProblemDTO(check: $0.check, message: $0.message, messageRo: $0.messageRO) },
                xml: draft.xml))
    }

    @Sendable func generate(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let period = try VATAPI.period(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            try APIRoutes.encoded(
                FilingAPI.FilingDTO(try await culise.generateD406(company: p.companyID, period: period, actor: .user(p))), status: .created)
        }
    }
}
