import Crypto
import Filings
import Foundation
import Identity
import Kernel
import SQLKit
import Storage

public enum FilingTag {}
public typealias FilingID = ID<FilingTag>

/// A declaration as kept: its lifecycle state, the XML exactly as generated with its hash, the problems the checks
/// found, and ANAF's registration number and answer once there are.
public struct FilingRecord: Sendable, Equatable {
    public var id: FilingID
    public var form: FilingForm
    public var period: YearMonth
    public var state: FilingState
    /// The filing this one rectifies (a `d_rec="1"` declaration).
    public var rectifies: FilingID?
    public var xml: String
    public var sha256: String
    public var problems: [FilingProblem]
    public var registrationNumber: String?
    public var filedOn: LocalDate?
    public var answer: String?
    public var createdBy: String
    public var createdAt: String
    public var updatedAt: String

    public var due: LocalDate { form.due(period) }
    public var rectifying: Bool { rectifies != nil }
}

extension FilingForm {
    /// The area whose roles see and change the form: payroll for D112, accounting for the tax returns.
    public var area: Area { self == .d112 ? .payroll : .accounting }
}

extension FilingRecord {
    /// Where ANAF's receipts of this filing are kept (documents of the filing's area).
    public var receiptOwner: DocumentOwner {
        DocumentOwner(type: form.area == .payroll ? "payroll_filing" : "filing", id: id.description)
    }
}

/// A file ANAF gave back (the registration receipt, the answer): its name and bytes, kept with the filing.
public struct FilingReceipt: Sendable {
    public var fileName: String
    public var data: Data

    public init(fileName: String, data: Data) {
        self.fileName = fileName
        self.data = data
    }
}

extension Culise {
    /// Records a newly generated declaration for `form` and `period` inside the caller's transaction, and runs its
    /// checks (generated → validated, or invalid with every problem). `build` receives whether the declaration must be
    /// a rectifying one and returns the XML and the problems. The period's earlier filing decides:
    /// none → a first declaration; one not yet filed → discarded and replaced (nothing left ANAF); one filed and awaiting
    /// ANAF's answer → refused; one accepted or rejected → rectified by this one.
    package func recordFiling(
        _ db: any SQLDatabase, company: CompanyID, form: FilingForm, period: YearMonth, actor: Actor,
        build: (_ rectifying: Bool) async throws -> (xml: String, problems: [FilingProblem])
    ) async throws -> FilingRecord {
        try actor.require(form.area, .write, in: company)
        let latest = try await Self.loadFilings(db, company: company, form: form, period: period, withXML: false)
            .last { $0.state != .discarded }
        var rectifies: FilingID?
        if let latest {
            switch latest.state {
            case .generated, .invalid, .validated:
                try await setFilingState(db, company: company, latest, to: try latest.state.apply(.discard), actor: actor)
                rectifies = latest.rectifies
            case .filed:
                throw DomainError(
                    "filing.awaiting_answer", kind: .conflict, field: "period",
                    "You cannot generate \(form.rawValue.uppercased()) for \(period) again because the one filed is awaiting ANAF's answer; record the answer first."
                )
            case .accepted, .rejected:
                try await setFilingState(db, company: company, latest, to: try latest.state.apply(.rectify), actor: actor)
                rectifies = latest.id
            case .rectified, .discarded:
                rectifies = latest.id
            }
        }
        let built = try await build(rectifies != nil)
        guard built.xml.utf8.count <= Limits.filingBytes else {
            throw DomainError(
                "filing.too_large", kind: .invalid, field: "period",
                "You cannot keep a declaration of \(built.xml.utf8.count) bytes because the limit is \(Limits.filingBytes).")
        }
        let state = try FilingState.generated.apply(.validate(problems: built.problems.count))
        let id = FilingID.generate(now: now)
        let sha = SHA256.hash(data: Data(built.xml.utf8)).map { String(format: "%02x", $0) }.joined()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let problems = String(decoding: try encoder.encode(built.problems), as: UTF8.self)
        try await db.raw(
            """
            INSERT INTO filings (company_id, id, form, period, state, rectifies, xml, sha256, problems, created_by, created_at, updated_at)
            VALUES (\(bind: company.description), \(bind: id.description), \(bind: form.rawValue), \(bind: period.description),
                \(bind: state.rawValue), \(bind: rectifies?.description), \(bind: built.xml), \(bind: sha), \(bind: problems),
                \(bind: actor.auditName), \(bind: nowText), \(bind: nowText))
            """
        ).run()
        try await AuditLog.append(
            db, actor: actor, company: company, action: "filing.generate", entity: "filing", entityID: id.description,
            changes: [
                FieldChange("form", before: nil, after: form.rawValue), FieldChange("period", before: nil, after: period.description),
                FieldChange("state", before: nil, after: state.rawValue), FieldChange("sha256", before: nil, after: sha),
            ], now: now)
        return FilingRecord(
            id: id, form: form, period: period, state: state, rectifies: rectifies, xml: built.xml, sha256: sha, problems: built.problems,
            registrationNumber: nil, filedOn: nil, answer: nil, createdBy: actor.auditName, createdAt: nowText, updatedAt: nowText)
    }

