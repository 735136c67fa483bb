import Application
import Foundation
import Kernel
import People
import PeopleApp
import SQLKit
import TestSupport
import Testing

/// Training on both engines: a mandatory SSM course valid six months, a session, enrolment within capacity, attendance
/// that issues the certificate, the compliance report (missing, expiring, expired, valid) and the reminders.
@Suite struct TrainingAppTests {
    @Test(arguments: Engine.available)
    func certificatesAndCompliance(_ engine: Engine) async throws {
        let clock = ManualClock("2026-03-02T09:00:00Z")
        try await TestDatabase.withCulise(engine, clock: clock.now) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            for (code, cnp, email) in [
                ("E1", PeopleSamples.cnp(2, 90, 5, 17), "e1@exemplu.ro"), ("E2", PeopleSamples.cnp(1, 85, 3, 2), nil),
                ("E3", PeopleSamples.cnp(1, 88, 7, 9), "e3@exemplu.ro"),
            ] {
                _ = try await culise.addEmployee(
                    company: company, EmployeeInput(code: code, lastName: "Nume\(code)", firstName: "Ana", cnp: cnp, email: email),
                    contract: ContractTerms(
                        number: "CIM-\(code)", signed: try LocalDate(iso: "2020-01-06"), start: try LocalDate(iso: "2020-01-07"),
                        duration: .indefinite, normHours: 8, baseSalary: Money(minorUnits: 600_000, currency: .ron), position: "AGENT",
                        corCode: "332202"),
                    actor: actor)
            }
            let ssm = try await culise.saveCourse(
                company: company, CourseInput(code: "ssm", title: "Instruire periodică SSM", mandatory: true, validityMonths: 6),
                actor: actor)
            #expect(ssm.code == "SSM" && ssm.mandatory)
            _ = try await culise.saveCourse(company: company, CourseInput(code: "EXCEL", title: "Excel avansat"), actor: actor)
            // Nobody holds SSM yet: three lines, all missing.
            var report = try await culise.trainingCompliance(company: company, on: culise.today, actor: actor)
            #expect(report.count == 3 && report.allSatisfy { $0.status == .missing && $0.course == "SSM" })

            let session = try await culise.scheduleSession(
                company: company, SessionInput(course: "ssm", date: "2025-09-15", trainer: "Ing. Pop", location: "Sala mare", capacity: 2),
                actor: actor)
            await expectRefusal("session.full", field: "employees") {
                try await culise.enrol(company: company, session: session.id, employees: ["E1", "E2", "E3"], actor: actor)
            }
            await expectRefusal("session.employee_unknown", field: "employees") {
                try await culise.enrol(company: company, session: session.id, employees: ["E1", "E9"], actor: actor)
            }
            _ = try await culise.enrol(company: company, session: session.id, employees: ["e1", "E2"], actor: actor)
            let again = try await culise.enrol(company: company, session: session.id, employees: ["E1"], actor: actor)
            #expect(again.enrolments.map(\.employee) == ["E1", "E2"])
            let done = try await culise.recordAttendance(company: company, session: session.id, employee: "E1", .complete, actor: actor)
            #expect(try done.completedOn == LocalDate(iso: "2025-09-15") && done.expiresOn == LocalDate(iso: "2026-03-14"))
            _ = try await culise.recordAttendance(company: company, session: session.id, employee: "E2", .absent, actor: actor)
            await expectRefusal("enrolment.illegal_transition", field: "action") {
                try await culise.recordAttendance(company: company, session: session.id, employee: "E2", .complete, actor: actor)
            }
            await expectRefusal("enrolment.not_found", field: "employee") {
                try await culise.recordAttendance(company: company, session: session.id, employee: "E3", .complete, actor: actor)
            }
            let later = try await culise.scheduleSession(
                company: company, SessionInput(course: "SSM", date: "2026-03-20", trainer: "Ing. Pop"), actor: actor)
            _ = try await culise.enrol(company: company, session: later.id, employees: ["E3"], actor: actor)
            await expectRefusal("enrolment.future", field: "action") {
                try await culise.recordAttendance(company: company, session: later.id, employee: "E3", .complete, actor: actor)
            }
            // On 2 March E1's certificate (valid through 14 March) is expiring; E2 and E3 have none.
            report = try await culise.trainingCompliance(company: company, on: culise.today, actor: actor)
            #expect(report.map { "\($0.employee) \($0.status.rawValue)" } == ["E2 missing", "E3 missing", "E1 expiring"])
            report = try await culise.trainingCompliance(company: company, on: try LocalDate(iso: "2026-03-15"), actor: actor)
            #expect(report.last?.status == .expired)
            // Reminders: E1 and E3 have an address, E2 has none.
            let reminded = try await culise.remindTraining(company: company, actor: actor)
            #expect(reminded.queued == 2 && reminded.withoutEmail == ["E2"])
            clock.set("2026-03-21T09:00:00Z")
            _ = try await culise.recordAttendance(company: company, session: later.id, employee: "E3", .complete, actor: actor)
            report = try await culise.trainingCompliance(company: company, on: culise.today, actor: actor)
            #expect(report.first { $0.employee == "E3" }?.status == .valid)
            #expect(try await culise.trainingSessions(company: company, actor: actor).count == 2)
        }
    }

    @Test(arguments: Engine.available)
    func refusalsAndLimits(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            await expectRefusals(["course.code", "course.title", "course.validity"]) {
                try await culise.saveCourse(
                    company: company, CourseInput(code: "S S", title: "", validityMonths: Limits.certificateValidityMonths + 1),
                    actor: actor)
            }
            await expectRefusals(["date.format", "session.trainer", "session.location", "session.capacity"]) {
                try await culise.scheduleSession(
                    company: company,
                    SessionInput(
                        course: "SSM", date: "mâine", trainer: " ", location: String(repeating: "l", count: 201),
                        capacity: Limits.sessionCapacity + 1), actor: actor)
            }
            await expectRefusal("course.not_found", field: "course") {
                try await culise.scheduleSession(
                    company: company, SessionInput(course: "NU", date: "2026-03-02", trainer: "X"), actor: actor)
            }
            await expectRefusal("session.not_found") {
                try await culise.trainingSession(company: company, id: SessionID.generate(now: Date()), actor: actor)
            }
            await expectRefusal("session.employees", field: "employees") {
                try await culise.enrol(company: company, session: SessionID.generate(now: Date()), employees: [" "], actor: actor)
            }
            try await culise.database.transaction { db in
                for number in 1..<Limits.courses {
                    try await db.raw(
                        """
                        INSERT INTO courses (company_id, code, title, mandatory, validity_months, created_at)
                        VALUES (\(bind: company.description), \(bind: "C\(number)"), 'Curs', \(bind: false), NULL, '2026-01-01T00:00:00Z')
                        """
                    ).run()
                }
            }
            let last = try await culise.saveCourse(company: company, CourseInput(code: "SSM", title: "SSM"), actor: actor)
            #expect(last.code == "SSM")
            await expectRefusal("course.count", field: "code") {
                try await culise.saveCourse(company: company, CourseInput(code: "PSI", title: "PSI"), actor: actor)
            }
            try await culise.database.transaction { db in
                for number in 0..<Limits.trainingSessions {
                    try await db.raw(
                        """
                        INSERT INTO training_sessions (company_id, id, course, held_on, trainer, capacity, created_at)
                        VALUES (\(bind: company.description), \(bind: "s-\(number)"), 'SSM', '2026-01-01', 'X', 1, '2026-01-01T00:00:00Z')
                        """
                    ).run()
                }
            }
            await expectRefusal("session.count", field: "date") {
                try await culise.scheduleSession(
                    company: company, SessionInput(course: "SSM", date: "2026-03-02", trainer: "X"), actor: actor)
            }
        }
    }

    @Test(arguments: Engine.available)
    func skillsMatrix(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            _ = try await culise.addDepartment(company: company, Department(code: "OPS", name: "Operațiuni"), actor: actor)
            _ = try await culise.addDepartment(company: company, Department(code: "DEP", name: "Depozit", parent: "OPS"), actor: actor)
            _ = try await culise.addDepartment(company: company, Department(code: "ADM", name: "Administrativ"), actor: actor)
            for (code, cnp, department) in [
                ("E1", PeopleSamples.cnp(2, 90, 5, 17), "OPS"), ("E2", PeopleSamples.cnp(1, 85, 3, 2), "DEP"),
                ("E3", PeopleSamples.cnp(1, 88, 7, 9), "ADM"),
            ] {
                _ = try await culise.addEmployee(
                    company: company,
                    EmployeeInput(code: code, lastName: "Nume\(code)", firstName: "Ana", cnp: cnp, department: department),
                    contract: ContractTerms(
                        number: "CIM-\(code)", signed: try LocalDate(iso: "2020-01-06"), start: try LocalDate(iso: "2020-01-07"),
                        duration: .indefinite, normHours: 8, baseSalary: Money(minorUnits: 600_000, currency: .ron), position: "AGENT",
                        corCode: "332202"),
                    actor: actor)
            }
            _ = try await culise.saveSkill(company: company, SkillInput(code: "forklift", name: "Stivuitor"), actor: actor)
            _ = try await culise.saveSkill(company: company, SkillInput(code: "EXCEL", name: "Excel"), actor: actor)
            try await culise.setSkillLevel(company: company, employee: "e2", skill: "forklift", level: 3, actor: actor)
            try await culise.setSkillLevel(company: company, employee: "E1", skill: "EXCEL", level: 2, actor: actor)
            try await culise.setSkillLevel(company: company, employee: "E3", skill: "EXCEL", level: 4, actor: actor)
            try await culise.setSkillLevel(company: company, employee: "E3", skill: "EXCEL", level: nil, actor: actor)
            // Operations and the warehouse under it; not the office.
            let ops = try await culise.skillsMatrix(company: company, department: "ops", actor: actor)
            #expect(ops.skills.map(\.code) == ["EXCEL", "FORKLIFT"] && ops.rows.map(\.employee) == ["E1", "E2"])
            #expect(ops.rows.first { $0.employee == "E2" }?.levels == ["FORKLIFT": 3])
            let everyone = try await culise.skillsMatrix(company: company, department: nil, actor: actor)
            #expect(everyone.rows.count == 3 && everyone.rows.first { $0.employee == "E3" }?.levels == [:])
            await expectRefusals(["skill.code", "skill.name"]) {
                try await culise.saveSkill(company: company, SkillInput(code: "a b", name: ""), actor: actor)
            }
            await expectRefusal("skill.level", field: "level") {
                try await culise.setSkillLevel(company: company, employee: "E1", skill: "EXCEL", level: 5, actor: actor)
            }
            await expectRefusal("skill.not_found", field: "skill") {
                try await culise.setSkillLevel(company: company, employee: "E1", skill: "SUDURA", level: 1, actor: actor)
            }
            await expectRefusal("department.not_found", field: "department") {
                try await culise.skillsMatrix(company: company, department: "NU", actor: actor)
            }
            try await culise.database.transaction { db in
                for number in 2..<Limits.skills {
                    try await db.raw(
                        "INSERT INTO skills (company_id, code, name) VALUES (\(bind: company.description), \(bind: "S\(number)"), 'X')"
                    ).run()
                }
            }
            await expectRefusal("skill.count", field: "code") {
                try await culise.saveSkill(company: company, SkillInput(code: "SUDURA", name: "Sudură"), actor: actor)
            }
            #expect(
                try await culise.saveSkill(company: company, SkillInput(code: "EXCEL", name: "Excel avansat"), actor: actor).name
                    == "Excel avansat")
        }
    }
}
