import Application
import ArgumentParser
import Assembly
import Foundation
import Kernel
import Payroll
import PayrollApp
import People
import PeopleApp
import Storage

extension BenchCommand {
    struct PayrollBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "payroll",
            abstract:
                "Import N employees, approve their March 2026 timesheets, then time the payroll run: compute, approve, post (issue 15).")
        @Option(help: "Employees.") var employees = 10_000
        @Option(help: "Working folder (SQLite file).") var work: String = "/tmp/culise-bench-payroll"
        @Option(help: "Database URL (default: a fresh SQLite file in the working folder).") var database: String?

        func seconds(_ duration: Duration) -> Double { Bench.seconds(duration) }

        func run() async throws {
            let clock = ContinuousClock()
            let (culise, company) = try await Bench.demoCompany(work: work, database: database)
            let actor = Actor.system("bench")
            var start = clock.now
            let report = try await culise.importEmployees(
                company: company, csv: EmployeeScenario.file(employees, prefix: "B"), actor: actor)
            let march = try YearMonth(year: 2026, month: 3)
            _ = try await culise.generateTimesheets(company: company, month: march, employee: nil, actor: actor)
            _ = try await culise.approveTimesheets(company: company, month: march, actor: actor)
            try await culise.setMealVoucherValue(company: company, .ron(4_000), actor: actor)
            print(
                String(
                    format: "set-up: %d employees imported, March 2026 timesheets generated and approved in %.2f s", report.employees,
                    seconds(clock.now - start)))

            // The calculation alone, on the month of work read once.
            let work = try await culise.monthOfWork(company: company, month: march, actor: actor)
            let parameters = try GrossToNet.prepare(try PayrollParameterTable.inForce(march))
            start = clock.now
            var computed = 0
            var gross: Int64 = 0
            for month in work {
                guard let sheet = month.timesheet else { continue }
                let days = WorkingDays.count(from: march.firstDay, through: march.lastDay)
                let worked = sheet.days.filter { $0.hours > 0 && WorkingDays.isWorkingDay($0.date) }.count
                guard let terms = month.record.contract(on: march.lastDay)?.terms ?? month.record.contract(on: march.firstDay)?.terms else {
                    continue
                }
                let input = PayInput(
                    employee: month.record.employee.code, month: march, birthDate: month.record.employee.birthDate,
                    dependants: month.record.employee.deductionDependants, monthWorkingDays: days,
                    segments: [PaySegment(baseSalary: terms.baseSalary, normHours: terms.normHours, workedDays: worked)],
                    mealVouchers: worked,
                    mealVoucherValue: .ron(4_000))
                if let result = try? GrossToNet.compute(input, parameters) {
                    computed += 1
                    gross += result.gross.minorUnits
                }
            }
            print(
                String(
                    format: "gross to net alone: %d employees in %.3f s (gross %@ RON)", computed, seconds(clock.now - start),
                    Money.ron(gross).decimalString))

            start = clock.now
            let run = try await culise.computePayroll(company: company, month: march, actor: Actor.system("bench compute"))
            let computeSeconds = seconds(clock.now - start)
            print(
                String(format: "run computed (read, compute, store %d payslips with their lines): %.2f s", run.lines.count, computeSeconds))
            start = clock.now
            _ = try await culise.decidePayroll(company: company, month: march, approve: true, actor: Actor.system("bench approve"))
            let posted = try await culise.postPayroll(company: company, month: march, actor: actor)
            let postSeconds = seconds(clock.now - start)
            print(String(format: "approved and posted (entry %@): %.2f s", posted.entry ?? "-", postSeconds))
            print(String(format: "compute + approve + post: %.2f s for %d employees", computeSeconds + postSeconds, run.lines.count))

            // The declaration and the payment: D112 written, checked and kept; the salary file; the payslips as PDFs.
            try await culise.setPayrollFilingSettings(
                company: company,
                PayrollFilingSettings(
                    caen: "4690", declarantLastName: "Popescu", declarantFirstName: "Maria", declarantFunction: "Administrator"),
                actor: actor)
            start = clock.now
            let filing = try await culise.generateD112(company: company, month: march, actor: actor)
            print(
                String(
                    format: "D112 generated, cross-checked and kept: %d insured, %d bytes, %d problems, %.2f s", run.lines.count,
                    filing.xml.utf8.count, filing.problems.count, seconds(clock.now - start)))
            if let out = ProcessInfo.processInfo.environment["CULISE_BENCH_D112"] {
                try Data(filing.xml.utf8).write(to: URL(fileURLWithPath: out))
                print("D112 written to \(out)")
            }
            start = clock.now
            do {
                let pain = try await culise.salaryPaymentFile(
                    company: company, month: march, debtorIBAN: "RO49AAAA1B31007593840000", executionDate: culise.today, actor: actor)
                print(String(format: "pain.001 salary file: %d bytes in %.2f s", pain.utf8.count, seconds(clock.now - start)))
            } catch let problems as ValidationErrors {
                print("pain.001 salary file: refused, \(problems.problems.count) generated employees have no salary IBAN")
            }
            start = clock.now
            var bytes = 0
            for line in run.lines.prefix(1_000) {
                bytes += try await culise.payslipDocument(
                    company: company, month: march, employee: line.employee, format: "pdf", english: false, actor: actor
                ).count
            }
            print(String(format: "1,000 payslip PDFs (%d bytes): %.2f s, each reading the run", bytes, seconds(clock.now - start)))
            await culise.close()
        }
    }
}
