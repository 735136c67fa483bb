import Application
import Foundation
import Invoicing
import Kernel
import SQLKit

/// A posted customer or supplier document as the tax returns read it (D300, D394, D390, SAF-T's source documents).
public struct PostedDocument: Sendable, Equatable {
    public enum Kind: String, Sendable { case invoice, bill }
    public var kind: Kind
    public var id: String
    public var partner: String
    /// A supplier's credit note (a customer credit note says so in its document type).
    public var creditNote: Bool
    public var document: CommercialDocument

    /// `invoice:ID` or `bill:ID`, as the document's entry references it.
    public var source: String { "\(kind.rawValue):\(id)" }
}

extension Culise {
    /// The posted documents dated (issue date, the date their entries carry) within `from…to`: issued customer invoices
    /// and credit notes, then posted supplier bills and credit notes, each in date order. Drafts have no entry and are left out.
    package static func postedDocuments(
        _ db: any SQLDatabase, company: CompanyID, from: LocalDate, to: LocalDate
    ) async throws -> [PostedDocument] {
        let decoder = JSONDecoder()
        var documents: [PostedDocument] = []
        for (kind, table) in [(PostedDocument.Kind.invoice, "invoices"), (.bill, "bills")] {
            for row in try await db.raw(
                """
                SELECT id, type, partner_code, document FROM \(unsafeRaw: table)
                WHERE company_id = \(bind: company.description) AND state <> 'draft' AND entry_id IS NOT NULL
                    AND issue_date >= \(bind: from.iso) AND issue_date <= \(bind: to.iso)
                ORDER BY issue_date, id
                """
            ).all() {
                documents.append(
                    PostedDocument(
                        kind: kind, id: try row.decode(column: "id", as: String.self),
                        partner: try row.decode(column: "partner_code", as: String.self),
                        creditNote: try row.decode(column: "type", as: String.self) == "381",
                        document: try decoder.decode(
                            CommercialDocument.self, from: Data(try row.decode(column: "document", as: String.self).utf8))))
            }
        }
        return documents
    }
}

extension Culise {
    /// The months (by issue date, `from…to`) with a posted invoice or bill of a partner whose address is in one of
    /// `countries`: a cheap index of the months that may owe a D390, without reading the documents.
    package static func monthsWithPartnersIn(
        _ countries: Set<String>, _ db: any SQLDatabase, company: CompanyID, from: LocalDate, to: LocalDate
    ) async throws -> Set<YearMonth> {
        guard !countries.isEmpty else { return [] }
        var months: Set<YearMonth> = []
        for table in ["invoices", "bills"] {
            for row in try await db.raw(
                """
                SELECT DISTINCT d.issue_date FROM \(unsafeRaw: table) d
                JOIN partners p ON p.company_id = d.company_id AND p.code = d.partner_code
                WHERE d.company_id = \(bind: company.description) AND d.state <> 'draft' AND d.entry_id IS NOT NULL
                    AND d.issue_date >= \(bind: from.iso) AND d.issue_date <= \(bind: to.iso)
                    AND p.country IN (\(unsafeRaw: countries.sorted().map { "'\($0.filter(\.isLetter).prefix(2))'" }.joined(separator: ", ")))
                """
            ).all() {
                months.insert(YearMonth(try LocalDate(iso: try row.decode(column: "issue_date", as: String.self))))
            }
        }
        return months
    }
}
