import Companies
import Foundation
import Identity
import Kernel
import SQLKit

/// Something a module sets up in each new company (the chart of accounts, journals, VAT rates…).
/// Seeders run inside the company-creation transaction.
public protocol CompanySeeder: Sendable {
    func seed(_ db: any SQLDatabase, company: Company) async throws
}

/// Modules add their seeders here in order; the platform itself needs none yet.
public enum CompanySeeders {
    public static let all: [any CompanySeeder] = [LedgerSeeder()]
}

extension Culise {
    /// Creates a company, seeds what modules need, and (when given) makes `owner` its admin.
    public func createCompany(_ input: CompanyInput, actor: Actor, owner: UserID? = nil) async throws -> Company {
        if case .user(let principal) = actor { try principal.require(.company, .write) }
        let company = try input.validated(id: CompanyID.generate())
        let timestamp = nowText
        let owner = owner ?? actor.userID
        try await transaction { db in
            if try await db.raw("SELECT id FROM companies WHERE cui = \(bind: company.cui.digits)").first() != nil {
                throw Culise.cuiRefusal(company.cui.digits, actor: actor)
            }
            try await db.raw(
                """
                INSERT INTO companies (id, legal_name, cui, trade_register, address_line, city, county, postal_code,
                    country, vat_payer, currency, fiscal_year_start_month, created_at)
                VALUES (\(bind: company.id.description), \(bind: company.legalName), \(bind: company.cui.digits),
                    \(bind: company.tradeRegister?.value), \(bind: company.address.line), \(bind: company.address.city),
                    \(bind: company.address.county), \(bind: company.address.postalCode), \(bind: company.address.country),
                    \(bind: company.vatPayer), \(bind: company.functionalCurrency.code), \(bind: company.fiscalYearStartMonth),
                    \(bind: timestamp))
                """
            ).run()
            for seeder in CompanySeeders.all { try await seeder.seed(db, company: company) }
            try await AuditLog.append(
                db, actor: actor, company: company.id, action: "company.create", entity: "company",
                entityID: company.id.description, changes: Culise.companyChanges(nil, company), now: now)
            if let owner {
                try await insertMembership(db, company: company.id, user: owner, role: .admin, actor: actor)
            }
        }
        return company
    }

    /// A CUI held by another company: the operator (the `culise` CLI on the server, a `.system` actor; docs/security.md)
    /// learns why; a signed-in user gets a refusal that neither confirms nor names another tenant (issue 10).
    package static func cuiRefusal(_ cui: String, actor: Actor) -> DomainError {
        if case .system = actor {
            return DomainError(
                "company.cui_taken", kind: .conflict, field: "cui",
                "You cannot create a second company with CUI \(cui) because one already exists.")
        }
        return DomainError(
            "company.cui_unavailable", kind: .conflict, field: "cui",
            "You cannot create a company with this CUI here; if the company is already yours, ask one of its admins to invite you.")
    }

