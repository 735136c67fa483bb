import Application
import Assembly
import BankingApp
import Companies
import Foundation
import Hummingbird
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import Partners
import PartnersApp

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
    let vatNumber: String?

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
            isSupplier: isSupplier ?? false, vatNumber: vatNumber)
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
        protect(.invoicing, .read).get("/api/v1/partners/{code}/interactions", use: interactions)
        protect(.invoicing, .write).post("/api/v1/partners/{code}/interactions", use: logInteraction)
        protect(.invoicing, .read).get("/api/v1/partners/{code}/contacts", use: contacts)
        protect(.invoicing, .write).post("/api/v1/partners/{code}/contacts", use: addContact)
        protect(.invoicing, .write).post("/api/v1/partners/{code}/merge", use: merge)
        protect(.invoicing, .write).put("/api/v1/partners/{code}/supplier-rule", use: setSupplierRule)
    }

    struct InteractionDTO: Codable {
        let id: String
        let kind: String
        let date: String
        let summary: String
        let user: String
        let followUp: String?
        let followUpDone: Bool

        init(_ record: InteractionRecord) {
            id = record.id
            kind = record.interaction.kind.rawValue
            date = record.interaction.date.iso
            summary = record.interaction.summary
            user = record.user
            followUp = record.interaction.followUp?.iso
            followUpDone = record.followUpDone
        }
    }

    struct InteractionBody: Decodable {
        var kind: String
        var date: String?
        var summary: String
        var followUp: String?
    }

    @Sendable func interactions(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let items = try await culise.interactions(company: p.companyID, partner: code, actor: .user(p))
        return try JSON.response(["items": items.map(InteractionDTO.init)])
    }

    @Sendable func logInteraction(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(InteractionBody.self, from: buffer)
            let record = try await culise.logInteraction(
                company: p.companyID, partner: code, kind: body.kind, date: body.date, summary: body.summary, followUp: body.followUp,
                actor: .user(p))
            return try APIRoutes.encoded(InteractionDTO(record), status: .created)
        }
    }

    struct ContactDTO: Codable {
        let id: String
        let name: String
        let role: String?
        let email: String?
        let phone: String?
    }

    @Sendable func contacts(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let items = try await culise.contacts(company: p.companyID, partner: code, actor: .user(p)).map {
            ContactDTO(id: $0.id, name: $0.contact.name, role: $0.contact.role, email: $0.contact.email, phone: $0.contact.phone)
        }
        return try JSON.response(["items": items])
    }

    @Sendable func addContact(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(Contact.self, from: buffer)
            let record = try await culise.addContact(company: p.companyID, partner: code, body, actor: .user(p))
            return try APIRoutes.encoded(
                ContactDTO(
                    id: record.id, name: record.contact.name, role: record.contact.role, email: record.contact.email,
                    phone: record.contact.phone),
                status: .created)
        }
    }

    struct SupplierRuleBody: Codable {
        var account: String?
        var autoPost: Bool
    }

    @Sendable func setSupplierRule(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let body = try JSON.decode(SupplierRuleBody.self, from: try await APIRoutes.body(request))
        try await culise.setSupplierRule(
            company: p.companyID, partner: code, account: body.account, autoPost: body.autoPost, actor: .user(p))
        return try JSON.response(body)
    }

    struct MergeBody: Decodable {
        var duplicate: String
    }

    /// Merges the partner named in the body into this one.
    @Sendable func merge(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(MergeBody.self, from: buffer)
            let report = try await culise.mergePartners(company: p.companyID, keep: code, duplicate: body.duplicate, actor: .user(p))
            return try APIRoutes.encoded(report, status: .ok)
        }
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
