import Application
import Filings
import Foundation
import Kernel
import SQLKit
import Storage

/// How often the company files its VAT return (Codul fiscal art. 322: the month, or the quarter for small businesses).
public enum VATPeriod: String, Sendable, Codable, CaseIterable {
    case monthly, quarterly

    public init(parsing text: String, field: String = "vat_period") throws(DomainError) {
        guard let period = VATPeriod(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw DomainError(
                "filing.vat_period", field: field,
                "You cannot use VAT period '\(text.prefix(20))' because it is monthly or quarterly.")
        }
        self = period
    }
}

/// What the tax returns need besides the books: the VAT period, the main activity's CAEN code, who signs, and the
/// bank account the D300 names (the form requires a bank and an account).
public struct TaxFilingSettings: Sendable, Equatable, Codable {
    public var vatPeriod: VATPeriod
    public var caen: String?
    public var declarantLastName: String?
    public var declarantFirstName: String?
    public var declarantFunction: String?
    public var bankName: String?
    public var iban: String?
    public var phone: String?
    public var email: String?
    /// The company employs people: it owes D112 each month.
    public var employer: Bool
    /// The company files SAF-T (D406): every company since January 2025 (shared reference §4), so on by default.
    public var saft: Bool

    public init(
        vatPeriod: VATPeriod = .monthly, caen: String? = nil, declarantLastName: String? = nil, declarantFirstName: String? = nil,
        declarantFunction: String? = nil, bankName: String? = nil, iban: String? = nil, phone: String? = nil, email: String? = nil,
        employer: Bool = true, saft: Bool = true
    ) {
        self.employer = employer
        self.saft = saft
        self.vatPeriod = vatPeriod
        self.caen = caen
        self.declarantLastName = declarantLastName
        self.declarantFirstName = declarantFirstName
        self.declarantFunction = declarantFunction
        self.bankName = bankName
        self.iban = iban
        self.phone = phone
        self.email = email
    }

    /// The declarant, when all three parts are set.
    public var declarant: Declarant? {
        guard let declarantLastName, let declarantFirstName, let declarantFunction else { return nil }
        return Declarant(lastName: declarantLastName, firstName: declarantFirstName, function: declarantFunction)
    }
}

extension Culise {
    public func taxFilingSettings(company: CompanyID, actor: Actor) async throws -> TaxFilingSettings {
        try actor.require(.accounting, .read, in: company)
        return try await read { db in try await Self.loadTaxFilingSettings(db, company: company) }
    }

