import Application
import Companies
import Foundation
import Invoicing
import Kernel
import LedgerApp
import PDF
import PartnersApp

/// The A4 PDF of an invoice or credit note: the legal content of the printable page (art. 319 Cod fiscal: number,
/// dates, both parties with their identifiers and addresses, lines with unit, quantity, price and value, VAT by rate,
/// totals, the corrected invoice for a credit note), drawn with `PDFWriter`. Amounts use the locale's number format.
public enum InvoicePDF {
    struct Labels {
        let invoice, creditNote, draft, issueDate, supplyDate, dueDate, corrects, rate, seller, buyer, vatID, legalID, tradeRegister,
            iban, number, description, unit, quantity, price, value, vat, vatRate, taxable, vatAmount, totalNet, totalVAT, totalVATRON,
            total, footer: String
    }

    static let romanian = Labels(
        invoice: "FACTURĂ", creditNote: "FACTURĂ DE STORNARE", draft: "CIORNĂ", issueDate: "Data emiterii", supplyDate: "Data livrării",
        dueDate: "Data scadenței", corrects: "Stornează factura", rate: "Curs", seller: "Furnizor", buyer: "Cumpărător", vatID: "Cod TVA",
        legalID: "Cod fiscal / CNP", tradeRegister: "Nr. Reg. Com.", iban: "IBAN", number: "Nr.", description: "Denumire", unit: "U.M.",
        quantity: "Cant.", price: "Preț unitar", value: "Valoare", vat: "TVA", vatRate: "Cota TVA", taxable: "Bază de impozitare",
        vatAmount: "Valoare TVA", totalNet: "Total fără TVA", totalVAT: "Total TVA", totalVATRON: "Total TVA în lei",
        total: "Total de plată",
        footer: "Factură emisă conform art. 319 Cod fiscal și transmisă în sistemul RO e-Factura. Circulă fără semnătură și ștampilă.")

    static let english = Labels(
        invoice: "INVOICE", creditNote: "CREDIT NOTE", draft: "DRAFT", issueDate: "Issue date", supplyDate: "Supply date",
        dueDate: "Due date", corrects: "Corrects invoice", rate: "Exchange rate", seller: "Seller", buyer: "Buyer", vatID: "VAT id",
        legalID: "Tax or personal id", tradeRegister: "Trade register", iban: "IBAN", number: "No.", description: "Description",
        unit: "Unit", quantity: "Qty", price: "Unit price", value: "Amount", vat: "VAT", vatRate: "VAT rate", taxable: "Taxable amount",
        vatAmount: "VAT amount", totalNet: "Total without VAT", totalVAT: "Total VAT", totalVATRON: "Total VAT in RON", total: "Total due",
        footer:
            "Invoice issued under art. 319 of the Romanian Fiscal Code and sent through RO e-Factura. Valid without signature or stamp.")

    static let margin = 40.0
    static let right = PDFWriter.pageWidth - margin
    /// Column right edges of the lines table (the description column wraps).
    static let columns = (number: 58.0, description: 275.0, unit: 320.0, quantity: 375.0, price: 445.0, value: 510.0, vat: right)

    /// The PDF of `document` (a draft prints with the word DRAFT instead of a number).
    public static func render(_ document: CommercialDocument, locale: NumberLocale = .ro, created: Date) -> Data {
        let labels = locale == .ro ? romanian : english
        var pdf = PDFWriter()
        var y = header(&pdf, document, labels, locale)
        y = parties(&pdf, document, labels, locale, top: y)
        y = lines(&pdf, document, labels, locale, top: y)
        y = totals(&pdf, document, labels, locale, top: y)
        footer(&pdf, document, labels, top: y)
        let title = document.type.isCreditNote ? labels.creditNote : labels.invoice
        return pdf.data(title: "\(title) \(document.number)", created: created)
    }

    static func amount(_ minor: Int64, _ locale: NumberLocale) -> String { MoneyFormat.amount(minor, locale: locale) }

    static func decimal(_ value: Decimal, _ locale: NumberLocale) -> String { MoneyFormat.decimal(value, locale: locale) }

    /// A unit price with at least two decimals and grouped thousands (`3.500,00`, `12,3456`).
    static func price(_ value: Decimal, _ locale: NumberLocale) -> String {
        MoneyFormat.decimal(value, minimumFractionDigits: 2, locale: locale)
    }

    static func vatLabel(_ key: VATKey, _ locale: NumberLocale) -> String {
        key.category == .standard ? "\(decimal(key.percent, locale)) %" : key.category.rawValue
    }