    /// The company's filings the actor may see (by form), newest period first; without their XML.
    public func filings(company: CompanyID, form: FilingForm? = nil, actor: Actor) async throws -> [FilingRecord] {
        if let form { try actor.require(form.area, .read, in: company) }
        let forms = FilingForm.allCases.filter { form == nil || $0 == form }
            .filter { (try? actor.require($0.area, .read, in: company)) != nil }
        guard !forms.isEmpty else {
            try actor.require(.payroll, .read, in: company)
            return []
        }
        return try await read { db in
            try await Self.loadFilings(db, company: company, form: nil, period: nil, withXML: false)
                .filter { forms.contains($0.form) }
                .sorted { ($0.period, $0.createdAt) > ($1.period, $1.createdAt) }
        }
    }

    /// Keeps one more of ANAF's files with a filing already filed (a receipt that came later, ANAF's answer).
    public func attachFilingReceipt(company: CompanyID, id: FilingID, _ receipt: FilingReceipt, actor: Actor) async throws -> DocumentRecord
    {
        try await transaction { db in
            let record = try await Self.loadFiling(db, company: company, id: id)
            try actor.require(record.form.area, .write, in: company)
            guard record.state.isFiled else {
                throw DomainError(
                    "filing.receipt_state", kind: .conflict, field: "file",
                    "You cannot keep ANAF's receipt with a declaration that is \(record.state.rawValue) because only a filed declaration has one; mark it filed first."
                )
            }
            return try await self.attachDocument(
                db, company: company, owner: record.receiptOwner, fileName: receipt.fileName, data: receipt.data, actor: actor)
        }
    }

    /// ANAF's files kept with a filing.
    public func filingReceipts(company: CompanyID, id: FilingID, actor: Actor) async throws -> [DocumentRecord] {
        let record = try await filing(company: company, id: id, actor: actor)
        return try await documents(company: company, owner: record.receiptOwner, actor: actor)
    }

    /// One filing with its XML.
    public func filing(company: CompanyID, id: FilingID, actor: Actor) async throws -> FilingRecord {
        let record = try await read { db in try await Self.loadFiling(db, company: company, id: id) }
        try actor.require(record.form.area, .read, in: company)
        return record
    }

