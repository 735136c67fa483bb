import Application
import Companies
import Foundation
import Kernel
import Ledger
import LedgerApp
import PDF
import SQLKit
import Storage

/// A fiscal year's annual financial statements (issue 16 item 6): F10 with the balances at the year's start and end,
/// F20 with the prior year beside the year, from the ledger; `unmapped` names the accounts with a balance no row takes.
public struct FinancialStatements: Sendable, Equatable {
    public var companyName: String
    public var cui: String
    public var from: LocalDate
    public var to: LocalDate
    /// The year's closing was posted and the year marked closed (otherwise the statements are provisional).
    public var closed: Bool
    public var f10: [AnnualStatements.Row]
    public var f20: [AnnualStatements.Row]
    public var unmapped: [String]

    public func row(_ form: String, _ code: String) -> AnnualStatements.Row? {
        (form == "F10" ? f10 : f20).first { $0.code == code }
    }
}

extension Culise {
    /// F10 and F20 of the fiscal year that starts in `year` (by the company's fiscal-year start month).
    public func financialStatements(company: CompanyID, year: Int, actor: Actor) async throws -> FinancialStatements {
        try actor.require(.accounting, .read, in: company)
        guard (1900...2199).contains(year) else {
            throw ValidationErrors([
                DomainError(
                    "report.year", field: "year", "You cannot report on the year \(year) because a year is between 1900 and 2199.")
            ])
        }
        return try await read { db in
            let firm = try await Self.loadCompany(db, company)
            let from = try LocalDate(year: year, month: firm.fiscalYearStartMonth, day: 1)
            let to = try LocalDate(year: year + 1, month: firm.fiscalYearStartMonth, day: 1).adding(days: -1)
            // The first year Culise keeps dates for has no prior year: its column stays empty.
            let priorFrom = try? LocalDate(year: year - 1, month: firm.fiscalYearStartMonth, day: 1)
            let start = try await Self.turnover(db, company: company, from: nil, to: from.adding(days: -1)).mapValues(\.net)
            let end = try await Self.turnover(db, company: company, from: nil, to: to).mapValues(\.net)
            let current = try await Self.resultTurnover(db, company: company, from: from, to: to)
            var prior: [String: Int64] = [:]
            if let priorFrom { prior = try await Self.resultTurnover(db, company: company, from: priorFrom, to: from.adding(days: -1)) }
            let closed =
                try await db.raw(
                    """
                    SELECT closed FROM fiscal_years WHERE company_id = \(bind: company.description) AND start_date = \(bind: from.iso)
                    """
                ).first()?.decode(column: "closed", as: Bool.self) ?? false
            let layouts = AnnualStatements.layouts
            let unmapped = Set(
                AnnualStatements.unmapped(end, layout: layouts.f10) + AnnualStatements.unmapped(start, layout: layouts.f10)
                    + AnnualStatements.unmapped(current.filter { $0.key.hasPrefix("6") || $0.key.hasPrefix("7") }, layout: layouts.f20))
            return FinancialStatements(
                companyName: firm.legalName, cui: firm.cui.digits, from: from, to: to, closed: closed,
                f10: AnnualStatements.f10(start: start, end: end), f20: AnnualStatements.f20(prior: prior, current: current),
                unmapped: unmapped.sorted())
        }
    }
}

extension FinancialStatements {
    /// The statements as a file: `csv` or `pdf`, with its content type and name.
    public func export(format: String, english: Bool, created: Date) throws(DomainError) -> (data: Data, contentType: String, name: String)
    {
        let name = "situatii-financiare-\(from.year)"
        switch format {
        case "csv": return (Data(csv(language: english ? "en" : "ro").utf8), "text/csv; charset=utf-8", name + ".csv")
        case "pdf": return (pdf(english: english, created: created), "application/pdf", name + ".pdf")
        default:
            throw DomainError(
                "report.format", field: "format",
                "You cannot download the statements as '\(format.prefix(12))' because the formats are csv and pdf.")
        }
    }

    /// Both statements as CSV (lei, two decimals).
    public func csv(language: String = "ro") -> String { AnnualStatements.csv(f10: f10, f20: f20, language: language) }

    /// Both statements on A4 pages: F10, then F20, each row with its number and the two columns.
    public func pdf(english: Bool, created: Date) -> Data {
        let locale: NumberLocale = english ? .en : .ro
        let margin = 40.0
        let right = PDFWriter.pageWidth - margin
        var pdf = PDFWriter()
        var y = 50.0
        for (index, (title, columns, rows)) in [
            (
                english ? "F10 Abridged balance sheet" : "F10 Bilanț prescurtat",
                english ? ("Start of year", "End of year") : ("Început de an", "Sfârșit de an"), f10
            ),
            (
                english ? "F20 Profit and loss account" : "F20 Contul de profit și pierdere",
                english ? ("Prior year", "Year") : ("Anul precedent", "Anul curent"), f20
            ),
        ].enumerated() {
            if index > 0 {
                pdf.newPage()
                y = 50
            }
            pdf.text("\(title) · \(from.formatted(locale)) – \(to.formatted(locale))", x: margin, y: y, size: 14, font: .bold)
            pdf.text(
                "\(companyName) (CUI \(cui)) · lei\(closed ? "" : english ? " · provisional: the year is not closed" : " · provizoriu: exercițiul nu este închis")",
                x: margin, y: y + 18, size: 9)
            y += 40
            pdf.box(x: margin, y: y - 11, width: right - margin, height: 16, gray: 0.9)
            pdf.text(english ? "Row" : "Rd.", x: margin + 4, y: y, size: 9, font: .bold)
            pdf.textRight(columns.0, right: right - 90, y: y, size: 9, font: .bold)
            pdf.textRight(columns.1, right: right - 4, y: y, size: 9, font: .bold)
            y += 18
            for row in rows where row.code != "CHK" {
                let font: PDFWriter.Font = row.isTotal ? .bold : .regular
                // The PDF's standard fonts have no minus sign (U+2212) nor en dash: plain hyphens stand for them.
                let label = row.label(language: english ? "en" : "ro").replacingOccurrences(of: "\u{2212}", with: "-")
                    .replacingOccurrences(of: "\u{2013}", with: "-")
                let wrapped = PDFWriter.wrap(label, width: 300, size: 8, font: font)
                if y + Double(wrapped.count) * 11 > PDFWriter.pageHeight - 50 {
                    pdf.newPage()
                    y = 50
                }
                pdf.text(row.code, x: margin + 4, y: y, size: 8, font: font)
                for (line, text) in wrapped.enumerated() { pdf.text(text, x: margin + 30, y: y + Double(line) * 11, size: 8, font: font) }
                pdf.textRight(MoneyFormat.amount(row.previous, locale: locale), right: right - 90, y: y, size: 8, font: font)
                pdf.textRight(MoneyFormat.amount(row.current, locale: locale), right: right - 4, y: y, size: 8, font: font)
                y += Double(wrapped.count) * 11 + 3
                pdf.line(from: (margin, y - 8), to: (right, y - 8), width: 0.2)
            }
        }
        return pdf.data(title: "F10 F20 \(from.year)", created: created)
    }
}
