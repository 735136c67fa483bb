import Application
import Foundation
import Kernel
import People
import PeopleApp
import SQLKit
import TestSupport
import Testing

/// Leave and timesheets on both engines: a joiner's prorated balance, a request over Easter, overlaps and
/// over-balance refused, approval, the timesheet with the CO code, approval that locks and a reopening that is audited.
@Suite struct LeaveAppTests {
    static func date(_ text: String) throws -> LocalDate { try LocalDate(iso: text) }

    @Test(arguments: Engine.available)
    func leaveAndTimesheets(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            _ = try await culise.addEmployee(
                company: company,
                EmployeeInput(code: "E1", lastName: "Pop", firstName: "Ana", cnp: PeopleSamples.cnp(2, 90, 5, 17)),
                contract: ContractTerms(
                    number: "CIM-1", signed: try Self.date("2026-03-20"), start: try Self.date("2026-04-01"), duration: .indefinite,
                    normHours: 8, baseSalary: Money(minorUnits: 600_000, currency: .ron), position: "AGENT", corCode: "332202",
                    leaveDays: 21),
                actor: actor)
            let balance = try #require(try await culise.leaveBalances(company: company, year: 2026, actor: actor).first)
            #expect(balance.entitlement == 16 && balance.remaining == 16 && balance.carriedOver == 0)
            let easter = try await culise.requestLeave(
                company: company, employee: "E1", LeaveInput(type: "annual", from: "2026-04-09", to: "2026-04-15"), actor: actor)
            #expect(easter.days == 3 && easter.state == .requested)
            await expectRefusal("leave.overlap", field: "from") {
                try await culise.requestLeave(
                    company: company, employee: "E1", LeaveInput(type: "unpaid", from: "2026-04-14", to: "2026-04-20"), actor: actor)
            }
            await expectRefusal("leave.over_balance", field: "to") {
                try await culise.requestLeave(
                    company: company, employee: "E1", LeaveInput(type: "annual", from: "2026-06-01", to: "2026-06-30"), actor: actor)
            }
            await expectRefusal("leave.no_contract", field: "from") {
                try await culise.requestLeave(
                    company: company, employee: "E1", LeaveInput(type: "annual", from: "2026-03-30", to: "2026-04-02"), actor: actor)
            }
            await expectRefusal("leave.type", field: "type") {
                try await culise.requestLeave(
                    company: company, employee: "E1", LeaveInput(type: "sabbatical", from: "2026-05-04", to: "2026-05-05"), actor: actor)
            }
            await expectRefusal("leave.note", field: "note") {
                try await culise.requestLeave(
                    company: company, employee: "E1",
                    LeaveInput(type: "unpaid", from: "2026-05-04", to: "2026-05-05", note: String(repeating: "x", count: 501)), actor: actor
                )
            }
            await expectRefusal("leave.dates", field: "to") {
                try await culise.requestLeave(
                    company: company, employee: "E1", LeaveInput(type: "unpaid", from: "2026-12-30", to: "2027-01-05"), actor: actor)
            }
            _ = try await culise.decideLeave(company: company, id: easter.id, .approve, actor: actor)
            await expectRefusal("leave.illegal_transition", field: "action") {
                try await culise.decideLeave(company: company, id: easter.id, .approve, actor: actor)
            }
            await expectRefusal("leave.not_found") {
                try await culise.decideLeave(company: company, id: LeaveID.generate(now: Date()), .approve, actor: actor)
            }
            let after = try #require(try await culise.leaveBalances(company: company, year: 2026, actor: actor).first)
            #expect(after.taken == 3 && after.remaining == 13)
            // Next year: the unused 13 days carry over.
            #expect(try await culise.leaveBalances(company: company, year: 2027, actor: actor).first?.carriedOver == 13)
            let calendar = try await culise.leaveRequests(
                company: company, employee: nil, from: try Self.date("2026-04-01"), to: try Self.date("2026-04-30"), actor: actor)
            #expect(calendar.map(\.state) == [.approved])
            // The April timesheet: the approved leave as CO on its working days, Good Friday and Easter Monday as SL.
            let april = try YearMonth(year: 2026, month: 4)
            #expect(try await culise.generateTimesheets(company: company, month: april, employee: nil, actor: actor) == 1)
            let sheet = try await culise.timesheet(company: company, employee: "E1", month: april, actor: actor)
            let codes = Dictionary(uniqueKeysWithValues: sheet.days.map { ($0.date.iso, $0.code) })
            #expect(codes["2026-04-09"] == "CO" && codes["2026-04-14"] == "CO" && codes["2026-04-15"] == "CO")
            #expect(codes["2026-04-10"] == "SL" && codes["2026-04-13"] == "SL")
            #expect(sheet.hours == (20 - 3) * 8 && sheet.state == .draft)
            // Approved, it is locked; reopened (audited), it changes; a second approval locks it again.
            _ = try await culise.decideTimesheet(company: company, employee: "E1", month: april, .approve, actor: actor)
            await expectRefusal("timesheet.locked") {
                try await culise.editTimesheet(
                    company: company, employee: "E1", month: april, date: try Self.date("2026-04-02"), hours: 10, code: "ON", actor: actor)
            }
            await expectRefusal("timesheet.illegal_transition", field: "action") {
                try await culise.decideTimesheet(company: company, employee: "E1", month: april, .approve, actor: actor)
            }
            #expect(try await culise.generateTimesheets(company: company, month: april, employee: nil, actor: actor) == 0)
            _ = try await culise.decideTimesheet(company: company, employee: "E1", month: april, .reopen, actor: actor)
            let edited = try await culise.editTimesheet(
                company: company, employee: "E1", month: april, date: try Self.date("2026-04-02"), hours: 10, code: "ON", actor: actor)
            #expect(edited.hours == (20 - 3) * 8 + 2)
            let reopenings = try await culise.transaction { db in
                try await db.raw(
                    "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'timesheet.reopen' AND company_id = \(bind: company.description)"
                ).first()?.decode(column: "n", as: Int64.self) ?? 0
            }
            #expect(reopenings == 1)
            await expectRefusal("timesheet.not_found") {
                try await culise.timesheet(company: company, employee: "E1", month: try YearMonth(year: 2026, month: 1), actor: actor)
            }
            // March: no contract yet, so no timesheet.
            #expect(
                try await culise.generateTimesheets(
                    company: company, month: try YearMonth(year: 2026, month: 3), employee: nil, actor: actor) == 0)
            // One employee who does not exist is "not found", not a silent nothing (found by schemathesis).
            await expectRefusal("employee.not_found") {
                try await culise.generateTimesheets(
                    company: company, month: try YearMonth(year: 2026, month: 3), employee: String(repeating: "0", count: 31), actor: actor)
            }
        }
    }

    @Test(arguments: Engine.available)
    func theCalendarHasItsBound(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let cid = company.description
            try await culise.transaction { db in
                try await SQLBulk.insert(
                    db, into: "leave_requests",
                    columns: [
                        "company_id", "id", "employee", "type", "from_date", "to_date", "year", "days", "state", "requested_by",
                        "created_at",
                    ],
                    values: (0...Limits.leaveListed).map {
                        [
                            .text(cid), .text("L\($0)"), .text("E\($0)"), .text("unpaid"), .text("2026-05-04"), .text("2026-05-04"),
                            .int(2026), .int(1),
                            .text("requested"), .text("t"), .text("x"),
                        ]
                    })
            }
            await expectRefusal("leave.too_many") {
                try await culise.leaveRequests(
                    company: company, employee: nil, from: try Self.date("2026-05-01"), to: try Self.date("2026-05-31"), actor: .user(admin)
                )
            }
        }
    }
}