    /// Sets the tax returns' settings (every problem at once; audited).
    public func setTaxFilingSettings(company: CompanyID, _ settings: TaxFilingSettings, actor: Actor) async throws {
        try actor.require(.accounting, .write, in: company)
        func clean(_ text: String?) -> String? {
            let trimmed = text?.trimmingCharacters(in: .whitespaces) ?? ""
            return trimmed.isEmpty ? nil : trimmed
        }
        var s = settings
        s.caen = clean(s.caen)
        s.declarantLastName = clean(s.declarantLastName)
        s.declarantFirstName = clean(s.declarantFirstName)
        s.declarantFunction = clean(s.declarantFunction)
        s.bankName = clean(s.bankName)
        s.phone = clean(s.phone)
        s.email = clean(s.email)
        var problems: [DomainError] = []
        if let caen = s.caen, !(caen.count == 4 && caen.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }) {
            problems.append(
                DomainError("filing.caen", field: "caen", "You cannot use CAEN code '\(caen.prefix(10))' because it must be four digits."))
        }
        // The D300's lengths (ANAF's structure): names 75, function 50, bank 50, phone 15, e-mail 200; the form refuses
        // a bank or account with `,` or `#`.
        for (field, value, limit) in [
            ("declarant_last_name", s.declarantLastName, 75), ("declarant_first_name", s.declarantFirstName, 75),
            ("declarant_function", s.declarantFunction, 50), ("bank_name", s.bankName, 50), ("phone", s.phone, 15), ("email", s.email, 200),
        ] {
            guard let value else { continue }
            if value.unicodeScalars.count > limit || value.unicodeScalars.contains(where: { $0.value < 0x20 })
                || (field == "bank_name" && (value.contains(",") || value.contains("#")))
            {
                problems.append(
                    DomainError(
                        "filing.settings_text", field: field,
                        "You cannot use this \(field.replacingOccurrences(of: "_", with: " ")) because it must be at most \(limit) characters of text\(field == "bank_name" ? " without ',' or '#'" : "")."
                    ))
            }
        }
        if let email = s.email, !(email.contains("@") && !email.contains(" ")) {
            problems.append(
                DomainError("filing.settings_text", field: "email", "You cannot use '\(email.prefix(60))' as e-mail because it has no '@'.")
            )
        }
        if let text = clean(s.iban) {
            do { s.iban = try IBAN(text).value } catch { problems.append(error) }
        } else {
            s.iban = nil
        }
        if !problems.isEmpty { throw ValidationErrors(problems) }
        let cleaned = s
        try await transaction { db in
            let s = cleaned
            let before = try await Self.loadTaxFilingSettings(db, company: company)
            try await db.raw(
                """
                INSERT INTO tax_filing_settings (company_id, vat_period, caen, declarant_last_name, declarant_first_name, declarant_function,
                    bank_name, iban, phone, email, employer, saft, updated_at)
                VALUES (\(bind: company.description), \(bind: s.vatPeriod.rawValue), \(bind: s.caen), \(bind: s.declarantLastName),
                    \(bind: s.declarantFirstName), \(bind: s.declarantFunction), \(bind: s.bankName), \(bind: s.iban), \(bind: s.phone),
                    \(bind: s.email), \(bind: s.employer), \(bind: s.saft), \(bind: self.nowText))
                ON CONFLICT (company_id) DO UPDATE SET vat_period = \(bind: s.vatPeriod.rawValue), caen = \(bind: s.caen),
                    declarant_last_name = \(bind: s.declarantLastName), declarant_first_name = \(bind: s.declarantFirstName),
                    declarant_function = \(bind: s.declarantFunction), bank_name = \(bind: s.bankName), iban = \(bind: s.iban),
                    phone = \(bind: s.phone), email = \(bind: s.email), employer = \(bind: s.employer), saft = \(bind: s.saft),
                    updated_at = \(bind: self.nowText)
                """
            ).run()
            let pairs: [(String, String?, String?)] = [
                ("vat_period", before.vatPeriod.rawValue, s.vatPeriod.rawValue), ("caen", before.caen, s.caen),
                ("declarant_last_name", before.declarantLastName, s.declarantLastName),
                ("declarant_first_name", before.declarantFirstName, s.declarantFirstName),
                ("declarant_function", before.declarantFunction, s.declarantFunction), ("bank_name", before.bankName, s.bankName),
                ("iban", before.iban, s.iban), ("phone", before.phone, s.phone), ("email", before.email, s.email),
                ("employer", "\(before.employer)", "\(s.employer)"), ("saft", "\(before.saft)", "\(s.saft)"),
            ]
            try await AuditLog.append(
                db, actor: actor, company: company, action: "filing.settings", entity: "company", entityID: company.description,
                changes: pairs.filter { $0.1 != $0.2 }.map { FieldChange($0.0, before: $0.1, after: $0.2) }, now: self.now)
        }
    }

    static func loadTaxFilingSettings(_ db: any SQLDatabase, company: CompanyID) async throws -> TaxFilingSettings {
        guard
            let row = try await db.raw(
                """
                SELECT vat_period, caen, declarant_last_name, declarant_first_name, declarant_function, bank_name, iban, phone, email,
                    employer, saft
                FROM tax_filing_settings WHERE company_id = \(bind: company.description)
                """
            ).first()
        else { return TaxFilingSettings() }
        return TaxFilingSettings(
            vatPeriod: VATPeriod(rawValue: try row.decode(column: "vat_period", as: String.self)) ?? .monthly,
            caen: try row.decode(column: "caen", as: String?.self),
            declarantLastName: try row.decode(column: "declarant_last_name", as: String?.self),
            declarantFirstName: try row.decode(column: "declarant_first_name", as: String?.self),
            declarantFunction: try row.decode(column: "declarant_function", as: String?.self),
            bankName: try row.decode(column: "bank_name", as: String?.self), iban: try row.decode(column: "iban", as: String?.self),
            phone: try row.decode(column: "phone", as: String?.self), email: try row.decode(column: "email", as: String?.self),
            employer: try row.decode(column: "employer", as: Bool.self), saft: try row.decode(column: "saft", as: Bool.self))
    }
}
