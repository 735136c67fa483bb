import Foundation
import Invoicing
import Kernel
import Ledger
import Posting
import Tax
import Testing

/// The posting rules as tables: each document, the exact entry lines (account, partner, debit, credit) it produces.
@Suite struct PostingRuleTests {
    static let standard = VATKey(category: .standard, percent: 21)
    static let reduced = VATKey(category: .standard, percent: 11)
    static let seller = Party(
        name: "Alfa Consult SRL", vatID: "RO18547290", legalID: nil, street: "Str. Memorandumului 28", city: "Cluj-Napoca", county: "RO-CJ")
    static let buyer = Party(
        name: "Beta Distribuție SRL", vatID: "RO23456786", legalID: nil, street: "Str. Fabricii 12", city: "Cluj-Napoca", county: "RO-CJ")

    static func line(_ number: Int, net: Int64, vat: VATKey = standard, account: String, nonDeductible: Bool = false) -> DocumentLine {
        DocumentLine(
            number: number, productCode: nil, name: "Linia \(number)", quantity: 1, unit: "H87", unitPrice: Decimal(net) / 100, net: net,
            vat: vat, exemptionReason: vat.category == .reverseCharge ? "Taxare inversă" : nil, account: account,
            nonDeductible: nonDeductible)
    }

    static func document(
        _ type: DocumentType = .invoice, lines: [DocumentLine], allowances: [AllowanceCharge] = [], rate: Decimal? = nil,
        currency: Currency = .ron
    ) throws -> CommercialDocument {
        let date = try LocalDate(iso: "2026-11-20")
        return CommercialDocument(
            type: type, number: "EXD-7", issueDate: date, supplyDate: date, dueDate: date, currency: currency, exchangeRate: rate,
            seller: seller, buyer: buyer, lines: lines, allowancesCharges: allowances,
            totals: InvoiceMath.totals(lines: lines, allowancesCharges: allowances, exchangeRate: rate))
    }

    /// `4111 BETA D 1815.00` — one line per entry line, as an accountant reads it.
    static func text(_ entry: EntryDraft) -> [String] {
        entry.lines.map { line in
            let side = line.debit != 0 ? "D" : "C"
            let amount = Money(minorUnits: line.debit != 0 ? line.debit : line.credit, currency: .ron).decimalString
            return [line.account, line.partner, side, amount].compactMap { $0 }.joined(separator: " ")
        }
    }

    static let invoiceID = InvoiceID.generate()
    static let billID = BillID.generate()

    @Test func salesInvoiceWithTwoRates() throws {
        let document = try Self.document(lines: [
            Self.line(1, net: 700_000, account: "704"), Self.line(2, net: 24_000, vat: Self.reduced, account: "707"),
        ])
        let entry = SalesPosting.entry(document, id: Self.invoiceID, corrects: nil, partner: "BETA")
        #expect(Self.text(entry) == ["4111 BETA D 8736.40", "704 C 7000.00", "707 C 240.00", "4427 C 1496.40"])
        #expect(entry.journal == "VZ" && entry.externalRef == "invoice:\(Self.invoiceID)")
        #expect(entry.lines.reduce(0) { $0 + $1.debit } == entry.lines.reduce(0) { $0 + $1.credit })
    }

    @Test func salesCreditNoteIsTheSameInRedAndReducesTheInvoice() throws {
        let document = try Self.document(.creditNote, lines: [Self.line(1, net: 100_000, account: "704")])
        let entry = SalesPosting.entry(document, id: InvoiceID.generate(), corrects: Self.invoiceID, partner: "BETA")
        #expect(Self.text(entry) == ["4111 BETA D -1210.00", "704 C -1000.00", "4427 C -210.00"])
        #expect(entry.lines[0].source == SourceReference(type: "invoice", id: Self.invoiceID.description))
    }

