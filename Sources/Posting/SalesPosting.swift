import Foundation
import Invoicing
import Kernel
import Ledger
import Tax

/// Shared arithmetic of the posting rules.
public enum PostingMath {
    /// A document-currency amount in RON at `rate` (nil: already RON), by the ledger's rounding rule.
    public static func ron(_ amount: Int64, _ rate: Decimal?) -> Int64 {
        guard let rate else { return amount }
        return Rounding.functionalAmount(foreignMinor: amount, rate: rate)
    }

    /// One line per account of a document's amounts (document currency → RON), on its natural side (revenue: credit;
    /// expense: debit) or the opposite one for a negative amount, times `sign` (−1 for a credit note's red storno).
    public static func accountLines(
        _ byAccount: [String: Int64], rate: Decimal?, sign: Int64, positiveIsDebit: Bool, description: String, source: SourceReference
    ) -> (lines: [EntryLine], totalRON: Int64) {
        var lines: [EntryLine] = []
        var total: Int64 = 0
        for (account, amount) in byAccount.sorted(by: { $0.key < $1.key }) where amount != 0 {
            let value = ron(amount, rate)
            total += value
            let onDebit = (amount > 0) == positiveIsDebit
            let signed = sign * abs(value)
            lines.append(
                EntryLine(
                    account: account, debit: onDebit ? signed : 0, credit: onDebit ? 0 : signed, description: description, source: source))
        }
        return (lines, total)
    }
}

/// The entry a customer invoice or credit note posts: `4111 = 70x + 4427`; a credit note is the same in red (negative
/// amounts on the same sides, as Romanian practice stornos). Allowances go to 709, charges to 708. In a foreign
/// currency, every line is in RON at the invoice's rate and the receivable also carries the currency amount.
public enum SalesPosting {
    public static func entry(_ document: CommercialDocument, id: InvoiceID, corrects: InvoiceID?, partner: String) -> EntryDraft {
        let sign: Int64 = document.type.isCreditNote ? -1 : 1
        let rate = document.exchangeRate
        let source = SourceReference(type: "invoice", id: id.description)
        var byAccount: [String: Int64] = [:]
        for line in document.lines { byAccount[line.account, default: 0] += line.net }
        for item in document.allowancesCharges {
            if item.isCharge {
                byAccount[InvoicingAccounts.salesCharges, default: 0] += item.amount
            } else {
                byAccount[InvoicingAccounts.salesAllowances, default: 0] -= item.amount
            }
        }
        var (lines, totalRON) = PostingMath.accountLines(
            byAccount, rate: rate, sign: sign, positiveIsDebit: false, description: document.number, source: source)
        let vatRON = rate == nil ? document.totals.vatTotal : (document.totals.vatTotalRON ?? 0)
        if vatRON != 0 {
            lines.append(
                EntryLine(account: InvoicingAccounts.vatCollected, credit: sign * vatRON, description: document.number, source: source))
            totalRON += vatRON
        }
        // The receivable line references the invoice whose balance it changes: a credit note reduces the invoice it corrects.
        let receivableSource = SourceReference(type: "invoice", id: (corrects ?? id).description)
        lines.insert(
            EntryLine(
                account: InvoicingAccounts.receivable, debit: sign * totalRON, partner: partner, description: document.number,
                currency: rate == nil ? nil : document.currency.code, amountCurrency: rate == nil ? nil : sign * document.totals.payable,
                rate: rate, source: receivableSource), at: 0)
        let kind = document.type.isCreditNote ? "Storno factura" : "Factura"
        return EntryDraft(
            journal: "VZ", date: document.issueDate,
            description: "\(kind) \(document.number) \(document.buyer.name)".prefix(200).description,
            externalRef: "invoice:\(id.description)", lines: lines)
    }
}

