import Application
import ArgumentParser
import Foundation
import Kernel
import People
import PeopleApp

/// `culise recruit …`: openings, applicants on the board, interviews, offers and the hire.
struct RecruitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recruit",
        abstract: "Recruitment: openings, applicants, interviews, offers; hiring creates the employee and the contract.",
        subcommands: [Open.self, Openings.self, Board.self, Close.self, Apply.self, Move.self, Interview.self, Offer.self, Hire.self])

    static func opening(_ text: String) throws -> OpeningID {
        guard let id = OpeningID(string: text) else { throw CLIError(message: "'\(text)' is not an opening id.") }
        return id
    }

    static func applicant(_ text: String) throws -> ApplicantID {
        guard let id = ApplicantID(string: text) else { throw CLIError(message: "'\(text)' is not an applicant id.") }
        return id
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a position to recruit for.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option var title: String
        @Option var department: String?
        @Option(help: "A position of the company; its COR code is used when --cor-code is not given.") var position: String?
        @Option var corCode: String?
        @Option var headcount = 1
        @Option var description: String?

        func run() async throws {
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.openOpening(
                    company: company.id,
                    OpeningInput(
                        title: title, department: department, position: position, corCode: corCode, headcount: headcount,
                        description: description), actor: .system("recruit open"))
            }
            print("\(record.id) \(record.title): open, \(record.headcount) to hire (COR \(record.corCode))")
        }
    }

    struct Openings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Openings with their applicants per stage.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption

        func run() async throws {
            let items = try await CLI.inCompany(global, target) { culise, company in
                try await culise.openings(company: company.id, actor: .system("recruit openings"))
            }
            for item in items {
                let stages = ApplicantStage.board.compactMap { stage in item.counts[stage].map { "\(stage.rawValue) \($0)" } }
                print(
                    "\(item.id) \(item.state.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(item.title): \(stages.joined(separator: ", "))"
                )
            }
        }
    }

    struct Board: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An opening's applicants by stage.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument var opening: String

        func run() async throws {
            let id = try RecruitCommand.opening(opening)
            let (record, applicants) = try await CLI.inCompany(global, target) { culise, company in
                try await culise.opening(company: company.id, id: id, actor: .system("recruit board"))
            }
            print("\(record.title) (\(record.state.rawValue))")
            for stage in ApplicantStage.board {
                let here = applicants.filter { $0.stage == stage }
                guard !here.isEmpty else { continue }
                print("\(stage.rawValue):")
                for applicant in here { print("  \(applicant.id) \(applicant.name)\(applicant.averageScore.map { " score \($0)" } ?? "")") }
            }
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close an opening (or --reopen it).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument var opening: String
        @Flag var reopen = false

        func run() async throws {
            let id = try RecruitCommand.opening(opening)
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.decideOpening(company: company.id, id: id, reopen ? .reopen : .close, actor: .system("recruit close"))
            }
            print("\(record.id): \(record.state.rawValue)")
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an applicant to an opening, with their CV and consent.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument var opening: String
        @Option var lastName: String
        @Option var firstName: String
        @Option var email: String?
        @Option var phone: String?
        @Option var source: String?
        @Option(help: "The day they consented to the processing of their data.") var consentDate: String
        @Option(help: "Keep their data until this day if not hired (default: six months after the consent).") var retainUntil: String?
        @Option(help: "The CV (PDF, DOCX, …).") var cv: String?

        func run() async throws {
            let id = try RecruitCommand.opening(opening)
            let file = try cv.map { path in
                let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                guard size <= Limits.documentBytes else {
                    throw CLIError(message: "\(path) has \(size) bytes; a document has at most \(Limits.documentBytes) (20 MiB).")
                }
                return (name: URL(fileURLWithPath: path).lastPathComponent, data: try Data(contentsOf: URL(fileURLWithPath: path)))
            }
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.addApplicant(
                    company: company.id, opening: id,
                    ApplicantInput(
                        lastName: lastName, firstName: firstName, email: email, phone: phone, source: source, consentDate: consentDate,
                        retainUntil: retainUntil), cv: file, actor: .system("recruit apply"))
            }
            print("\(record.id) \(record.name): applied, data kept until \(record.applicant.retainUntil.iso) unless hired")
        }
    }

    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move an applicant: advance, back or reject.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument var applicant: String
        @Argument(help: "advance, back or reject.") var action: String

        func run() async throws {
            let id = try RecruitCommand.applicant(applicant)
            guard let move = ApplicantStage.Action(rawValue: action) else {
                throw CLIError(message: "'\(action)' is not a move; use advance, back or reject.")
            }
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.moveApplicant(company: company.id, id: id, move, actor: .system("recruit move"))
            }
            print("\(record.id) \(record.name): \(record.stage.rawValue)")
        }
    }

    struct Interview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record an interview with its interviewers and score.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument var applicant: String
        @Option(help: "Day and time, e.g. 2026-12-10T10:30.") var at: String
        @Option(help: "Interviewers, comma-separated.") var interviewers: String
        @Option(help: "1 (weak) to 5 (strong).") var score: Int?
        @Option var notes: String?

        func run() async throws {
            let id = try RecruitCommand.applicant(applicant)
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.recordInterview(
                    company: company.id, applicant: id,
                    InterviewInput(at: at, interviewers: interviewers.split(separator: ",").map(String.init), score: score, notes: notes),
                    actor: .system("recruit interview"))
            }
            print("\(record.id) \(record.name): \(record.interviews.count) interviews\(record.averageScore.map { ", score \($0)" } ?? "")")
        }
    }

    struct Offer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make an offer: gross salary, start date, hours a day.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument var applicant: String
        @Option(help: "Gross monthly salary in lei, e.g. 6500.") var salary: String
        @Option var start: String
        @Option var normHours = 8

        func run() async throws {
            let id = try RecruitCommand.applicant(applicant)
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.makeOffer(
                    company: company.id, applicant: id, OfferInput(salary: salary, start: start, normHours: normHours),
                    actor: .system("recruit offer"))
            }
            print("\(record.id) \(record.name): offer \(salary) lei from \(start)")
        }
    }

    struct Hire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Hire an applicant with an offer: the employee and the contract are made from the applicant, the opening and the offer.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument var applicant: String
        @Option(help: "The new employee's code.") var code: String
        @Option var cnp: String
        @Option var contractNumber: String
        @Option(help: "The day the contract is signed (default today).") var signed: String?
        @Option(help: "indefinite or fixed:YYYY-MM-DD.") var duration: String?
        @Option var leaveDays: Int?
        @Option var probationDays: Int?
        @Option var iban: String?

        func run() async throws {
            let id = try RecruitCommand.applicant(applicant)
            let record = try await CLI.inCompany(global, target) { culise, company in
                try await culise.hireApplicant(
                    company: company.id, applicant: id,
                    HireInput(
                        code: code, cnp: cnp, contractNumber: contractNumber, signed: signed, duration: duration, leaveDays: leaveDays,
                        probationDays: probationDays, iban: iban), actor: .system("recruit hire"))
            }
            print("\(record.employee.code) \(record.employee.name): hired, contract \(contractNumber) waiting for REGES-ONLINE")
        }
    }
}