    /// Changes a company's details.
    public func updateCompany(_ id: CompanyID, _ input: CompanyInput, actor: Actor) async throws -> Company {
        try actor.require(.company, .write, in: id)
        let updated = try input.validated(id: id)
        try await transaction { db in
            let before = try await Culise.loadCompany(db, id)
            if updated.cui != before.cui,
                try await db.raw("SELECT id FROM companies WHERE cui = \(bind: updated.cui.digits)").first() != nil
            {
                throw Culise.cuiRefusal(updated.cui.digits, actor: actor)
            }
            try await db.raw(
                """
                UPDATE companies SET legal_name = \(bind: updated.legalName), cui = \(bind: updated.cui.digits),
                    trade_register = \(bind: updated.tradeRegister?.value), address_line = \(bind: updated.address.line),
                    city = \(bind: updated.address.city), county = \(bind: updated.address.county),
                    postal_code = \(bind: updated.address.postalCode), country = \(bind: updated.address.country),
                    vat_payer = \(bind: updated.vatPayer), fiscal_year_start_month = \(bind: updated.fiscalYearStartMonth)
                WHERE id = \(bind: id.description)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: id, action: "company.update", entity: "company", entityID: id.description,
                changes: Culise.companyChanges(before, updated), now: now)
        }
        return updated
    }

    /// The company the principal is working in. Another company's id is "not found", never its data.
    /// The company the actor works in (a user's signed-in company); any other is not found.
    public func company(_ id: CompanyID, actor: Actor) async throws -> Company {
        try actor.require(.home, .read, in: id)
        return try await read { db in try await Culise.loadCompany(db, id) }
    }

    /// A company as one of its members sees it, with their role there. A user may read every company they belong
    /// to, not only the one they are signed in to (the API creates a company and then reads it back); a company
    /// they do not belong to does not exist for them.
    public func memberCompany(_ id: CompanyID, actor: Actor) async throws -> (company: Company, role: Role?) {
        guard case .user(let principal) = actor, id != principal.companyID else {
            try actor.require(.home, .read, in: id)
            let role: Role? = if case .user(let principal) = actor { principal.role } else { nil }
            return (try await read { db in try await Culise.loadCompany(db, id) }, role)
        }
        try principal.require(.home, .read)
        let found: (Company, String)? = try await read { db in
            try await db.raw(
                """
                SELECT c.*, m.role AS member_role FROM memberships m JOIN companies c ON c.id = m.company_id
                WHERE m.company_id = \(bind: id.description) AND m.user_id = \(bind: principal.userID.description)
                """
            ).first().map { row in (try Culise.decodeCompany(row), try row.decode(column: "member_role", as: String.self)) }
        }
        guard let found else {
            throw DomainError("company.not_found", kind: .notFound, "You cannot open this company because it does not exist.")
        }
        return (found.0, try Role(parsing: found.1))
    }

    /// Figures for the home page.
    public func companySummary(_ id: CompanyID) async throws -> (members: Int, auditRows: Int) {
        try await read { db in
            let members = try await db.raw("SELECT COUNT(*) AS n FROM memberships WHERE company_id = \(bind: id.description)").first()!
                .decode(column: "n", as: Int64.self)
            let audit = try await db.raw("SELECT COUNT(*) AS n FROM audit_log WHERE company_id = \(bind: id.description)").first()!
                .decode(column: "n", as: Int64.self)
            return (Int(members), Int(audit))
        }
    }

    /// Every company, for the CLI.
    public func allCompanies() async throws -> [Company] {
        try await read { db in
            try await db.raw("SELECT * FROM companies ORDER BY legal_name").all().map(Culise.decodeCompany)
        }
    }

    /// The companies a user belongs to, with the role in each.
    public func memberships(of user: UserID) async throws -> [(company: Company, role: Role)] {
        let rows = try await read { db in
            try await db.raw(
                """
                SELECT c.*, m.role AS member_role FROM memberships m JOIN companies c ON c.id = m.company_id
                WHERE m.user_id = \(bind: user.description) ORDER BY c.legal_name
                """
            ).all().map { row in (try Culise.decodeCompany(row), try row.decode(column: "member_role", as: String.self)) }
        }
        return try rows.map { ($0.0, try Role(parsing: $0.1)) }
    }

    /// Finds a company by CUI (with or without `RO`) or by id, as the CLI's `--company` takes it.
    public func resolveCompany(_ reference: String) async throws -> Company {
        let trimmed = reference.trimmingCharacters(in: .whitespaces)
        let found: Company? = try await read { db in
            if let id = CompanyID(string: trimmed) {
                return try await db.raw("SELECT * FROM companies WHERE id = \(bind: id.description)").first()
                    .map(Culise.decodeCompany)
            }
            var digits = trimmed.uppercased()
            if digits.hasPrefix("RO") { digits.removeFirst(2) }
            return try await db.raw("SELECT * FROM companies WHERE cui = \(bind: digits)").first()
                .map(Culise.decodeCompany)
        }
        guard let found else {
            throw DomainError(
                "company.not_found", kind: .notFound, field: "company",
                "You cannot use company '\(reference)' because no company has that CUI or id; `culise company list` shows them.")
        }
        return found
    }

    package static func loadCompany(_ db: any SQLDatabase, _ id: CompanyID) async throws -> Company {
        guard let row = try await db.raw("SELECT * FROM companies WHERE id = \(bind: id.description)").first() else {
            throw DomainError("company.not_found", kind: .notFound, "You cannot open this company because it does not exist.")
        }
        return try decodeCompany(row)
    }

    package static func decodeCompany(_ row: any SQLRow) throws -> Company {
        let id = try row.decode(column: "id", as: String.self)
        return Company(
            id: CompanyID(string: id)!,
            legalName: try row.decode(column: "legal_name", as: String.self),
            cui: try CUI(row.decode(column: "cui", as: String.self)),
            tradeRegister: try row.decode(column: "trade_register", as: String?.self).map { try TradeRegisterNumber($0) },
            address: Address(
                line: try row.decode(column: "address_line", as: String.self),
                city: try row.decode(column: "city", as: String.self),
                county: try row.decode(column: "county", as: String?.self),
                postalCode: try row.decode(column: "postal_code", as: String?.self),
                country: try row.decode(column: "country", as: String.self)),
            vatPayer: try row.decode(column: "vat_payer", as: Bool.self),
            functionalCurrency: try Currency(code: row.decode(column: "currency", as: String.self)),
            fiscalYearStartMonth: Int(try row.decode(column: "fiscal_year_start_month", as: Int64.self)))
    }

    package static func companyChanges(_ before: Company?, _ after: Company) -> [FieldChange] {
        func change(_ field: String, _ old: String?, _ new: String?) -> FieldChange? {
            old == new ? nil : FieldChange(field, before: old, after: new)
        }
        return [
            change("legal_name", before?.legalName, after.legalName),
            change("cui", before?.cui.digits, after.cui.digits),
            change("trade_register", before?.tradeRegister?.value, after.tradeRegister?.value),
            change("address_line", before?.address.line, after.address.line),
            change("city", before?.address.city, after.address.city),
            change("county", before?.address.county, after.address.county),
            change("country", before?.address.country, after.address.country),
            change("vat_payer", before.map { String($0.vatPayer) }, String(after.vatPayer)),
            change(
                "fiscal_year_start_month", before.map { String($0.fiscalYearStartMonth) },
                String(after.fiscalYearStartMonth)),
        ].compactMap { $0 }
    }
}
