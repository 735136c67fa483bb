import Application
import Banking
import Companies
import Filings
import Foundation
import Kernel
import Ledger
import Payroll
import PeopleApp

/// One employee's salary transfer of a posted run.
public struct SalaryTransfer: Sendable, Equatable {
    public var employee: String
    public var name: String
    public var iban: String
    public var amount: Money
}

extension Culise {
    /// The transfers that pay the month's latest posted run (a correcting run: the differences it adds to pay), one per
    /// employee with something to pay; refused until the run is posted, and while anyone to pay has no IBAN on record.
    public func salaryTransfers(company: CompanyID, month: YearMonth, actor: Actor) async throws -> [SalaryTransfer] {
        try actor.require(.payroll, .read, in: company)
        let runs = try await payrollRuns(company: company, month: month, actor: actor)
        guard let run = runs.last, [.posted, .paid].contains(run.state) else {
            throw DomainError(
                "payroll.not_posted", kind: .conflict, field: "month",
                "You cannot make the salary payment file of \(month) because its run is \(runs.last?.state.rawValue ?? "not computed"); post it first."
            )
        }
        let earlier = runs.dropLast().filter { [.posted, .paid].contains($0.state) }
        let amounts = Self.toPost(run, earlier: Array(earlier)).filter { $0.netToPay.minorUnits > 0 }
        let people = Dictionary(
            try await monthOfWork(company: company, month: month, actor: actor).map { ($0.record.employee.code, $0.record.employee) },
            uniquingKeysWith: { first, _ in first })
        var missing: [DomainError] = []
        var transfers: [SalaryTransfer] = []
        for result in amounts {
            guard let employee = people[result.employee], let iban = employee.iban, !iban.isEmpty else {
                missing.append(
                    DomainError(
                        "payroll.iban_missing", kind: .conflict, field: "\(result.employee).iban",
                        "You cannot pay \(result.employee) by transfer because no IBAN for salary is on record; add it to the employee."))
                continue
            }
            transfers.append(SalaryTransfer(employee: result.employee, name: employee.name, iban: iban, amount: result.netToPay))
        }
        guard missing.isEmpty else { throw ValidationErrors(missing) }
        return transfers
    }

    /// The month's salary payment file as ISO 20022 pain.001.001.03 from the company's account `debtorIBAN`, to be
    /// executed on `executionDate` (today or later). The end-to-end id of each transfer is `SAL<month>-<employee>`, so the
    /// statement's line names the employee it paid.
    public func salaryPaymentFile(
        company: CompanyID, month: YearMonth, debtorIBAN: String, debtorBIC: String? = nil, executionDate: LocalDate, actor: Actor
    ) async throws -> String {
        var problems = ProblemCollector()
        let account = problems.collect { () throws(DomainError) in try IBAN(debtorIBAN, field: "account").value }
        problems.check(executionDate >= today, Self.executionDateProblem(executionDate))
        try problems.throwIfAny()
        let transfers = try await salaryTransfers(company: company, month: month, actor: actor)
        let firm = try await self.company(company, actor: actor)
        let compact = month.description.replacingOccurrences(of: "-", with: "")
        return Pain001.document(
            CreditTransferBatch(
                messageID: "SAL-\(compact)-\(Timestamp.format(now).filter(\.isNumber).prefix(14))",
                created: String(Timestamp.format(now).prefix(19)),
                debtorName: firm.legalName, debtorTaxID: firm.cui.digits, debtorIBAN: account ?? debtorIBAN, debtorBIC: debtorBIC,
                executionDate: executionDate, categoryPurpose: "SALA",
                transfers: transfers.map {
                    CreditTransferBatch.Transfer(
                        endToEndID: Self.salaryEndToEndID(month: month, employee: $0.employee), amount: $0.amount, creditorName: $0.name,
                        creditorIBAN: $0.iban,
                        remittance: "Salariu \(month)")
                }))
    }

    /// A payment file asked for a day that has passed.
    static func executionDateProblem(_ day: LocalDate) -> DomainError {
        DomainError(
            "payroll.execution_date", field: "date",
            "You cannot ask the bank to pay on \(day.iso) because that day has passed; use today or a later banking day.")
    }

