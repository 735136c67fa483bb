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

}
