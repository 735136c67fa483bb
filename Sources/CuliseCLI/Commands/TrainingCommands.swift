import Application
import ArgumentParser
import Foundation
import Kernel
import People
import PeopleApp

/// `culise training …`: courses, sessions, attendance (certificates), the compliance report and reminders.
struct TrainingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training", abstract: "Training: courses (SSM and PSI mandatory), sessions, certificates with expiry, reminders.",
        subcommands: [
            Course.self, Courses.self, Schedule.self, Sessions.self, Enrol.self, Attend.self, Compliance.self, Remind.self, Skill.self,
            Level.self, Matrix.self,
        ])

    static func session(_ text: String) throws -> SessionID {
        guard let id = SessionID(string: text) else { throw CLIError(message: "'\(text)' is not a session id.") }
        return id
    }

    struct Course: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a course, or change one.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var code: String
        @Option var title: String
        @Flag(help: "Every employee must hold a valid certificate (periodic SSM, PSI).") var mandatory = false
        @Option(help: "Months a certificate stays valid (none: it does not expire).") var validityMonths: Int?

        func run() async throws {
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.saveCourse(
                    company: company.id, CourseInput(code: code, title: title, mandatory: mandatory, validityMonths: validityMonths),
                    actor: .system("training course"))
            }
            print(
                "\(record.code) \(record.title)\(record.mandatory ? ", mandatory" : "")\(record.validityMonths.map { ", valid \($0) months" } ?? "")"
            )
        }
    }

    struct Courses: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The company's courses.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption

        func run() async throws {
            let items = try await CLI.inCompany(global, target) { culise, company in
                try await culise.courses(company: company.id, actor: .system("training courses"))
            }
            for item in items {
                print(
                    "\(item.code.padding(toLength: 10, withPad: " ", startingAt: 0)) \(item.mandatory ? "mandatory" : "         ") \(item.validityMonths.map { "\($0) months" } ?? "no expiry")  \(item.title)"
                )
            }
        }
    }

    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Schedule a session of a course.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var course: String
        @Option var date: String
        @Option var trainer: String
        @Option var location: String?
        @Option var capacity = 20

        func run() async throws {
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.scheduleSession(
                    company: company.id, SessionInput(course: course, date: date, trainer: trainer, location: location, capacity: capacity),
                    actor: .system("training schedule"))
            }
            print("\(record.id) \(record.course) \(record.date.iso): \(record.capacity) places")
        }
    }

    struct Sessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sessions with their enrolments.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption

        func run() async throws {
            let items = try await CLI.inCompany(global, target) { culise, company in
                try await culise.trainingSessions(company: company.id, actor: .system("training sessions"))
            }
            for item in items {
                let states = Dictionary(grouping: item.enrolments, by: \.state).map { "\($0.key.rawValue) \($0.value.count)" }.sorted()
                print("\(item.id) \(item.date.iso) \(item.course) (\(item.trainer)): \(states.joined(separator: ", "))")
            }
        }
    }

    struct Enrol: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enrol employees in a session.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument var session: String
        @Option(help: "Employee codes, comma-separated.") var employees: String

        func run() async throws {
            let id = try TrainingCommand.session(session)
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.enrol(
                    company: company.id, session: id, employees: employees.split(separator: ",").map(String.init),
                    actor: .system("training enrol"))
            }
            print("\(record.id): \(record.enrolments.count) enrolled of \(record.capacity)")
        }
    }

    struct Attend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record attendance: complete (issues the certificate), absent or cancel.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument var session: String
        @Option var employee: String
        @Argument(help: "complete, absent or cancel.") var action: String

        func run() async throws {
            let id = try TrainingCommand.session(session)
            guard let attendance = EnrolmentState.Action(rawValue: action) else {
                throw CLIError(message: "'\(action)' is not an attendance; use complete, absent or cancel.")
            }
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.recordAttendance(
                    company: company.id, session: id, employee: employee, attendance, actor: .system("training attend"))
            }
            print("\(record.employee): \(record.state.rawValue)\(record.expiresOn.map { ", valid through \($0.iso)" } ?? "")")
        }
    }

    struct Compliance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mandatory training: who is missing, expired or expiring (within 30 days).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "The day (default today).") var on: String?
        @Flag(help: "List the valid ones too.") var all = false

        func run() async throws {
            let day = try on.map { try LocalDate(iso: $0) }
            let lines = try await CLI.inCompany(global, target) { culise, company in
                try await culise.trainingCompliance(company: company.id, on: day ?? culise.today, actor: .system("training compliance"))
            }
            for line in lines where all || line.status != .valid {
                print(
                    "\(line.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(line.course.padding(toLength: 8, withPad: " ", startingAt: 0)) \(line.employee.padding(toLength: 8, withPad: " ", startingAt: 0)) \(line.name)\(line.expiresOn.map { "  until \($0.iso)" } ?? "")"
                )
            }
            print("\(lines.filter { $0.status == .valid }.count) of \(lines.count) valid")
        }
    }

    struct Remind: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "E-mail employees whose mandatory training is missing, expired or expiring.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption

        func run() async throws {
            let result = try await CLI.inCompany(global, target) { culise, company in
                try await culise.remindTraining(company: company.id, actor: .system("training remind"))
            }
            print(
                "\(result.queued) reminders queued"
                    + (result.withoutEmail.isEmpty ? "" : "; no e-mail address: \(result.withoutEmail.joined(separator: ", "))"))
        }
    }

    struct Skill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a skill to the matrix, or rename one.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var code: String
        @Option var name: String

        func run() async throws {
            let skill = try await CLI.inCompany(global, target) { culise, company in
                try await culise.saveSkill(company: company.id, SkillInput(code: code, name: name), actor: .system("training skill"))
            }
            print("\(skill.code) \(skill.name)")
        }
    }

    struct Level: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set an employee's level in a skill: 1 beginner … 4 expert, 0 removes it.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var employee: String
        @Option var skill: String
        @Option var level: Int

        func run() async throws {
            try await CLI.inCompany(global, target) { culise, company in
                try await culise.setSkillLevel(
                    company: company.id, employee: employee, skill: skill, level: level == 0 ? nil : level, actor: .system("training level")
                )
            }
            print("\(employee.uppercased()) \(skill.uppercased()): \(level == 0 ? "removed" : String(level))")
        }
    }

    struct Matrix: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The skills matrix of a department (and those under it).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var department: String?

        func run() async throws {
            let matrix = try await CLI.inCompany(global, target) { culise, company in
                try await culise.skillsMatrix(company: company.id, department: department, actor: .system("training matrix"))
            }
            print((["employee".padding(toLength: 24, withPad: " ", startingAt: 0)] + matrix.skills.map(\.code)).joined(separator: " "))
            for row in matrix.rows {
                let cells = matrix.skills.map { skill in
                    (row.levels[skill.code].map(String.init) ?? "·").padding(toLength: skill.code.count, withPad: " ", startingAt: 0)
                }
                print(([("\(row.employee) \(row.name)").padding(toLength: 24, withPad: " ", startingAt: 0)] + cells).joined(separator: " "))
            }
        }
    }
}
