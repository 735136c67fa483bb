import Application
import EFactura
import Foundation
import Identity
import Invoicing
import Kernel
import LedgerApp
import PartnersApp
import SQLKit
import Storage

/// One row of the e-Factura outbox, for the dashboard and the outbox page.
public struct OutboxItem: Sendable, Codable, Equatable {
    public var invoice: InvoiceID
    public var number: String
    public var partner: String
    public var issueDate: LocalDate
    public var state: String
    public var deadline: LocalDate
    /// Working days are counted by `EFacturaDeadline`; negative when late.
    public var daysLeft: Int
    public var uploadIndex: String?
    public var attempts: Int
    public var errors: [String]
}

/// The outbox states: validated → uploading → uploaded → accepted | rejected; `upload_unknown` after an ambiguous
/// upload (reconciled with ANAF's message list before any new upload); `failed` when a call certainly did not arrive;
/// `corrected` once a rejected invoice was replaced; `not_required` for a credit note of an invoice ANAF never accepted.
public enum OutboxState {
    public static let validated = "validated"
    public static let uploading = "uploading"
    public static let uploadUnknown = "upload_unknown"
    public static let uploaded = "uploaded"
    public static let accepted = "accepted"
    public static let rejected = "rejected"
    public static let failed = "failed"
    public static let corrected = "corrected"
    public static let notRequired = "not_required"
    /// States that still need someone's attention before the deadline.
    public static let pending = [validated, uploading, uploadUnknown, uploaded, rejected, failed]
}

extension Culise {
    /// How long one sender holds an upload claim before another may take over.
    static let claimSeconds: TimeInterval = 120