    @Test func salesAllowancesAndCharges() throws {
        let allowances = [
            AllowanceCharge(isCharge: false, amount: 20_000, reason: "Discount", vat: Self.standard),
            AllowanceCharge(isCharge: true, amount: 5_000, reason: "Transport", vat: Self.standard),
        ]
        let document = try Self.document(lines: [Self.line(1, net: 100_000, account: "704")], allowances: allowances)
        let entry = SalesPosting.entry(document, id: Self.invoiceID, corrects: nil, partner: "BETA")
        // 1000 − 200 + 50 = 850 net, 178.50 VAT.
        #expect(Self.text(entry) == ["4111 BETA D 1028.50", "704 C 1000.00", "708 C 50.00", "709 D 200.00", "4427 C 178.50"])
    }

    @Test func salesInEuroPostsRONAndKeepsTheCurrencyOnTheReceivable() throws {
        let document = try Self.document(
            lines: [Self.line(1, net: 35_500, account: "704")], rate: Decimal(string: "5.0912"), currency: .eur)
        let entry = SalesPosting.entry(document, id: Self.invoiceID, corrects: nil, partner: "BETA")
        // 355.00 EUR × 5.0912 = 1807.38 RON; VAT 74.55 EUR, in RON on the document's totals.
        #expect(entry.lines[0].currency == "EUR" && entry.lines[0].amountCurrency == document.totals.payable)
        #expect(
            Self.text(entry).prefix(2) == [
                "4111 BETA D \(Money(minorUnits: entry.lines[0].debit, currency: .ron).decimalString)", "704 C 1807.38",
            ])
        #expect(entry.lines.reduce(0) { $0 + $1.debit } == entry.lines.reduce(0) { $0 + $1.credit })
    }

    @Test func supplierBill() throws {
        let document = try Self.document(lines: [Self.line(1, net: 50_000, account: "604"), Self.line(2, net: 30_000, account: "371")])
        let entry = PurchasePosting.entry(document, id: Self.billID, isCreditNote: false, partner: "DELTA")
        #expect(Self.text(entry) == ["371 D 300.00", "604 D 500.00", "4426 D 168.00", "401 DELTA C 968.00"])
        #expect(entry.journal == "CP")
    }

    @Test func supplierBillWithNonDeductibleVATAndAllowance() throws {
        let document = try Self.document(
            lines: [Self.line(1, net: 10_000, account: "6231", nonDeductible: true)],
            allowances: [AllowanceCharge(isCharge: false, amount: 1_000, reason: "Reducere", vat: Self.standard)])
        let entry = PurchasePosting.entry(document, id: Self.billID, isCreditNote: false, partner: "DELTA")
        // 100 + 21 non-deductible VAT into 6231; the 10 allowance to 609; deductible VAT: total VAT (18.90) − 21.00 < 0.
        #expect(Self.text(entry).first == "609 C 10.00")
        #expect(Self.text(entry).contains("6231 D 121.00"))
        #expect(entry.lines.reduce(0) { $0 + $1.debit } == entry.lines.reduce(0) { $0 + $1.credit })
    }

    @Test func supplierCreditNoteInRed() throws {
        let document = try Self.document(.creditNote, lines: [Self.line(1, net: 10_000, account: "604")])
        let entry = PurchasePosting.entry(document, id: Self.billID, isCreditNote: true, partner: "DELTA")
        #expect(Self.text(entry) == ["604 D -100.00", "4426 D -21.00", "401 DELTA C -121.00"])
    }

    @Test func reverseChargeSelfAssessesTheVAT() throws {
        let document = try Self.document(lines: [
            Self.line(1, net: 150_000, vat: VATKey(category: .reverseCharge, percent: 0), account: "371")
        ])
        let entry = PurchasePosting.entry(document, id: Self.billID, isCreditNote: false, partner: "DELTA")
        // 1500 at 21 % (the standard rate on 2026-11-20): 315.00 deductible and collected; 1500 owed to the supplier.
        #expect(Self.text(entry) == ["371 D 1500.00", "4426 D 315.00", "4427 C 315.00", "401 DELTA C 1500.00"])
    }
}
