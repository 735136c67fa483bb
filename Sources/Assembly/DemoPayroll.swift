import Application
import Filings
import Foundation
import Kernel
import Payroll
import PayrollApp
import PeopleApp

extension Culise {
    /// Three months of payroll for the demo company (issue 15): the months four, three and two before this one (the
    /// demo's medical leave, which Culise does not compute yet, is last month). Each month's timesheets are generated
    /// and approved; the two older runs are approved, posted and paid on the 10th of the next month, the newest waits
    /// for approval. Meal vouchers of 40 lei per day worked. The two posted months have their D112 (the older accepted,
    /// the newer filed and awaiting ANAF). Runs once (skipped when any run exists).
    public func seedPayrollDemo(company: CompanyID) async throws {
        let hr = Actor.system("demo")
        let months = (2...4).reversed().map { back -> YearMonth in
            var day = YearMonth(today).firstDay
            for _ in 0..<back { day = YearMonth(day.adding(days: -1)).firstDay }
            return YearMonth(day)
        }
        for month in months where try await !payrollRuns(company: company, month: month, actor: hr).isEmpty { return }
        try await setMealVoucherValue(company: company, .ron(4_000), actor: hr)
        for (index, month) in months.enumerated() {
            _ = try await generateTimesheets(company: company, month: month, employee: nil, actor: hr)
            _ = try await approveTimesheets(company: company, month: month, actor: hr)
            if index == 1 {
                try await setPayrollItems(
                    company: company, month: month, employee: "E003", PayrollItems(bonuses: .ron(50_000), overtimeHours: 6), actor: hr)
            }
            _ = try await computePayroll(company: company, month: month, actor: Actor.system("demo payroll"))
            guard index < months.count - 1 else { continue }
            _ = try await decidePayroll(company: company, month: month, approve: true, actor: Actor.system("demo approval"))
            _ = try await postPayroll(company: company, month: month, actor: hr)
            let next = month.lastDay.adding(days: 1)
            _ = try await payPayroll(company: company, month: month, date: next.adding(days: 9), actor: hr)
        }
        // D112 for the two posted months: the older one filed and accepted, the newer one filed and awaiting ANAF.
        try await setPayrollFilingSettings(
            company: company,
            PayrollFilingSettings(
                caen: "4690", declarantLastName: "Popescu", declarantFirstName: "Maria", declarantFunction: "Administrator"),
            actor: hr)
        for (index, month) in months.dropLast().enumerated() {
            let filing = try await generateD112(company: company, month: month, actor: hr)
            let filed = min(FilingForm.d112.due(month).adding(days: -3), today)
            _ = try await markFiled(
                company: company, id: filing.id, number: "INTERNT-\(month.year)\(month.month < 10 ? "0" : "")\(month.month)0412",
                date: filed, actor: hr)
            if index == 0 { _ = try await recordFilingAnswer(company: company, id: filing.id, accepted: true, message: nil, actor: hr) }
        }
    }
}
