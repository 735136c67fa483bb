import Application
import Foundation
import Identity
import Kernel
import Payroll
import PayrollApp
import People
import PeopleApp
import SQLKit
import TestSupport
import Testing

/// Payslips as files and by e-mail (issue 15 item 5): the PDF and the HTML page of one employee's month, in Romanian
/// and English, and each employee's payslip queued for e-mail with its PDF attached (those without an address named).
@Suite struct PayslipTests {
    @Test(arguments: Engine.available)
    func payslipFilesAndEmails(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let march = try YearMonth(year: 2026, month: 3)
            try await D112AppTests.threeEmployees(culise, company, actor)
            var e1 = try await culise.employee(company: company, code: "E1", actor: actor).employee
            e1.email = "ana.ionescu@alfa.ro"
            _ = try await culise.updateEmployee(
                company: company, code: "E1",
                EmployeeInput(code: "E1", lastName: e1.lastName, firstName: e1.firstName, cnp: e1.cnp, county: e1.county, email: e1.email),
                actor: actor)
            _ = try await culise.generateTimesheets(company: company, month: march, employee: nil, actor: actor)
            _ = try await culise.approveTimesheets(company: company, month: march, actor: actor)
            _ = try await culise.computePayroll(company: company, month: march, actor: actor)

            // A computed run's payslip can be reviewed (E1: the minimum wage with 22 meal vouchers, net 2,407, D112AppTests); nobody's payslip outside the run, no other format.
            let html = String(
                decoding: try await culise.payslipDocument(
                    company: company, month: march, employee: "E1", format: "html", english: false, actor: actor), as: UTF8.self)
            #expect(html.contains("FLUTURAȘ DE SALARIU · martie 2026") && html.contains("suma netaxabilă") && html.contains("2.407,00"))
            let english = String(
                decoding: try await culise.payslipDocument(
                    company: company, month: march, employee: "E1", format: "html", english: true, actor: actor), as: UTF8.self)
            #expect(english.contains("PAYSLIP · March 2026") && english.contains("2,407.00") && english.contains("lang=\"en\""))
            let pdf = try await culise.payslipDocument(
                company: company, month: march, employee: "E3", format: "pdf", english: false, actor: actor)
            #expect(pdf.starts(with: Data("%PDF-".utf8)) && pdf.count > 1_000)
            await expectRefusal("payroll.payslip_not_found", field: "employee") {
                try await culise.payslipDocument(
                    company: company, month: march, employee: "E9", format: "pdf", english: false, actor: actor)
            }
            await expectRefusal("payroll.payslip_format", field: "format") {
                try await culise.payslipDocument(
                    company: company, month: march, employee: "E1", format: "docx", english: false, actor: actor)
            }
            await expectRefusal("payroll.not_posted", field: "month") {
                try await culise.emailPayslips(company: company, month: march, actor: actor)
            }

            _ = try await culise.decidePayroll(company: company, month: march, approve: true, actor: .system("test approve"))
            _ = try await culise.postPayroll(company: company, month: march, actor: actor)
            let mailing = try await culise.emailPayslips(company: company, month: march, actor: actor)
            #expect(mailing.queued == 1 && mailing.withoutEmail == ["E2", "E3"])
            let mail = try await culise.database.read { db in
                try await db.raw(
                    """
                    SELECT m.to_address AS to_address, m.subject AS subject, a.file_name AS file_name, a.content_type AS content_type
                    FROM outgoing_mail m JOIN outgoing_mail_attachments a ON a.company_id = m.company_id AND a.mail_id = m.id
                    WHERE m.purpose = 'payroll.payslip'
                    """
                ).all().map {
                    [
                        try $0.decode(column: "to_address", as: String.self), try $0.decode(column: "subject", as: String.self),
                        try $0.decode(column: "file_name", as: String.self), try $0.decode(column: "content_type", as: String.self),
                    ]
                }
            }
            #expect(
                mail == [
                    [
                        "ana.ionescu@alfa.ro", "Fluturașul de salariu pentru martie 2026 — Alfa Consult SRL", "fluturas_2026-03_E1.pdf",
                        "application/pdf",
                    ]
                ], "\(mail)")
        }
    }
}