/// The entry a supplier bill posts: `371/6xx/2xx + 4426 = 401` (a supplier credit note in red). Non-deductible VAT
/// goes into the line's account; reverse charge (`AE`) and an intra-Community acquisition of goods (`K` on the
/// supplier's invoice) self-assess the VAT at the standard rate of the supply date, deductible and collected at once
/// (`4426 = 4427`), without changing what is owed to the supplier.
public enum PurchasePosting {
    /// The VAT the buyer self-assesses, per category (`AE`, then `K`): the base and the VAT in RON minor units (unsigned
    /// by a credit note), at the standard rate of the supply date. The D300 reads the same figures (rows 5, 7, 12).
    public static func selfAssessed(_ document: CommercialDocument) -> [(category: VATCategory, base: Int64, vat: Int64, percent: Decimal)]
    {
        let percent = (try? VATRateTable.romania.rate(.standard, supplyDate: document.supplyDate)) ?? 21
        return [VATCategory.reverseCharge, .intraCommunity].compactMap { category in
            let base = document.lines.filter { $0.vat.category == category }.reduce(Int64(0)) { $0 + $1.net }
            guard base != 0 else { return nil }
            let rate = document.exchangeRate
            return (
                category, PostingMath.ron(base, rate), PostingMath.ron(InvoiceMath.categoryVAT(taxable: base, percent: percent), rate),
                percent
            )
        }
    }

    public static func entry(_ document: CommercialDocument, id: BillID, isCreditNote: Bool, partner: String) -> EntryDraft {
        let sign: Int64 = isCreditNote ? -1 : 1
        let rate = document.exchangeRate
        let source = SourceReference(type: "bill", id: id.description)
        var byAccount: [String: Int64] = [:]
        var nonDeductibleVAT: Int64 = 0
        for line in document.lines {
            byAccount[line.account, default: 0] += line.net
            if line.nonDeductible {
                let vat = InvoiceMath.categoryVAT(taxable: line.net, percent: line.vat.percent)
                byAccount[line.account, default: 0] += vat
                nonDeductibleVAT += vat
            }
        }
        let firstAccount = document.lines.first?.account ?? InvoicingAccounts.purchaseChargesFallback
        for item in document.allowancesCharges {
            if item.isCharge {
                byAccount[firstAccount, default: 0] += item.amount
            } else {
                byAccount[InvoicingAccounts.purchaseAllowances, default: 0] -= item.amount
            }
        }
        var (lines, totalRON) = PostingMath.accountLines(
            byAccount, rate: rate, sign: sign, positiveIsDebit: true, description: document.number, source: source)
        let deductible = PostingMath.ron(document.totals.vatTotal - nonDeductibleVAT, rate)
        if deductible != 0 {
            lines.append(
                EntryLine(account: InvoicingAccounts.vatDeductible, debit: sign * deductible, description: document.number, source: source))
            totalRON += deductible
        }
        for assessed in selfAssessed(document) where assessed.vat != 0 {
            let text =
                assessed.category == .reverseCharge ? "Taxare inversă \(document.number)" : "Achiziție intracomunitară \(document.number)"
            lines.append(EntryLine(account: InvoicingAccounts.vatDeductible, debit: sign * assessed.vat, description: text, source: source))
            lines.append(EntryLine(account: InvoicingAccounts.vatCollected, credit: sign * assessed.vat, description: text, source: source))
        }
        lines.append(
            EntryLine(
                account: InvoicingAccounts.payable, credit: sign * totalRON, partner: partner, description: document.number,
                currency: rate == nil ? nil : document.currency.code,
                amountCurrency: rate == nil ? nil : -sign * document.totals.taxInclusive,
                rate: rate, source: source))
        return EntryDraft(
            journal: "CP", date: document.issueDate,
            description: "\(isCreditNote ? "Storno factura furnizor" : "Factura furnizor") \(document.number) \(document.seller.name)"
                .prefix(200)
                .description, externalRef: "bill:\(id.description)", lines: lines)
    }
}
