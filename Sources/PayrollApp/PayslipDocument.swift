import Application
import Companies
import Foundation
import Kernel
import Mail
import PDF
import Payroll

/// A payslip (fluturaș de salariu) as a document: every line of the computation with its explanation, in Romanian or
/// English, as an A4 PDF or a standalone HTML page (issue 15 item 5). Pure: the run's stored line in, bytes out.
public enum PayslipDocument {
    struct Labels {
        let title, company, employee, month, run, days, line, amount, gross, net, toPay, cost, footer: String
        let months: [String]
    }

    static let romanian = Labels(
        title: "FLUTURAȘ DE SALARIU", company: "Angajator", employee: "Salariat", month: "Luna", run: "Stat", days: "Zile lucrate",
        line: "Element", amount: "Suma (lei)", gross: "Salariu brut", net: "Salariu net", toPay: "Rest de plată",
        cost: "Costul angajatorului",
        footer: "Fiecare rând arată cum a fost calculat. Cotele și plafoanele sunt cele în vigoare pentru luna de mai sus.",
        months: [
            "ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august", "septembrie", "octombrie", "noiembrie",
            "decembrie",
        ])

    static let english = Labels(
        title: "PAYSLIP", company: "Employer", employee: "Employee", month: "Month", run: "Run", days: "Days worked", line: "Item",
        amount: "Amount (lei)", gross: "Gross salary", net: "Net salary", toPay: "To pay", cost: "Employer cost",
        footer: "Each line shows how it was computed. Rates and ceilings are those in force for the month above.",
        months: [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
        ])

    /// The month as people say it: "martie 2026", "March 2026".
    public static func monthTitle(_ month: YearMonth, english: Bool) -> String {
        "\((english ? Self.english : romanian).months[max(0, min(11, month.month - 1))]) \(month.year)"
    }

    static func rows(_ line: PayrollLineRecord, english: Bool) -> [(text: String, amount: String, strong: Bool)] {
        let locale: NumberLocale = english ? .en : .ro
        return line.result.lines.map { item in
            (
                english ? item.explanation : item.explanationRO, MoneyFormat.amount(item.amount.minorUnits, locale: locale),
                ["gross", "net", "net_to_pay"].contains(item.code)
            )
        }
    }

    static func totals(_ line: PayrollLineRecord, _ labels: Labels, english: Bool) -> [(String, String)] {
        let locale: NumberLocale = english ? .en : .ro
        let r = line.result
        return [
            (labels.gross, r.gross), (labels.net, r.net), (labels.toPay, r.netToPay), (labels.cost, r.employerCost),
        ].map { ($0.0, MoneyFormat.amount($0.1.minorUnits, locale: locale)) }
    }

    /// The A4 PDF; a long payslip continues on a second page.
    public static func pdf(
        company: Company, month: YearMonth, runKind: String, line: PayrollLineRecord, english: Bool, created: Date
    ) -> Data {
        let labels = english ? Self.english : romanian
        let margin = 40.0
        let right = PDFWriter.pageWidth - margin
        var pdf = PDFWriter()
        pdf.text("\(labels.title) · \(monthTitle(month, english: english))", x: margin, y: 50, size: 16, font: .bold)
        pdf.text("\(labels.company): \(company.legalName) (CUI \(company.cui.digits))", x: margin, y: 74, size: 10)
        pdf.text("\(labels.employee): \(line.name) (\(line.employee))", x: margin, y: 90, size: 10, font: .bold)
        pdf.text(
            "\(labels.month): \(month)   \(labels.run): \(runKind)   \(labels.days): \(line.workedDays)", x: margin, y: 106, size: 9)
        var y = 130.0
        pdf.box(x: margin, y: y - 11, width: right - margin, height: 16, gray: 0.9)
        pdf.text(labels.line, x: margin + 4, y: y, size: 9, font: .bold)
        pdf.textRight(labels.amount, right: right - 4, y: y, size: 9, font: .bold)
        y += 18
        for row in rows(line, english: english) {
            // The PDF's standard fonts have no minus sign (U+2212): a hyphen stands for it.
            let wrapped = PDFWriter.wrap(
                row.text.replacingOccurrences(of: "\u{2212}", with: "-"), width: 400, size: 9, font: row.strong ? .bold : .regular)
            if y + Double(wrapped.count) * 12 > PDFWriter.pageHeight - 60 {
                pdf.newPage()
                y = 50
            }
            for (index, text) in wrapped.enumerated() {
                pdf.text(text, x: margin + 4, y: y + Double(index) * 12, size: 9, font: row.strong ? .bold : .regular)
            }
            pdf.textRight(row.amount, right: right - 4, y: y, size: 9, font: row.strong ? .bold : .regular)
            y += Double(wrapped.count) * 12 + 4
            pdf.line(from: (margin, y - 9), to: (right, y - 9), width: 0.2)
        }
        y += 10
        if y > PDFWriter.pageHeight - 120 {
            pdf.newPage()
            y = 50
        }
        for (label, amount) in totals(line, labels, english: english) {
            pdf.text(label, x: right - 230, y: y, size: 10, font: .bold)
            pdf.textRight(amount, right: right - 4, y: y, size: 10, font: .bold)
            y += 15
        }
        for (index, text) in PDFWriter.wrap(labels.footer, width: right - margin, size: 8).enumerated() {
            pdf.text(text, x: margin, y: y + 14 + Double(index) * 10, size: 8)
        }
        return pdf.data(title: "\(labels.title) \(month) \(line.employee)", created: created)
    }