    /// Records that the declaration was filed: ANAF's registration number (from the receipt) and the day, and keeps
    /// ANAF's receipt when one is given, in the same transaction (a receipt refused leaves the filing as it was).
    public func markFiled(
        company: CompanyID, id: FilingID, number: String, date: LocalDate, receipt: FilingReceipt? = nil, actor: Actor
    ) async throws -> FilingRecord {
        let number = number.trimmingCharacters(in: .whitespaces)
        var problems: [DomainError] = []
        if number.isEmpty || number.unicodeScalars.count > 60 || number.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            problems.append(
                DomainError(
                    "filing.registration_number", field: "number",
                    "You cannot record the registration number '\(number.prefix(60))' because it must be 1 to 60 characters."))
        }
        if date > today {
            problems.append(
                DomainError(
                    "filing.filed_on", field: "date", "You cannot record a filing on \(date.iso) because that day has not come yet."))
        }
        if !problems.isEmpty { throw ValidationErrors(problems) }
        return try await transaction { db in
            var record = try await Self.loadFiling(db, company: company, id: id)
            try actor.require(record.form.area, .write, in: company)
            let next = try record.state.apply(.file)
            try await db.raw(
                """
                UPDATE filings SET state = \(bind: next.rawValue), registration_number = \(bind: number), filed_on = \(bind: date.iso),
                    updated_at = \(bind: self.nowText)
                WHERE company_id = \(bind: company.description) AND id = \(bind: id.description)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "filing.file", entity: "filing", entityID: id.description,
                changes: [
                    FieldChange("state", before: record.state.rawValue, after: next.rawValue),
                    FieldChange("registration_number", before: nil, after: number), FieldChange("filed_on", before: nil, after: date.iso),
                ], now: self.now)
            record.state = next
            record.registrationNumber = number
            record.filedOn = date
            if let receipt {
                _ = try await self.attachDocument(
                    db, company: company, owner: record.receiptOwner, fileName: receipt.fileName, data: receipt.data, actor: actor)
            }
            return record
        }
    }

    /// Records ANAF's answer to a filed declaration: accepted, or rejected with its message (kept as typed, ≤ 2,000),
    /// and keeps ANAF's answer file when one is given, in the same transaction.
    public func recordFilingAnswer(
        company: CompanyID, id: FilingID, accepted: Bool, message: String?, receipt: FilingReceipt? = nil, actor: Actor
    ) async throws -> FilingRecord {
        let message = message?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let message, message.unicodeScalars.count > 2_000 {
            throw ValidationErrors([
                DomainError("filing.answer", field: "message", "You cannot keep ANAF's message because it is longer than 2000 characters.")
            ])
        }
        if !accepted && (message ?? "").isEmpty {
            throw ValidationErrors([
                DomainError(
                    "filing.answer", field: "message",
                    "You cannot record a rejection without ANAF's message because it says what to rectify.")
            ])
        }
        return try await transaction { db in
            var record = try await Self.loadFiling(db, company: company, id: id)
            try actor.require(record.form.area, .write, in: company)
            let next = try record.state.apply(accepted ? .accept : .reject)
            let answer = (message ?? "").isEmpty ? nil : message
            try await db.raw(
                """
                UPDATE filings SET state = \(bind: next.rawValue), answer = \(bind: answer), updated_at = \(bind: self.nowText)
                WHERE company_id = \(bind: company.description) AND id = \(bind: id.description)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: accepted ? "filing.accept" : "filing.reject", entity: "filing",
                entityID: id.description,
                changes: [
                    FieldChange("state", before: record.state.rawValue, after: next.rawValue),
                    FieldChange("answer", before: nil, after: answer),
                ],
                now: self.now)
            record.state = next
            record.answer = answer
            if let receipt {
                _ = try await self.attachDocument(
                    db, company: company, owner: record.receiptOwner, fileName: receipt.fileName, data: receipt.data, actor: actor)
            }
            return record
        }
    }

    func setFilingState(_ db: any SQLDatabase, company: CompanyID, _ record: FilingRecord, to state: FilingState, actor: Actor) async throws
    {
        try await db.raw(
            """
            UPDATE filings SET state = \(bind: state.rawValue), updated_at = \(bind: nowText)
            WHERE company_id = \(bind: company.description) AND id = \(bind: record.id.description)
            """
        ).run()
        try await AuditLog.append(
            db, actor: actor, company: company, action: "filing.\(state.rawValue)", entity: "filing", entityID: record.id.description,
            changes: [FieldChange("state", before: record.state.rawValue, after: state.rawValue)], now: now)
    }

    /// The filings of a company, optionally of one form and period, oldest first.
    package static func loadFilings(
        _ db: any SQLDatabase, company: CompanyID, form: FilingForm?, period: YearMonth?, withXML: Bool
    ) async throws -> [FilingRecord] {
        var query: SQLQueryString =
            "SELECT \(unsafeRaw: withXML ? "*" : Self.filingColumns) FROM filings WHERE company_id = \(bind: company.description)"
        if let form { query = query + " AND form = \(bind: form.rawValue)" }
        if let period { query = query + " AND period = \(bind: period.description)" }
        query = query + " ORDER BY period, created_at, id"
        return try await db.raw(query).all().map { try decodeFiling($0, withXML: withXML) }
    }

    static let filingColumns =
        "company_id, id, form, period, state, rectifies, sha256, problems, registration_number, filed_on, answer, created_by, created_at, updated_at"

    package static func loadFiling(_ db: any SQLDatabase, company: CompanyID, id: FilingID) async throws -> FilingRecord {
        guard
            let row = try await db.raw(
                "SELECT * FROM filings WHERE company_id = \(bind: company.description) AND id = \(bind: id.description)"
            ).first()
        else {
            throw DomainError("filing.not_found", kind: .notFound, field: "id", "You cannot open filing \(id) because it does not exist.")
        }
        return try decodeFiling(row, withXML: true)
    }

    static func decodeFiling(_ row: any SQLRow, withXML: Bool) throws -> FilingRecord {
        let problems = try row.decode(column: "problems", as: String.self)
        let idText = try row.decode(column: "id", as: String.self)
        guard let id = FilingID(string: idText) else {
            throw DomainError(
                "filing.not_found", kind: .notFound, field: "id", "You cannot open filing \(idText) because its id is not valid.")
        }
        return FilingRecord(
            id: id,
            form: FilingForm(rawValue: try row.decode(column: "form", as: String.self)) ?? .d112,
            period: try YearMonth(text: try row.decode(column: "period", as: String.self)),
            state: FilingState(rawValue: try row.decode(column: "state", as: String.self)) ?? .generated,
            rectifies: try row.decodeNil(column: "rectifies")
                ? nil : FilingID(string: try row.decode(column: "rectifies", as: String.self)),
            xml: withXML ? try row.decode(column: "xml", as: String.self) : "",
            sha256: try row.decode(column: "sha256", as: String.self),
            problems: (try? JSONDecoder().decode([FilingProblem].self, from: Data(problems.utf8))) ?? [],
            registrationNumber: try row.decode(column: "registration_number", as: String?.self),
            filedOn: try row.decode(column: "filed_on", as: String?.self).flatMap { try? LocalDate(iso: $0) },
            answer: try row.decode(column: "answer", as: String?.self),
            createdBy: try row.decode(column: "created_by", as: String.self),
            createdAt: try row.decode(column: "created_at", as: String.self),
            updatedAt: try row.decode(column: "updated_at", as: String.self))
    }
}