    /// Sends an issued invoice to e-Factura once. Double clicks and concurrent retries find the claim and upload nothing;
    /// a retry after an ambiguous upload first looks for the invoice in ANAF's message list and uploads only if it is not there.
    public func sendEFactura(company: CompanyID, id: InvoiceID, client: ANAFClient, actor: Actor) async throws -> EFacturaStatus {
        try actor.require(.invoicing, .write, in: company)
        let cid = company.description
        let claimUntil = Timestamp.format(now.addingTimeInterval(Self.claimSeconds))
        let nowText = self.nowText
        // 1. Claim the record (one transaction, committed before any network call).
        let claim = try await transaction { db -> (xml: String, number: String, credit: Bool, reconcile: Bool, cif: String)? in
            let invoice = try await Self.requireInvoice(db, company: company, id: id)
            guard let state = invoice.efactura?.state else {
                throw DomainError("efactura.not_issued", kind: .conflict, "You cannot send invoice \(id) because it is still a draft.")
            }
            if state == OutboxState.rejected {
                throw DomainError(
                    "efactura.rejected", kind: .conflict,
                    "You cannot send invoice \(invoice.number ?? "") again as it is because ANAF rejected it; correct it first (credit note and reissue)."
                )
            }
            if state == OutboxState.corrected || state == OutboxState.notRequired { return nil }
            let claimed = try await db.raw(
                """
                UPDATE efactura SET state = 'uploading', claimed_until = \(bind: claimUntil), attempts = attempts + 1, last_attempt_at = \(bind: nowText),
                    updated_at = \(bind: nowText), errors = CASE WHEN state = 'upload_unknown' THEN 'reconcile' ELSE NULL END
                WHERE company_id = \(bind: cid) AND invoice_id = \(bind: id.description)
                    AND (state IN ('validated', 'failed', 'upload_unknown') OR (state = 'uploading' AND claimed_until < \(bind: nowText)))
                RETURNING xml, errors
                """
            ).first()
            guard let claimed else { return nil }
            let company = try await Self.loadCompany(db, company)
            return (
                try claimed.decode(column: "xml", as: String.self), invoice.number ?? "", invoice.type.isCreditNote,
                try claimed.decode(column: "errors", as: String?.self) == "reconcile", company.cui.digits
            )
        }
        guard let claim else { return try await invoice(company: company, id: id, actor: actor).efactura! }
        // 2. After an ambiguous upload, look for it at ANAF before uploading again.
        if claim.reconcile, let index = try await findUpload(number: claim.number, cif: claim.cif, company: company, client: client) {
            try await finishSend(
                company: company, id: id, state: OutboxState.uploaded, index: index, errors: [], action: "efactura.reconciled", actor: actor
            )
            return try await invoice(company: company, id: id, actor: actor).efactura!
        }
        // 3. Upload.
        let result: Result<String, ANAFError>
        do { result = .success(try await client.upload(xml: Data(claim.xml.utf8), cif: claim.cif, creditNote: claim.credit)) } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let index):
            try await finishSend(
                company: company, id: id, state: OutboxState.uploaded, index: index, errors: [], action: "efactura.upload", actor: actor)
        case .failure(.refused(let messages)):
            try await finishSend(
                company: company, id: id, state: OutboxState.rejected, index: nil, errors: messages, action: "efactura.refused",
                actor: actor)
        case .failure(.ambiguous(let reason)):
            try await finishSend(
                company: company, id: id, state: OutboxState.uploadUnknown, index: nil, errors: [reason], action: "efactura.upload_unknown",
                actor: actor)
        case .failure(.failed(let reason)):
            try await finishSend(
                company: company, id: id, state: OutboxState.failed, index: nil, errors: [reason], action: "efactura.upload_failed",
                actor: actor)
        }
        return try await invoice(company: company, id: id, actor: actor).efactura!
    }

    /// Looks through ANAF's messages of the last 60 days for an accepted upload of this invoice number not yet linked to another invoice.
    func findUpload(number: String, cif: String, company: CompanyID, client: ANAFClient) async throws -> String? {
        let messages: [ANAFMessage]
        do { messages = try await client.messages(days: 60, cif: cif) } catch { return nil }
        let known = try await read { db in
            Set(
                try await db.raw(
                    "SELECT upload_index FROM efactura WHERE company_id = \(bind: company.description) AND upload_index IS NOT NULL"
                )
                .all().map { try $0.decode(column: "upload_index", as: String.self) })
        }
        for message in messages where !known.contains(message.uploadIndex) && message.type == "FACTURA TRIMISA" {
            guard let zip = try? await client.download(id: message.id), let files = try? SPVArchive.files(in: zip) else { continue }
            for file in files where !SPVArchive.isSignature(file.name) {
                if let root = try? XMLTree.parse(file.data), root.value("ID") == number,
                    (root.value("AccountingSupplierParty/Party/PartyTaxScheme/CompanyID") ?? "").filter(\.isNumber) == cif
                {
                    return message.uploadIndex
                }
            }
        }
        return nil
    }

    func finishSend(
        company: CompanyID, id: InvoiceID, state: String, index: String?, errors: [String], action: String, actor: Actor
    ) async throws {
        try await transaction { db in
            try await db.raw(
                """
                UPDATE efactura SET state = \(bind: state), upload_index = COALESCE(\(bind: index), upload_index), claimed_until = NULL,
                    errors = \(bind: errors.isEmpty ? nil : try Self.json(errors)), updated_at = \(bind: self.nowText)
                WHERE company_id = \(bind: company.description) AND invoice_id = \(bind: id.description)
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: action, entity: "invoice", entityID: id.description,
                changes: [FieldChange("efactura_state", before: nil, after: state), FieldChange("upload_index", before: nil, after: index)]
                    + errors.prefix(5).map { FieldChange("anaf_message", before: nil, after: $0) }, now: self.now)
        }
    }

    /// Asks ANAF about every uploaded invoice (or one): accepted ones keep the signed ZIP, rejected ones ANAF's messages.
    @discardableResult
    public func refreshEFactura(company: CompanyID, id: InvoiceID? = nil, client: ANAFClient, actor: Actor) async throws -> [OutboxItem] {
        try actor.require(.invoicing, .write, in: company)
        var condition: SQLQueryString = "state = 'uploaded'"
        if let id { condition = condition + " AND invoice_id = \(bind: id.description)" }
        let filter = condition
        let uploaded = try await read { db in
            try await db.raw(
                "SELECT invoice_id, upload_index FROM efactura WHERE company_id = \(bind: company.description) AND " + filter + " LIMIT 500"
            )
            .all().map { (try $0.decode(column: "invoice_id", as: String.self), try $0.decode(column: "upload_index", as: String.self)) }
        }
        for (invoice, index) in uploaded {
            let state: ANAFUploadState
            do { state = try await client.state(uploadIndex: index) } catch { continue }
            switch state {
            case .processing: continue
            case .accepted(let downloadID):
                let zip = try? await client.download(id: downloadID)
                try await transaction { db in
                    try await db.raw(
                        """
                        UPDATE efactura SET state = 'accepted', download_id = \(bind: downloadID), response_zip = \(bind: zip?.base64EncodedString()),
                            updated_at = \(bind: self.nowText) WHERE company_id = \(bind: company.description) AND invoice_id = \(bind: invoice)
                        """
                    ).run()
                    try await AuditLog.append(
                        db, actor: actor, company: company, action: "efactura.accepted", entity: "invoice", entityID: invoice,
                        changes: [FieldChange("efactura_state", before: "uploaded", after: "accepted")], now: self.now)
                }
            case .rejected(let downloadID):
                var messages: [String] = []
                if let downloadID, let zip = try? await client.download(id: downloadID), let files = try? SPVArchive.files(in: zip) {
                    for file in files {
                        if let root = try? XMLTree.parse(file.data) {
                            messages += root.children.filter { $0.name == "Error" }.compactMap { $0.attributes["errorMessage"] }
                        }
                    }
                }
                if messages.isEmpty { messages = ["ANAF rejected the invoice without a message."] }
                let final = messages
                try await transaction { db in
                    try await db.raw(
                        """
                        UPDATE efactura SET state = 'rejected', download_id = \(bind: downloadID), errors = \(bind: try Self.json(final)),
                            updated_at = \(bind: self.nowText) WHERE company_id = \(bind: company.description) AND invoice_id = \(bind: invoice)
                        """
                    ).run()
                    try await AuditLog.append(
                        db, actor: actor, company: company, action: "efactura.rejected", entity: "invoice", entityID: invoice,
                        changes: [FieldChange("efactura_state", before: "uploaded", after: "rejected")]
                            + final.prefix(5).map { FieldChange("anaf_message", before: nil, after: $0) }, now: self.now)
                }
            }
        }
        return try await outbox(company: company, pendingOnly: false, actor: actor)
    }

    /// Corrects an invoice ANAF rejected: a full credit note (not sent: ANAF never accepted the original) and a new invoice
    /// with the same lines and supply date, built from the current partner and company data, ready to send.
    public func correctRejected(
        company: CompanyID, id: InvoiceID, actor: Actor
    ) async throws -> (creditNote: InvoiceRecord, reissued: InvoiceRecord) {
        try actor.require(.invoicing, .write, in: company)
        return try await transaction { db in
            let original = try await Self.requireInvoice(db, company: company, id: id)
            guard original.efactura?.state == OutboxState.rejected else {
                throw DomainError(
                    "efactura.not_rejected", kind: .conflict,
                    "You cannot correct invoice \(original.number ?? "") this way because ANAF did not reject it; issue a credit note instead."
                )
            }
            let credit = try await self.creditLocked(
                db, company: company, id: id, lines: nil, reason: "Stornare factura \(original.number ?? "") respinsă de ANAF",
                issueDate: nil, actor: actor)
            // The replacement: same lines, prices, VAT and supply date; today's issue date; parties as they are now.
            let settings = try await Self.ensureInvoicing(db, company: company)
            let seller = try await Self.loadCompany(db, company)
            guard let partner = try await Self.loadPartner(db, company: company, code: original.partner) else {
                throw DomainError(
                    "invoice.partner", "You cannot reissue invoice \(original.number ?? "") because its partner no longer exists.")
            }
            var document = original.document
            let today = LocalDate.today(now: self.clock())
            document.number = ""
            document.seller = Self.sellerParty(seller, settings: settings)
            document.buyer = Self.party(partner)
            if let due = document.dueDate { document.dueDate = max(due, today) }
            document.issueDate = today
            let newID = InvoiceID.generate(now: self.now)
            try await self.insertInvoice(
                db, company: company, id: newID, document: document, partner: partner.code, series: original.series, corrects: nil,
                actor: actor)
            let reissued = try await self.issueLocked(db, company: company, id: newID, actor: actor)
            try await db.raw(
                "UPDATE efactura SET state = 'corrected', updated_at = \(bind: self.nowText) WHERE company_id = \(bind: company.description) AND invoice_id = \(bind: id.description)"
            ).run()
            try await db.raw(
                "UPDATE efactura SET state = 'not_required', updated_at = \(bind: self.nowText) WHERE company_id = \(bind: company.description) AND invoice_id = \(bind: credit.id.description)"
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: "efactura.correct", entity: "invoice", entityID: id.description,
                changes: [
                    FieldChange("credit_note", before: nil, after: credit.number),
                    FieldChange("reissued_as", before: nil, after: reissued.number),
                ], now: self.now)
            return (
                try await Self.requireInvoice(db, company: company, id: credit.id),
                try await Self.requireInvoice(db, company: company, id: newID)
            )
        }
    }

    /// The outbox, most urgent first; `pendingOnly` keeps the invoices not yet accepted.
    /// The outbox by deadline, one page (`offset`, `limit`); callers that need every item page until a short page.
    public func outbox(company: CompanyID, pendingOnly: Bool, limit: Int = 200, offset: Int = 0, actor: Actor) async throws -> [OutboxItem]
    {
        try actor.require(.invoicing, .read, in: company)
        let today = LocalDate.today(now: clock())
        return try await read { db in
            var query: SQLQueryString = """
                SELECT e.invoice_id, i.number, i.partner_code, i.issue_date, e.state, e.deadline, e.upload_index, e.attempts, e.errors
                FROM efactura e JOIN invoices i ON i.company_id = e.company_id AND i.id = e.invoice_id
                WHERE e.company_id = \(bind: company.description)
                """
            if pendingOnly {
                query = query + " AND e.state IN ('validated', 'uploading', 'upload_unknown', 'uploaded', 'rejected', 'failed')"
            }
            query = query + " ORDER BY e.deadline, i.number, e.invoice_id LIMIT \(bind: limit) OFFSET \(bind: offset)"
            return try await db.raw(query).all().map { row in
                let deadline = try LocalDate(iso: row.decode(column: "deadline", as: String.self))
                let errors = try row.decode(column: "errors", as: String?.self).flatMap {
                    try? JSONDecoder().decode([String].self, from: Data($0.utf8))
                }
                return OutboxItem(
                    invoice: InvoiceID(string: try row.decode(column: "invoice_id", as: String.self))!,
                    number: try row.decode(column: "number", as: String.self),
                    partner: try row.decode(column: "partner_code", as: String.self),
                    issueDate: try LocalDate(iso: row.decode(column: "issue_date", as: String.self)),
                    state: try row.decode(column: "state", as: String.self), deadline: deadline, daysLeft: today.days(until: deadline),
                    uploadIndex: try row.decode(column: "upload_index", as: String?.self),
                    attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
                    errors: errors ?? [])
            }
        }
    }

    /// The signed ZIP ANAF returned for an accepted invoice.
    public func acceptedZIP(company: CompanyID, id: InvoiceID, actor: Actor) async throws -> Data {
        try actor.require(.invoicing, .read, in: company)
        let text = try await read { db in
            try await db.raw(
                "SELECT response_zip FROM efactura WHERE company_id = \(bind: company.description) AND invoice_id = \(bind: id.description)"
            ).first()?.decode(column: "response_zip", as: String?.self)
        }
        guard let text, let data = Data(base64Encoded: text) else {
            throw DomainError(
                "efactura.no_zip", kind: .notFound, "You cannot download ANAF's response for \(id) because the invoice is not accepted yet."
            )
        }
        return data
    }
}
