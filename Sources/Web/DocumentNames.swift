import Application
import Assembly
import Identity
import Invoicing
import InvoicingApp
import Kernel

/// Names documents for people: a kind and a number with a link, never an internal id (issue 13, item 2).
enum DocumentNames {
    /// A document as a person names it: "factură EXD-1" with a link, from the kind and id an entry carries. A document
    /// the reader may not open (or that is gone) keeps its kind alone.
    static func label(
        _ culise: Culise, type: String, id: String, _ p: Principal, _ t: [String: String]
    ) async -> (label: String, href: String?) {
        let kind = t["owner_\(type)"] ?? type
        switch type {
        case "invoice":
            guard let invoiceID = InvoiceID(string: id),
                let invoice = try? await culise.invoice(company: p.companyID, id: invoiceID, actor: .user(p))
            else { return (kind, nil) }
            return ("\(kind) \(invoice.number ?? "")".trimmingCharacters(in: .whitespaces), "/invoices/\(id)")
        case "bill":
            guard let billID = BillID(string: id), let bill = try? await culise.bill(company: p.companyID, id: billID, actor: .user(p))
            else { return (kind, nil) }
            return ("\(kind) \(bill.number)", "/bills/\(id)")
        case "cash": return ("\(kind) \(id)", "/cash")
        case "payment": return (kind, "/payments")
        case "bank_line", "bank_fee": return (kind, "/bank/lines")
        case "fx_revaluation": return ("\(kind) \(id)", "/fx")
        case "merge": return (kind, "/partners")
        default: return (kind, nil)
        }
    }

    /// Many invoices and bills named at once (two queries), keyed by id; other kinds go through `label`. A reader who
    /// may not open invoicing gets the kinds alone, as `label` gives them.
    static func labels(
        _ culise: Culise, _ documents: [(type: String, id: String)], _ p: Principal, _ t: [String: String]
    ) async -> [String: (label: String, href: String?)] {
        let invoices = Array(Set(documents.filter { $0.type == "invoice" }.map(\.id))).sorted()
        let bills = Array(Set(documents.filter { $0.type == "bill" }.map(\.id))).sorted()
        var invoiceNumbers: [String: String] = [:]
        var billNumbers: [String: String] = [:]
        // Chunks of at most `Limits.maxPageSize` ids per kind (a page of bank lines may name more documents than that).
        let size = Limits.maxPageSize
        for start in stride(from: 0, to: max(invoices.count, bills.count), by: size) {
            let invoiceChunk = start < invoices.count ? Array(invoices[start..<min(start + size, invoices.count)]) : []
            let billChunk = start < bills.count ? Array(bills[start..<min(start + size, bills.count)]) : []
            guard
                let numbers = try? await culise.documentNumbers(
                    company: p.companyID, invoices: invoiceChunk, bills: billChunk, actor: .user(p))
            else { break }
            invoiceNumbers.merge(numbers.invoices) { first, _ in first }
            billNumbers.merge(numbers.bills) { first, _ in first }
        }
        var result: [String: (label: String, href: String?)] = [:]
        for (type, id) in documents where type == "invoice" || type == "bill" {
            let kind = t["owner_\(type)"] ?? type
            let number = type == "invoice" ? invoiceNumbers[id] : billNumbers[id]
            let href = type == "invoice" ? "/invoices/\(id)" : "/bills/\(id)"
            result[id] = number.map { ("\(kind) \($0)".trimmingCharacters(in: .whitespaces), href) } ?? (kind, nil)
        }
        return result
    }
}