    static func header(_ pdf: inout PDFWriter, _ document: CommercialDocument, _ labels: Labels, _ locale: NumberLocale) -> Double {
        let title = document.type.isCreditNote ? labels.creditNote : labels.invoice
        let number = document.number.isEmpty ? labels.draft : document.number
        pdf.text("\(title) \(labels.number) \(number)", x: margin, y: 50, size: 16, font: .bold)
        var facts = ["\(labels.issueDate): \(document.issueDate.formatted(locale))"]
        if document.supplyDate != document.issueDate { facts.append("\(labels.supplyDate): \(document.supplyDate.formatted(locale))") }
        if let due = document.dueDate { facts.append("\(labels.dueDate): \(due.formatted(locale))") }
        pdf.text(facts.joined(separator: "   "), x: margin, y: 68, size: 9)
        var y = 68.0
        for preceding in document.preceding {
            y += 13
            pdf.text("\(labels.corrects) \(preceding.number) / \(preceding.issueDate.formatted(locale))", x: margin, y: y, size: 9)
        }
        if let rate = document.exchangeRate {
            y += 13
            pdf.text("\(labels.rate): 1 \(document.currency) = \(decimal(rate, locale)) RON", x: margin, y: y, size: 9)
        }
        return y + 22
    }

    static func parties(
        _ pdf: inout PDFWriter, _ document: CommercialDocument, _ labels: Labels, _ locale: NumberLocale, top: Double
    ) -> Double {
        let half = (PDFWriter.pageWidth - 2 * margin) / 2
        var bottom = top
        for (index, (role, party)) in [(labels.seller, document.seller), (labels.buyer, document.buyer)].enumerated() {
            let x = margin + Double(index) * half
            var y = top
            pdf.text(role.uppercased(), x: x, y: y, size: 8, font: .bold)
            y += 14
            for line in PDFWriter.wrap(party.name, width: half - 15, size: 10, font: .bold) {
                pdf.text(line, x: x, y: y, size: 10, font: .bold)
                y += 13
            }
            var facts: [String] = []
            if let vat = party.vatID { facts.append("\(labels.vatID): \(vat)") }
            if let legal = party.legalID { facts.append("\(labels.legalID): \(legal)") }
            if let register = party.tradeRegister { facts.append("\(labels.tradeRegister): \(register)") }
            facts.append(
                [
                    party.street, County.paperCityAndCounty(city: party.city, county: party.county, english: locale == .en),
                    party.postalCode, County.paperCountry(party.country, english: locale == .en),
                ].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", "))
            if let iban = party.iban { facts.append("\(labels.iban): \(iban)") }
            if let email = party.email { facts.append(email) }
            for fact in facts {
                for line in PDFWriter.wrap(fact, width: half - 15, size: 9) {
                    pdf.text(line, x: x, y: y, size: 9)
                    y += 12
                }
            }
            bottom = max(bottom, y)
        }
        return bottom + 14
    }

    static func tableHeader(_ pdf: inout PDFWriter, _ labels: Labels, top: Double) -> Double {
        pdf.box(x: margin, y: top - 11, width: right - margin, height: 16, gray: 0.9)
        pdf.text(labels.number, x: margin + 2, y: top, size: 8, font: .bold)
        pdf.text(labels.description, x: columns.number + 4, y: top, size: 8, font: .bold)
        pdf.text(labels.unit, x: columns.description + 6, y: top, size: 8, font: .bold)
        pdf.textRight(labels.quantity, right: columns.quantity, y: top, size: 8, font: .bold)
        pdf.textRight(labels.price, right: columns.price, y: top, size: 8, font: .bold)
        pdf.textRight(labels.value, right: columns.value, y: top, size: 8, font: .bold)
        pdf.textRight(labels.vat, right: columns.vat, y: top, size: 8, font: .bold)
        return top + 16
    }

    /// The bottom of the writable area; a row that does not fit moves to a new page with the table header again.
    static let bottomLimit = PDFWriter.pageHeight - 70

    static func lines(
        _ pdf: inout PDFWriter, _ document: CommercialDocument, _ labels: Labels, _ locale: NumberLocale, top: Double
    ) -> Double {
        var y = tableHeader(&pdf, labels, top: top)
        var rows: [(number: String, text: [String], unit: String, quantity: String, price: String, value: String, vat: String)] = []
        let width = columns.description - columns.number - 8
        for line in document.lines {
            var text = PDFWriter.wrap(line.name, width: width, size: 9)
            if let reason = line.exemptionReason { text += PDFWriter.wrap(reason, width: width, size: 7) }
            rows.append(
                (
                    String(line.number), text, UnitCode.paperName(line.unit, english: locale == .en), decimal(line.quantity, locale),
                    price(line.unitPrice, locale),
                    amount(line.net, locale), vatLabel(line.vat, locale)
                ))
        }
        for allowance in document.allowancesCharges {
            rows.append(
                (
                    "", PDFWriter.wrap(allowance.reason, width: width, size: 9), "", "", "",
                    amount(allowance.isCharge ? allowance.amount : -allowance.amount, locale), vatLabel(allowance.vat, locale)
                ))
        }
        for row in rows {
            let height = Double(max(1, row.text.count)) * 11 + 4
            if y + height > bottomLimit {
                pdf.newPage()
                y = tableHeader(&pdf, labels, top: 50)
            }
            pdf.text(row.number, x: margin + 2, y: y, size: 9)
            for (index, text) in row.text.enumerated() { pdf.text(text, x: columns.number + 4, y: y + Double(index) * 11, size: 9) }
            pdf.text(row.unit, x: columns.description + 6, y: y, size: 9)
            pdf.textRight(row.quantity, right: columns.quantity, y: y, size: 9)
            pdf.textRight(row.price, right: columns.price, y: y, size: 9)
            pdf.textRight(row.value, right: columns.value, y: y, size: 9)
            pdf.textRight(row.vat, right: columns.vat, y: y, size: 9)
            y += height
            pdf.line(from: (margin, y - 8), to: (right, y - 8), width: 0.2)
        }
        return y + 10
    }

    static func totals(
        _ pdf: inout PDFWriter, _ document: CommercialDocument, _ labels: Labels, _ locale: NumberLocale, top: Double
    ) -> Double {
        let needed = Double(document.totals.breakdown.count) * 12 + 90
        var y = top
        if y + needed > bottomLimit {
            pdf.newPage()
            y = 50
        }
        // VAT by rate, left; totals, right.
        pdf.text(labels.vatRate, x: margin, y: y, size: 8, font: .bold)
        pdf.textRight(labels.taxable, right: margin + 170, y: y, size: 8, font: .bold)
        pdf.textRight(labels.vatAmount, right: margin + 250, y: y, size: 8, font: .bold)
        var left = y + 13
        for subtotal in document.totals.breakdown {
            pdf.text(vatLabel(subtotal.key, locale), x: margin, y: left, size: 9)
            pdf.textRight(amount(subtotal.taxable, locale), right: margin + 170, y: left, size: 9)
            pdf.textRight(amount(subtotal.amount, locale), right: margin + 250, y: left, size: 9)
            left += 12
        }
        let currency = document.currency
        var rows: [(String, String, Bool)] = [
            (labels.totalNet, "\(amount(document.totals.taxExclusive, locale)) \(currency)", false),
            (labels.totalVAT, "\(amount(document.totals.vatTotal, locale)) \(currency)", false),
        ]
        if let vatRON = document.totals.vatTotalRON { rows.append((labels.totalVATRON, "\(amount(vatRON, locale)) RON", false)) }
        rows.append((labels.total, "\(amount(document.totals.payable, locale)) \(currency)", true))
        var right = y
        for (label, value, bold) in rows {
            if bold { pdf.box(x: 330, y: right - 11, width: Self.right - 330, height: 16, gray: 0.9) }
            pdf.text(label, x: 335, y: right, size: bold ? 10 : 9, font: bold ? .bold : .regular)
            pdf.textRight(value, right: Self.right - 3, y: right, size: bold ? 10 : 9, font: bold ? .bold : .regular)
            right += bold ? 18 : 13
        }
        return max(left, right) + 16
    }

    static func footer(_ pdf: inout PDFWriter, _ document: CommercialDocument, _ labels: Labels, top: Double) {
        var y = top
        if let note = document.note {
            for line in PDFWriter.wrap(note, width: right - margin, size: 9) {
                if y > bottomLimit {
                    pdf.newPage()
                    y = 50
                }
                pdf.text(line, x: margin, y: y, size: 9)
                y += 12
            }
        }
        let footerY = PDFWriter.pageHeight - 40
        for (index, line) in PDFWriter.wrap(labels.footer, width: right - margin, size: 7).enumerated() {
            pdf.text(line, x: margin, y: footerY + Double(index) * 9, size: 7)
        }
    }
}

extension Culise {
    /// The PDF of an invoice or credit note, and its file name (`EXD-1042_2026.pdf`).
    public func invoicePDF(
        company: CompanyID, id: InvoiceID, locale: NumberLocale = .ro, actor: Actor
    ) async throws -> (fileName: String, data: Data) {
        Self.pdf(of: try await self.invoice(company: company, id: id, actor: actor), locale: locale, created: now)
    }

    static func pdf(of invoice: InvoiceRecord, locale: NumberLocale, created: Date) -> (fileName: String, data: Data) {
        let data = InvoicePDF.render(invoice.document, locale: locale, created: created)
        let name =
            invoice.number.map { exportFileName(number: $0, year: invoice.issueDate.year, extension: "pdf") } ?? "draft-\(invoice.id).pdf"
        return (name, data)
    }
}
