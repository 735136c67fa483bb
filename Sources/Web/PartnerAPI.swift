import Application
import Companies
import Foundation
import Hummingbird
import Identity
import Kernel
import Partners

struct PartnerDTO: Codable {
    let code: String
    let kind: String
    let name: String
    let cui: String?
    let vatPayer: Bool
    let fiscalIdentifier: String
    let tradeRegister: String?
    let cnp: String?
    let address: Address?
    let ibans: [String]
    let email: String?
    let phone: String?
    let paymentTermDays: Int
    let isCustomer: Bool
    let isSupplier: Bool

    init(_ partner: Partner) {
        code = partner.code
        kind = partner.kind.rawValue
        name = partner.name
        cui = partner.cui?.digits
        vatPayer = partner.vatPayer
        fiscalIdentifier = partner.fiscalIdentifier
        tradeRegister = partner.tradeRegister?.value
        cnp = partner.cnp?.value
        address = partner.address
        ibans = partner.ibans.map(\.value)
        email = partner.email
        phone = partner.phone
        paymentTermDays = partner.paymentTermDays
        isCustomer = partner.isCustomer
        isSupplier = partner.isSupplier
    }
}

struct PartnerBody: Decodable {
    let code: String?
    let kind: String
    let name: String
    let cui: String?
    let vatPayer: Bool?
    let tradeRegister: String?
    let cnp: String?
    let address: Address?
    let ibans: [String]?
    let email: String?
    let phone: String?
    let paymentTermDays: Int?
    let isCustomer: Bool?
    let isSupplier: Bool?

    func input(code override: String? = nil) throws -> PartnerInput {
        guard let kind = Partner.Kind(rawValue: kind) else {
            throw ValidationErrors([
                DomainError("partner.kind", field: "kind", "You cannot use kind '\(kind)' because a partner is a company or an individual.")
            ])
        }
        return PartnerInput(
            code: override ?? code ?? "", kind: kind, name: name, cui: cui, vatPayer: vatPayer ?? false, tradeRegister: tradeRegister,
            cnp: cnp,
            address: address, ibans: ibans ?? [], email: email, phone: phone, paymentTermDays: paymentTermDays,
            isCustomer: isCustomer ?? true,
            isSupplier: isSupplier ?? false)
    }
}

/// `/api/v1/partners`: customers and suppliers, searchable by name, CUI or IBAN.
struct PartnerAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.invoicing, .read).get("/api/v1/partners", use: list)
        protect(.invoicing, .write).post("/api/v1/partners", use: create)
        protect(.invoicing, .read).get("/api/v1/partners/{code}", use: show)
        protect(.invoicing, .write).put("/api/v1/partners/{code}", use: update)
    }

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let page = LedgerAPI.page(request, &problems)
        try problems.throwIfAny()
        let result = try await culise.searchPartners(
            company: p.companyID, query: LedgerAPI.query(request, "q"), page: page, actor: .user(p))
        return try JSON.response(ListDTO(result) { PartnerDTO($0) })
    }

    @Sendable func create(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(PartnerBody.self, from: buffer)
            let partner = try await culise.createPartner(company: p.companyID, try body.input(), actor: .user(p))
            return try APIRoutes.encoded(PartnerDTO(partner), status: .created)
        }
    }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try JSON.response(PartnerDTO(try await culise.partner(company: p.companyID, code: code, actor: .user(p))))
    }

    @Sendable func update(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let body = try JSON.decode(PartnerBody.self, from: try await APIRoutes.body(request))
        return try JSON.response(
            PartnerDTO(try await culise.updatePartner(company: p.companyID, code: code, try body.input(code: code), actor: .user(p))))
    }
}
