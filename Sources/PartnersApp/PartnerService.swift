import Application
import Companies
import Foundation
import Identity
import Kernel
import LedgerApp
import Partners
import SQLKit
import Storage

extension Culise {
    package static let partnerColumns =
        "code, kind, name, cui, vat_payer, trade_register, cnp, address_line, city, county, postal_code, country, email, phone, payment_term_days, is_customer, is_supplier, archived"

    /// Creates a partner. A second company partner with the same CUI is refused (merge instead).
    public func createPartner(company: CompanyID, _ input: PartnerInput, actor: Actor) async throws -> Partner {
        try actor.require(.invoicing, .write, in: company)
        let partner = try input.validated()
        return try await transaction { db in
            try await Self.requireUniqueCUI(db, company: company, partner: partner)
            let inserted = try await db.raw(
                """
                INSERT INTO partners (company_id, \(unsafeRaw: Self.partnerColumns), created_at, tax_id)
                VALUES (\(bind: company.description), \(bind: partner.code), \(bind: partner.kind.rawValue), \(bind: partner.name),
                    \(bind: partner.cui?.digits), \(bind: partner.vatPayer), \(bind: partner.tradeRegister?.value), \(bind: partner.cnp?.value),
                    \(bind: partner.address?.line), \(bind: partner.address?.city), \(bind: partner.address?.county),
                    \(bind: partner.address?.postalCode), \(bind: partner.address?.country), \(bind: partner.email), \(bind: partner.phone),
                    \(bind: Int64(partner.paymentTermDays)), \(bind: partner.isCustomer), \(bind: partner.isSupplier), \(bind: false), \(bind: self.nowText),
                    \(bind: partner.taxID))
                ON CONFLICT (company_id, code) DO NOTHING RETURNING code
                """
            ).first()
            guard inserted != nil else {
                throw DomainError(
                    "partner.code_taken", kind: .conflict, field: "code",
                    "You cannot add partner \(partner.code) because that code is taken.")
            }
            try await Self.saveIBANs(db, company: company, partner: partner)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "partner.create", entity: "partner", entityID: partner.code,
                changes: [
                    FieldChange("name", before: nil, after: partner.name), FieldChange("cui", before: nil, after: partner.cui?.digits),
                ],
                now: self.now)
            return partner
        }
    }

    /// Replaces a partner's details (its code stays).
    public func updatePartner(company: CompanyID, code: String, _ input: PartnerInput, actor: Actor) async throws -> Partner {
        try actor.require(.invoicing, .write, in: company)
        var input = input
        input.code = code
        let partner = try input.validated()
        return try await transaction { db in
            guard let before = try await Self.loadPartner(db, company: company, code: code) else {
                throw DomainError("partner.not_found", kind: .notFound, "You cannot change partner \(code) because it does not exist.")
            }
            try await Self.requireUniqueCUI(db, company: company, partner: partner)
            try await db.raw(
                """
                UPDATE partners SET kind = \(bind: partner.kind.rawValue), name = \(bind: partner.name), cui = \(bind: partner.cui?.digits),
                    vat_payer = \(bind: partner.vatPayer), trade_register = \(bind: partner.tradeRegister?.value), cnp = \(bind: partner.cnp?.value),
                    address_line = \(bind: partner.address?.line), city = \(bind: partner.address?.city), county = \(bind: partner.address?.county),
                    postal_code = \(bind: partner.address?.postalCode), country = \(bind: partner.address?.country), email = \(bind: partner.email),
                    phone = \(bind: partner.phone), payment_term_days = \(bind: Int64(partner.paymentTermDays)),
                    is_customer = \(bind: partner.isCustomer), is_supplier = \(bind: partner.isSupplier),
                    tax_id = \(bind: partner.taxID ?? before.taxID)
                WHERE company_id = \(bind: company.description) AND code = \(bind: code)
                """
            ).run()
            try await db.raw("DELETE FROM partner_ibans WHERE company_id = \(bind: company.description) AND partner_code = \(bind: code)")
                .run()
            try await Self.saveIBANs(db, company: company, partner: partner)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "partner.update", entity: "partner", entityID: code,
                changes: [
                    FieldChange("name", before: before.name, after: partner.name),
                    FieldChange("cui", before: before.cui?.digits, after: partner.cui?.digits),
                    FieldChange("email", before: before.email, after: partner.email, personal: true),
                ].filter { $0.before != $0.after }, now: self.now)
            return partner
        }
    }

    public func partner(company: CompanyID, code: String, actor: Actor) async throws -> Partner {
        try actor.require(.invoicing, .read, in: company)
        guard let partner = try await read({ db in try await Self.loadPartner(db, company: company, code: code) }) else {
            throw DomainError("partner.not_found", kind: .notFound, "You cannot open partner \(code) because it does not exist.")
        }
        return partner
    }

    /// Partners whose name contains `query`, or whose CUI (with or without RO) or IBAN equals it; by name.
    public func searchPartners(company: CompanyID, query: String?, page: PageRequest, actor: Actor) async throws -> Page<Partner> {
        try actor.require(.invoicing, .read, in: company)
        let id = company.description
        var condition: SQLQueryString = "company_id = \(bind: id) AND archived = \(bind: false)"
        if let text = query?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            var digits = text.uppercased().filter { !$0.isWhitespace }
            if digits.hasPrefix("RO"), digits.dropFirst(2).allSatisfy(\.isNumber) { digits.removeFirst(2) }
            let iban = text.uppercased().filter { !$0.isWhitespace }
            condition =
                condition
                    + """
                     AND (LOWER(name) LIKE \(bind: "%" + text.lowercased() + "%") OR cui = \(bind: digits) OR code = \(bind: text)
                        OR code IN (SELECT partner_code FROM partner_ibans WHERE company_id = \(bind: id) AND iban = \(bind: iban)))
                    """
        }
        let filter = condition
        return try await read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM partners WHERE " + filter).first()!.decode(column: "n", as: Int64.self)
            let rows = try await db.raw(
                "SELECT \(unsafeRaw: Self.partnerColumns), tax_id FROM partners WHERE " + filter
                    + " ORDER BY name, code LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)"
            ).all()
            // One query for the page's IBANs, not one per partner.
            let codes = try rows.map { try $0.decode(column: "code", as: String.self) }
            var ibans: [String: [IBAN]] = [:]
            if !codes.isEmpty {
                var query: SQLQueryString =
                    "SELECT partner_code, iban FROM partner_ibans WHERE company_id = \(bind: id) AND partner_code IN ("
                for (index, code) in codes.enumerated() {
                    if index > 0 { query.appendLiteral(", ") }
                    query.appendInterpolation(bind: code)
                }
                query.appendLiteral(") ORDER BY iban")
                for row in try await db.raw(query).all() {
                    ibans[try row.decode(column: "partner_code", as: String.self), default: []].append(
                        try IBAN(row.decode(column: "iban", as: String.self)))
                }
            }
            let partners = try rows.map { row in
                try Self.decodePartner(row, ibans: ibans[try row.decode(column: "code", as: String.self)] ?? [])
            }
            return Page(items: partners, total: Int(total), offset: page.offset, limit: page.limit)
        }
    }

    static func requireUniqueCUI(_ db: any SQLDatabase, company: CompanyID, partner: Partner) async throws {
        guard let cui = partner.cui else { return }
        if let other = try await db.raw(
            "SELECT code FROM partners WHERE company_id = \(bind: company.description) AND cui = \(bind: cui.digits) AND code <> \(bind: partner.code)"
        ).first() {
            let code = try other.decode(column: "code", as: String.self)
            throw DomainError(
                "partner.cui_taken", kind: .conflict, field: "cui",
                "You cannot use CUI \(cui.digits) because partner \(code) already has it; use or merge that partner.")
        }
    }

    static func saveIBANs(_ db: any SQLDatabase, company: CompanyID, partner: Partner) async throws {
        for iban in partner.ibans {
            let inserted = try await db.raw(
                """
                INSERT INTO partner_ibans (company_id, iban, partner_code) VALUES (\(bind: company.description), \(bind: iban.value), \(bind: partner.code))
                ON CONFLICT (company_id, iban) DO NOTHING RETURNING iban
                """
            ).first()
            if inserted == nil {
                throw DomainError(
                    "partner.iban_taken", kind: .conflict, field: "ibans",
                    "You cannot use IBAN \(iban.grouped) because another partner already has it.")
            }
        }
    }

    package static func loadPartner(_ db: any SQLDatabase, company: CompanyID, code: String) async throws -> Partner? {
        guard
            let row = try await db.raw(
                "SELECT \(unsafeRaw: partnerColumns), tax_id FROM partners WHERE company_id = \(bind: company.description) AND code = \(bind: code)"
            ).first()
        else { return nil }
        let ibans = try await db.raw(
            "SELECT iban FROM partner_ibans WHERE company_id = \(bind: company.description) AND partner_code = \(bind: code) ORDER BY iban"
        ).all().map { try IBAN($0.decode(column: "iban", as: String.self)) }
        return try decodePartner(row, ibans: ibans)
    }

    static func decodePartner(_ row: any SQLRow, ibans: [IBAN]) throws -> Partner {
        let code = try row.decode(column: "code", as: String.self)
        var address: Address?
        if let line = try row.decode(column: "address_line", as: String?.self) {
            address = Address(
                line: line, city: try row.decode(column: "city", as: String?.self) ?? "",
                county: try row.decode(column: "county", as: String?.self),
                postalCode: try row.decode(column: "postal_code", as: String?.self),
                country: try row.decode(column: "country", as: String?.self) ?? "RO")
        }
        var partner = Partner(
            code: code, kind: Partner.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .company,
            name: try row.decode(column: "name", as: String.self),
            cui: try row.decode(column: "cui", as: String?.self).flatMap { try? CUI($0) },
            vatPayer: try row.decode(column: "vat_payer", as: Bool.self),
            tradeRegister: try row.decode(column: "trade_register", as: String?.self).flatMap { try? TradeRegisterNumber($0) },
            cnp: try row.decode(column: "cnp", as: String?.self).flatMap { try? CNP($0) }, address: address, ibans: ibans,
            email: try row.decode(column: "email", as: String?.self), phone: try row.decode(column: "phone", as: String?.self),
            paymentTermDays: Int(try row.decode(column: "payment_term_days", as: Int64.self)),
            isCustomer: try row.decode(column: "is_customer", as: Bool.self),
            isSupplier: try row.decode(column: "is_supplier", as: Bool.self))
        partner.taxID = try row.decode(column: "tax_id", as: String?.self)
        return partner
    }
}