    /// A standalone HTML page (for the command line and archives): every text escaped.
    public static func html(company: Company, month: YearMonth, runKind: String, line: PayrollLineRecord, english: Bool) -> String {
        let labels = english ? Self.english : romanian
        func e(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var out = """
            <!doctype html>
            <html lang="\(english ? "en" : "ro")"><head><meta charset="utf-8"><title>\(e(labels.title)) \(month) \(e(line.employee))</title>
            <style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto}td.num{text-align:right;white-space:nowrap}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.25rem}</style></head>
            <body><h1>\(e(labels.title)) · \(e(monthTitle(month, english: english)))</h1>
            <p>\(e(labels.company)): \(e(company.legalName)) (CUI \(e(company.cui.digits)))<br>\(e(labels.employee)): <strong>\(e(line.name))</strong> (\(e(line.employee)))<br>\(e(labels.run)): \(e(runKind)) · \(e(labels.days)): \(line.workedDays)</p>
            <table><thead><tr><th scope="col">\(e(labels.line))</th><th scope="col">\(e(labels.amount))</th></tr></thead><tbody>

            """
        for row in rows(line, english: english) {
            let text = row.strong ? "<strong>\(e(row.text))</strong>" : e(row.text)
            out += "<tr><td>\(text)</td><td class=\"num\">\(e(row.amount))</td></tr>\n"
        }
        out += "</tbody><tfoot>\n"
        for (label, amount) in totals(line, labels, english: english) {
            out += "<tr><th scope=\"row\">\(e(label))</th><td class=\"num\"><strong>\(e(amount))</strong></td></tr>\n"
        }
        out += "</tfoot></table><p><small>\(e(labels.footer))</small></p></body></html>\n"
        return out
    }
}

/// What e-mailing a month's payslips queued.
public struct PayslipMailing: Sendable, Equatable {
    public var queued: Int
    /// Employees without an e-mail address on record.
    public var withoutEmail: [String]
}

extension Culise {
    /// One employee's line of the month's latest run (the run without its other lines), or nil when the run has none.
    public func payslip(company: CompanyID, month: YearMonth, employee: String, actor: Actor) async throws -> Payslip? {
        try actor.require(.payroll, .read, in: company)
        return try await read { db in
            let run = try await Self.requireLatest(db, company: company, month: month, employee: employee)
            return run.lines.first.map { Payslip(month: month, run: run, line: $0) }
        }
    }

    /// One employee's payslip of the month's latest run (computed runs too, for review), as PDF or HTML.
    public func payslipDocument(
        company: CompanyID, month: YearMonth, employee: String, format: String, english: Bool, actor: Actor
    ) async throws -> Data {
        try actor.require(.payroll, .read, in: company)
        let (firm, run, line) = try await read { db -> (Company, PayrollRunRecord, PayrollLineRecord) in
            let run = try await Self.requireLatest(db, company: company, month: month, employee: employee)
            guard let line = run.lines.first(where: { $0.employee == employee }) else {
                throw DomainError(
                    "payroll.payslip_not_found", kind: .notFound, field: "employee",
                    "You cannot open \(employee.prefix(40))'s payslip for \(month) because the month's run has no line for them.")
            }
            return (try await Self.loadCompany(db, company), run, line)
        }
        return try Self.render(firm, month: month, run: run, line: line, format: format, english: english, created: now)
    }

