import Application
import ArgumentParser
import Assembly
import Foundation
import Kernel
import People
import PeopleApp
import Storage

extension BenchCommand {
    struct PeopleBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "people",
            abstract: "Import a generated company of N employees with their contracts, then time the reads payroll and HR will make.")
        @Option(help: "Employees.") var employees = 5_000
        @Option(help: "Working folder (SQLite file).") var work: String = "/tmp/culise-bench-people"
        @Option(help: "Database URL (default: a fresh SQLite file in the working folder).") var database: String?
        @Option(help: "Repetitions of each read (the median is reported).") var repeats = 5

        func seconds(_ duration: Duration) -> Double { Bench.seconds(duration) }

        func run() async throws {
            let clock = ContinuousClock()
            let (culise, company) = try await Bench.demoCompany(work: work, database: database)
            let actor = Actor.system("bench")
            var start = clock.now
            let file = EmployeeScenario.file(employees, prefix: "B")
            let generate = seconds(clock.now - start)
            start = clock.now
            let report = try await culise.importEmployees(company: company, csv: file, actor: actor)
            let importSeconds = seconds(clock.now - start)
            print(
                String(
                    format: "import: %d employees with their contracts (%.1f MiB CSV, generated in %.2f s) in %.2f s (%.0f employees/s)",
                    report.employees, Double(file.utf8.count) / 1_048_576, generate, importSeconds,
                    Double(report.employees) / max(importSeconds, 0.001)))
            func median(_ label: String, _ body: () async throws -> Int) async throws {
                var times: [Double] = []
                var count = 0
                for _ in 0..<max(repeats, 1) {
                    let started = clock.now
                    count = try await body()
                    times.append(seconds(clock.now - started))
                }
                times.sort()
                print(
                    String(
                        format: "%@: %d rows, median %.3f s (min %.3f, max %.3f)", label, count, times[times.count / 2], times[0],
                        times[times.count - 1]))
            }
            let day = try LocalDate(iso: "2026-03-15")
            try await median("contracts in force on 2026-03-15 (every employee's terms)") {
                try await culise.contractsInForce(company: company, on: day, actor: actor).count
            }
            try await median("REGES-ONLINE pending queue") { try await culise.regesPending(company: company, actor: actor).count }
            try await median("employee list, every page of 500") {
                var offset = 0
                var total = 0
                while true {
                    let page = try await culise.employees(
                        company: company, department: nil, page: try PageRequest(limit: Limits.maxPageSize, offset: offset), actor: actor)
                    total += page.items.count
                    guard let next = page.nextOffset else { return total }
                    offset = next
                }
            }
            try await median("one employee with contract and events") {
                try await culise.employee(company: company, code: "B\(employees / 2)", actor: actor).contracts.count
            }
            // Leave: one week of annual leave in March for every fifth employee (untimed set-up), then the balances of
            // everyone and the month's timesheets generated for everyone (issue 14: both within 2 s together).
            start = clock.now
            var requested = 0
            for number in stride(from: 1, through: employees, by: 5) {
                if (try? await culise.requestLeave(
                    company: company, employee: "B\(number)", LeaveInput(type: "annual", from: "2026-03-09", to: "2026-03-13"), actor: actor
                ))
                    != nil
                {
                    requested += 1
                }
            }
            print(String(format: "set-up: %d leave requests in %.2f s", requested, seconds(clock.now - start)))
            try await median("leave balances of every employee in 2026") {
                try await culise.leaveBalances(company: company, year: 2026, actor: actor).count
            }
            let march = try YearMonth(year: 2026, month: 3)
            try await median("timesheets of March 2026 generated for every employee") {
                try await culise.generateTimesheets(company: company, month: march, employee: nil, actor: actor)
            }
            try await median("timesheets of March 2026 read back") {
                try await culise.timesheets(company: company, month: march, actor: actor).count
            }
            await culise.close()
        }
    }
}
