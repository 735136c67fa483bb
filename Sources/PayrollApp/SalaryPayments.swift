import Application
import Banking
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
        problems.check(
            executionDate >= today,
            DomainError(
                "payroll.execution_date", field: "date",
                "You cannot ask the bank to pay on \(executionDate.iso) because that day has passed; use today or a later banking day."))
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
                        endToEndID: "SAL\(compact)-\($0.employee)", amount: $0.amount, creditorName: $0.name, creditorIBAN: $0.iban,
                        remittance: "Salariu \(month)")
                }))
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