    /// The same transfers as CSV for banks that take one: `employee,name,iban,amount,details` (amounts in lei with a dot).
    public func salaryPaymentCSV(company: CompanyID, month: YearMonth, actor: Actor) async throws -> String {
        let transfers = try await salaryTransfers(company: company, month: month, actor: actor)
        var out = "employee,name,iban,amount,details\n"
        for transfer in transfers {
            out +=
                [
                    CSV.cell(transfer.employee), CSV.cell(transfer.name), transfer.iban, transfer.amount.decimalString,
                    CSV.cell("Salariu \(month)"),
                ]
                .joined(separator: ",") + "\n"
        }
        return out
    }
}

extension Culise {
    /// The month's contributions and income tax paid to the State Treasury (issue 15 item 6): one ISO 20022 pain.001.001.03
    /// transfer of what the month's D112 declares (`totalPlata_A`, the kept declaration's own figure) from `debtorIBAN`
    /// to the company's Treasury account `treasuryIBAN` (the *cont unic*; a Treasury IBAN has `TREZ` as its bank code, which
    /// is how banks route it as a budget payment, conformance README §8). The beneficiary's name, the remittance text and
    /// where a bank wants the payment reference are not verified (docs/payroll.md); the end-to-end id is `D112-<month>`.
    public func treasuryPaymentFile(
        company: CompanyID, month: YearMonth, debtorIBAN: String, treasuryIBAN: String, debtorBIC: String? = nil,
        executionDate: LocalDate, actor: Actor
    ) async throws -> String {
        try actor.require(.payroll, .read, in: company)
        var problems = ProblemCollector()
        let account = problems.collect { () throws(DomainError) in try IBAN(debtorIBAN, field: "account").value }
        let treasury = problems.collect { () throws(DomainError) in try IBAN(treasuryIBAN, field: "treasury").value }
        if let treasury, !(treasury.count >= 8 && treasury.dropFirst(4).prefix(4) == "TREZ") {
            problems.add(
                DomainError(
                    "payroll.treasury_iban", field: "treasury",
                    "You cannot pay taxes to \(treasury) because a State Treasury account has TREZ as its bank code (RO..TREZ...)."))
        }
        problems.check(executionDate >= today, Self.executionDateProblem(executionDate))
        try problems.throwIfAny()
        let (filing, firm) = try await read { db -> (FilingRecord?, Company) in
            let latest = try await Self.loadFilings(db, company: company, form: .d112, period: month, withXML: false)
                .last { ![.discarded, .invalid, .generated, .rejected, .rectified].contains($0.state) }
            let filing: FilingRecord? = if let latest { try await Self.loadFiling(db, company: company, id: latest.id) } else { nil }
            return (filing, try await Self.loadCompany(db, company))
        }
        guard let filing,
            let range = filing.xml.range(of: " totalPlata_A=\""),
            let total = Int64(filing.xml[range.upperBound...].prefix { $0 != "\"" })
        else {
            throw DomainError(
                "payroll.d112_missing", kind: .conflict, field: "month",
                "You cannot pay the taxes of \(month) before its D112 is generated without problems; the payment is what the declaration declares."
            )
        }
        let compact = month.description.replacingOccurrences(of: "-", with: "")
        return Pain001.document(
            CreditTransferBatch(
                messageID: "TAX-\(compact)-\(Timestamp.format(now).filter(\.isNumber).prefix(14))",
                created: String(Timestamp.format(now).prefix(19)), debtorName: firm.legalName, debtorTaxID: firm.cui.digits,
                debtorIBAN: account ?? debtorIBAN, debtorBIC: debtorBIC, executionDate: executionDate, categoryPurpose: "TAXS",
                transfers: [
                    CreditTransferBatch.Transfer(
                        endToEndID: "D112-\(compact)", amount: .ron(total * 100), creditorName: "Trezoreria Statului",
                        creditorIBAN: treasury ?? treasuryIBAN, remittance: "D112 \(month) CIF \(firm.cui.digits)")
                ]))
    }
}
