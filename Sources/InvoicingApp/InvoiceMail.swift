import Application
import Crypto
import Foundation
import Identity
import Invoicing
import Jobs
import Kernel
import LedgerApp
import Mail
import Partners
import PartnersApp
import SQLKit
import Storage

extension Culise {
    /// E-mails an issued invoice (or credit note) with its PDF and UBL XML to `to`, or to the partner's billing contact
    /// (a contact whose role mentions invoices, billing or accounting), or to the partner's e-mail. Sent by the job
    /// queue with retries; the mail log shows what went to whom.
    public func emailInvoice(
        company: CompanyID, id: InvoiceID, to explicit: String? = nil, language: String = "ro", actor: Actor
    ) async throws -> MailRecord {
        try actor.require(.invoicing, .write, in: company)
        let invoice = try await self.invoice(company: company, id: id, actor: actor)
        guard invoice.state != .draft, let number = invoice.number else {
            throw DomainError(
                "mail.invoice_draft", kind: .conflict, "You cannot e-mail invoice \(id) because it is still a draft; issue it first.")
        }
        let recipient = try await read { db in
            try await self.invoiceRecipient(db, company: company, partner: invoice.partner, explicit: explicit)
        }
        let locale = NumberLocale(rawValue: language) ?? .ro
        let (pdfName, pdf) = Self.pdf(of: invoice, locale: locale, created: now)
        let (_, xml) = try await invoiceXML(company: company, id: id, actor: actor)
        let template = MessageTemplates.invoiceMail[locale.rawValue] ?? MessageTemplates.invoiceMail["ro"]!  // trap-safe: "ro" is a literal key of the table above
        let parameters = [
            "number": number, "date": invoice.issueDate.formatted(locale), "seller": invoice.document.seller.name,
            "total": MoneyFormat.amount(invoice.total.minorUnits, locale: locale), "currency": invoice.currency.code,
            "due": (invoice.dueDate ?? invoice.issueDate).formatted(locale),
        ]
        let attachments = [
            MailAttachment(fileName: pdfName, contentType: "application/pdf", data: pdf),
            MailAttachment(
                fileName: Self.exportFileName(number: number, year: invoice.issueDate.year), contentType: "application/xml",
                data: Data(xml.utf8)),
        ]
        return try await transaction { db in
            let mail = try await self.queueMail(
                db, company: company, purpose: "invoice", entity: "invoice", entityID: id.description, to: recipient,
                subject: MessageTemplates.fill(template.subject, parameters), body: MessageTemplates.fill(template.body, parameters),
                attachments: attachments, actor: actor)
            try await AuditLog.append(
                db, actor: actor, company: company, action: "invoice.email", entity: "invoice", entityID: id.description,
                changes: [FieldChange("to", before: nil, after: recipient), FieldChange("mail", before: nil, after: mail.description)],
                now: self.now)
            return try await Self.loadMail(db, company: company, where: "id = \(bind: mail.description)")[0]
        }
    }

    func invoiceRecipient(_ db: any SQLDatabase, company: CompanyID, partner code: String, explicit: String?) async throws -> String {
        if let explicit = explicit?.trimmingCharacters(in: .whitespaces), !explicit.isEmpty {
            // The one e-mail rule of the project (Identity.Email), reported on the `to` field of this form.
            guard let address = try? Email.normalise(explicit, field: "to"), !address.contains(where: { "<>,;\"".contains($0) }) else {
                throw DomainError(
                    "mail.address", field: "to", "You cannot send to '\(explicit.prefix(80))' because it is not an e-mail address.")
            }
            return address
        }
        let contacts = try await db.raw(
            "SELECT role, email FROM partner_contacts WHERE company_id = \(bind: company.description) AND partner_code = \(bind: code) ORDER BY id"
        ).all().compactMap { row -> (role: String, email: String)? in
            guard let email = try row.decode(column: "email", as: String?.self), !email.isEmpty else { return nil }
            return ((try row.decode(column: "role", as: String?.self) ?? "").lowercased(), email)
        }
        if let billing = contacts.first(where: { contact in
            ["factur", "billing", "invoice", "contab", "account"].contains { contact.role.contains($0) }
        }) {
            return billing.email
        }
        if let partner = try await Self.loadPartner(db, company: company, code: code), let email = partner.email, !email.isEmpty {
            return email
        }
        if let first = contacts.first { return first.email }
        throw DomainError(
            "mail.no_recipient", field: "to",
            "You cannot e-mail this invoice because partner \(code) has no e-mail address; add a billing contact or type the address.")
    }
}
