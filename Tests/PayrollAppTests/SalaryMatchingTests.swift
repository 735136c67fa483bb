import Application
import BankingApp
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

/// The bank statement pays the run (issue 15 item 6): the salary lines of a statement made from the run's payment file
/// are matched, each to its own employee (by the transfer's reference, the employee's IBAN and the net), the run
/// becomes paid and 421 is zero; unmatching a line opens that salary and the run again.
@Suite struct SalaryMatchingTests {
    /// A CAMT.053 statement as the bank would send it after executing `pain001`: one debit per transfer, with its
    /// end-to-end id, the creditor's name and IBAN, and the remittance; plus an unrelated bank fee.
    static func statement(from pain001: String, iban: String, date: String) -> String {
        func values(_ tag: String) -> [String] {
            pain001.components(separatedBy: "<\(tag)>").dropFirst().map { String($0.prefix { $0 != "<" }) }
        }
        let transfers = pain001.components(separatedBy: "<CdtTrfTxInf>").dropFirst().map { block -> String in
            func value(_ tag: String) -> String {
                block.components(separatedBy: "<\(tag)").dropFirst().first.map {
                    String($0.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" })
                } ?? ""
            }
            return """
                <Ntry><Amt Ccy="RON">\(value("InstdAmt"))</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>\(date)</Dt></BookgDt><ValDt><Dt>\(date)</Dt></ValDt>
                <NtryDtls><TxDtls><Refs><EndToEndId>\(value("EndToEndId"))</EndToEndId></Refs>
                <RltdPties><Cdtr><Nm>\(value("Nm"))</Nm></Cdtr><CdtrAcct><Id><IBAN>\(value("IBAN"))</IBAN></Id></CdtrAcct></RltdPties>
                <RmtInf><Ustrd>\(value("Ustrd"))</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
                """
        }
        _ = values("MsgId")
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
            <GrpHdr><MsgId>STMT-1</MsgId><CreDtTm>\(date)T18:00:00</CreDtTm></GrpHdr>
            <Stmt><Id>S-1</Id><Acct><Id><IBAN>\(iban)</IBAN></Id><Ccy>RON</Ccy></Acct>
            \(transfers.joined(separator: "\n"))
            <Ntry><Amt Ccy="RON">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>\(date)</Dt></BookgDt>
            <NtryDtls><TxDtls><RmtInf><Ustrd>Comision plati salarii</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
            </Stmt></BkToCstmrStmt></Document>
            """
    }

    @Test(arguments: Engine.available)
    func salaryLinesAreMatchedToTheirEmployees(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let march = try YearMonth(year: 2026, month: 3)
            // Two employees earn the same (equal nets: only the reference and the IBAN tell them apart).
            for (code, cnp, salary, iban) in [
                ("E1", PeopleSamples.cnp(2, 80, 1, 10), Int64(5_000), "RO44BTRLRONCRT0589314702"),
                ("E2", PeopleSamples.cnp(1, 85, 3, 2), 5_000, "RO80RNCB0091735402618001"),
                ("E3", PeopleSamples.cnp(1, 88, 7, 9), 6_000, "RO81BRDE441SV72635018440"),
            ] {
                _ = try await culise.addEmployee(
                    company: company, EmployeeInput(code: code, lastName: "Șerban\(code)", firstName: "Ana", cnp: cnp, iban: iban),
                    contract: ContractTerms(
                        number: "CIM-\(code)", signed: try LocalDate(iso: "2026-01-02"), start: try LocalDate(iso: "2026-01-05"),
                        duration: .indefinite, normHours: 8, baseSalary: .ron(salary * 100), position: "AGENT", corCode: "332202"),
                    actor: actor)
            }
            _ = try await culise.generateTimesheets(company: company, month: march, employee: nil, actor: actor)
            _ = try await culise.approveTimesheets(company: company, month: march, actor: actor)
            _ = try await culise.computePayroll(company: company, month: march, actor: actor)
            _ = try await culise.decidePayroll(company: company, month: march, approve: true, actor: .system("test approve"))
            _ = try await culise.postPayroll(company: company, month: march, actor: actor)
            let ours = "RO49AAAA1B31007593840000"
            let account = try await culise.addBankAccount(
                company: company, BankAccountInput(name: "Cont curent", iban: ours, ledgerAccount: "5121", autoThreshold: 80), actor: actor)
            let file = try await culise.salaryPaymentFile(
                company: company, month: march, debtorIBAN: ours, executionDate: culise.today, actor: actor)
            let camt = Self.statement(from: file, iban: ours, date: "2026-04-10")
            _ = try await culise.importStatement(company: company, data: Data(camt.utf8), fileName: "extras.xml", actor: actor)

            // Every salary line is matched on its own, the fee is not; the run is paid and 421 is zero.
            let report = try await culise.reconcile(company: company, account: account.id, actor: actor)
            #expect(report.lines == 4 && report.automatic == 3, "\(report)")
            let lines = try await culise.bankLines(
                company: company, account: account.id, state: nil, page: try PageRequest(limit: 10), actor: actor
            ).items
            let run = try await culise.payrollRuns(company: company, month: march, actor: actor).last
            let paid = try await culise.database.read { db in
                try await db.raw("SELECT employee, bank_line_id FROM payroll_transfers ORDER BY employee").all().map {
                    (try $0.decode(column: "employee", as: String.self), try $0.decode(column: "bank_line_id", as: String.self))
                }
            }
            #expect(paid.map(\.0) == ["E1", "E2", "E3"])
            for (employee, line) in paid {
                #expect(
                    lines.first { $0.id.description == line }?.reference == "SAL202603-\(employee)", "\(employee) paid by the wrong line")
            }
            #expect(lines.filter { $0.state == .matched }.count == 3 && lines.first { $0.amount == .ron(-500) }?.state == .unmatched)
            #expect(run?.state == .paid)
            var books = try await PayrollRunAppTests.ledger(culise, company)
            let owed = books.first { $0.hasPrefix("421 C") }.map { String($0.dropFirst(6)) }
            #expect(books.filter { $0.hasPrefix("421 ") }.count == 2 && books.contains("421 D \(owed ?? "-")"), "\(books)")

            // Unmatching a line opens its salary and the run again; matching it again pays it.
            let e2 = try #require(lines.first { $0.reference == "SAL202603-E2" })
            _ = try await culise.unmatch(company: company, line: e2.id, actor: actor)
            #expect(try await culise.payrollRuns(company: company, month: march, actor: actor).last?.state == .posted)
            // Refused by hand: another employee's salary, a wrong amount, a salary with another document.
            let runID = try #require(run?.id.description)
            await expectRefusal("bank.salary", field: "allocations[0].id") {
                try await culise.confirmMatch(
                    company: company, line: e2.id, BankMatchInput(allocations: [.init(kind: "salary", id: "\(runID)/E1")]), actor: actor)
            }
            await expectRefusal("bank.salary_amount", field: "allocations[0].amount") {
                try await culise.confirmMatch(
                    company: company, line: e2.id, BankMatchInput(allocations: [.init(kind: "salary", id: "\(runID)/E2", amount: "100")]),
                    actor: actor)
            }
            await expectRefusal("bank.salary_mixed", field: "allocations") {
                try await culise.confirmMatch(
                    company: company, line: e2.id,
                    BankMatchInput(allocations: [.init(kind: "salary", id: "\(runID)/E2"), .init(kind: "liability", id: "421")]),
                    actor: actor)
            }
            #expect(try await culise.reconcile(company: company, account: account.id, actor: actor).automatic == 1)
            #expect(try await culise.payrollRuns(company: company, month: march, actor: actor).last?.state == .paid)
            books = try await PayrollRunAppTests.ledger(culise, company)
            #expect(books.contains("421 D \(owed ?? "-")"), "\(books)")
            // Paid by the bank: recording the payment by hand is refused (nothing is paid twice).
            await expectRefusal("payroll.illegal_transition") {
                try await culise.payPayroll(company: company, month: march, date: try LocalDate(iso: "2026-04-11"), actor: actor)
            }
        }
    }
}