    /// The signed-in employee's own payslip of a posted month, as PDF or HTML.
    public func myPayslipDocument(company: CompanyID, month: YearMonth, format: String, english: Bool, actor: Actor) async throws -> Data {
        guard let slip = try await myPayslips(company: company, actor: actor).first(where: { $0.month == month }) else {
            throw DomainError(
                "payroll.payslip_not_found", kind: .notFound, field: "month",
                "You cannot open a payslip for \(month) because there is none.")
        }
        let firm = try await read { db in try await Self.loadCompany(db, company) }
        return try Self.render(firm, month: month, run: slip.run, line: slip.line, format: format, english: english, created: now)
    }

    static func render(
        _ firm: Company, month: YearMonth, run: PayrollRunRecord, line: PayrollLineRecord, format: String, english: Bool, created: Date
    ) throws -> Data {
        let kind = run.kind == "correction" ? (english ? "correcting run" : "stat de corecție") : (english ? "monthly run" : "stat lunar")
        switch format {
        case "pdf": return PayslipDocument.pdf(company: firm, month: month, runKind: kind, line: line, english: english, created: created)
        case "html": return Data(PayslipDocument.html(company: firm, month: month, runKind: kind, line: line, english: english).utf8)
        default:
            throw ValidationErrors([
                DomainError(
                    "payroll.payslip_format", field: "format", "You cannot have a payslip as '\(format.prefix(20))'; use pdf or html.")
            ])
        }
    }

    /// E-mails each employee of the month's posted run their payslip as a PDF, through the mail queue (issue 15 item 5);
    /// those without an e-mail address are named. One transaction; audited.
    public func emailPayslips(company: CompanyID, month: YearMonth, actor: Actor) async throws -> PayslipMailing {
        try actor.require(.payroll, .write, in: company)
        let work = try await monthOfWork(company: company, month: month, actor: actor)
        let emails = Dictionary(
            work.compactMap { item in item.record.employee.email.flatMap { $0.isEmpty ? nil : (item.record.employee.code, $0) } },
            uniquingKeysWith: { first, _ in first })
        return try await transaction { db in
            let run = try await Self.requireLatest(db, company: company, month: month)
            guard [.posted, .paid].contains(run.state) else {
                throw DomainError(
                    "payroll.not_posted", kind: .conflict, field: "month",
                    "You cannot send the payslips of \(month) because its run is \(run.state.rawValue); post it first.")
            }
            let firm = try await Self.loadCompany(db, company)
            let title = PayslipDocument.monthTitle(month, english: false)
            var mailing = PayslipMailing(queued: 0, withoutEmail: [])
            for line in run.lines {
                guard let email = emails[line.employee] else {
                    mailing.withoutEmail.append(line.employee)
                    continue
                }
                let pdf = try Self.render(firm, month: month, run: run, line: line, format: "pdf", english: false, created: self.now)
                _ = try await self.queueMail(
                    db, company: company, purpose: "payroll.payslip", entity: "payroll_run", entityID: run.id.description, to: email,
                    subject: "Fluturașul de salariu pentru \(title) — \(firm.legalName)",
                    body: """
                        Bună ziua, \(line.name),

                        Vă trimitem atașat fluturașul de salariu pentru \(title). Fiecare rând arată cum a fost calculat.
                        Îl găsiți oricând și în Culise, pe pagina dumneavoastră.

                        Departamentul de salarizare
                        \(firm.legalName)
                        """,
                    attachments: [
                        MailAttachment(fileName: "fluturas_\(month)_\(line.employee).pdf", contentType: "application/pdf", data: pdf)
                    ], actor: actor)
                mailing.queued += 1
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "payroll.payslips_mailed", entity: "payroll_run", entityID: run.id.description,
                changes: [FieldChange("queued", before: nil, after: String(mailing.queued))], now: self.now)
            return mailing
        }
    }
}
