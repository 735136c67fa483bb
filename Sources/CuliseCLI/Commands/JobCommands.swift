import Application
import ArgumentParser
import Assembly
import BankingApp
import EFactura
import Foundation
import InvoicingApp
import Jobs
import Kernel
import LedgerApp
import PartnersApp

extension CLI {
    /// The handlers of the standard jobs, configured from the environment (ANAF, backups, e-mail).
    static func jobHandlers(_ configuration: Configuration, anaf: ANAFConfiguration? = nil) -> JobHandlers {
        let anaf =
            anaf
            ?? configuration.anafURL.flatMap(URL.init(string:)).map { ANAFConfiguration(baseURL: $0, token: configuration.anafToken ?? "") }
        return StandardJobs.handlers(
            JobEnvironment(
                anaf: anaf, backupFolder: configuration.backupFolder, backupKeep: configuration.backupKeep, smtp: configuration.smtp))
    }
}

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "The background-job queue: what ran, when, and what failed; retry, run, schedule.",
        subcommands: [List.self, Show.self, Run.self, Retry.self, Schedules.self, Schedule.self, Work.self])

    static func describe(_ job: JobRecord) -> String {
        let due = Timestamp.format(Date(timeIntervalSince1970: TimeInterval(job.runAt)))
        let outcome = job.state == .succeeded ? (job.result ?? "") : (job.lastError ?? "")
        return
            "\(job.id)  \(job.kind.padding(toLength: 20, withPad: " ", startingAt: 0)) \(job.state.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) attempts \(job.attempts)/\(job.maxAttempts)  due \(due)  \(outcome.prefix(100))"
    }

    static func id(_ text: String) throws -> JobID {
        guard let id = JobID(string: text) else {
            throw CLIError(message: "'\(text)' is not a job id (a UUID, as `culise jobs list` shows).")
        }
        return id
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "queued, running, succeeded or dead.") var state: String?
        @Option(help: "How many (1–500).") var limit = 50

        func run() async throws {
            let state = try self.state.map { text -> JobState in
                guard let state = JobState(rawValue: text) else {
                    throw CLIError(message: "--state: use queued, running, succeeded or dead.")
                }
                return state
            }
            let page = try await CLI.run(try global.configuration()) { culise in
                try await culise.jobs(state: state, company: nil, page: try PageRequest(limit: limit), actor: .system("jobs list"))
            }
            for job in page.items { print(JobsCommand.describe(job)) }
            print("\(page.items.count) of \(page.total) jobs")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One job and each of its attempts.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Job id.") var id: String

        func run() async throws {
            let id = try JobsCommand.id(self.id)
            let (job, attempts) = try await CLI.run(try global.configuration()) { culise in
                try await culise.job(id, company: nil, actor: .system("jobs show"))
            }
            print(JobsCommand.describe(job))
            print("payload: \(job.payload)")
            for attempt in attempts {
                print(
                    "  attempt \(attempt.attempt) by \(attempt.worker) at \(attempt.startedAt): \(attempt.outcome ?? "running")\(attempt.error.map { " — \($0)" } ?? "")"
                )
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run one queued (or dead) job now, in this process.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Job id.") var id: String

        func run() async throws {
            let id = try JobsCommand.id(self.id)
            let configuration = try global.configuration()
            let job = try await CLI.run(configuration) { culise in
                try await culise.runJobNow(id, company: nil, actor: .system("jobs run"))
                let worker = JobWorker(culise: culise, handlers: CLI.jobHandlers(configuration), batch: 1)
                // Claims due jobs oldest first; this one is due now, so it is claimed in the first passes.
                for _ in 0..<100 {
                    let current = try await culise.job(id, company: nil, actor: .system("jobs run")).0
                    if current.state != .queued || current.runAt > Int64(culise.clock().timeIntervalSince1970) { break }
                    if try await worker.runOnce() == 0 { break }
                }
                return try await culise.job(id, company: nil, actor: .system("jobs run")).0
            }
            print(JobsCommand.describe(job))
            if job.state != .succeeded { throw ExitCode(1) }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a dead job back in the queue with fresh attempts.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Job id.") var id: String

        func run() async throws {
            let id = try JobsCommand.id(self.id)
            let job = try await CLI.run(try global.configuration()) { culise in
                try await culise.retryJob(id, company: nil, actor: .system("jobs retry"))
            }
            print(JobsCommand.describe(job))
        }
    }

    struct Schedules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the schedules and when each fires next (Europe/Bucharest).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let schedules = try await CLI.run(try global.configuration()) { culise in
                try await culise.installStandardSchedules()
                return try await culise.schedules(company: nil, actor: .system("jobs schedules"))
            }
            for schedule in schedules {
                let next = Date(timeIntervalSince1970: TimeInterval(schedule.nextRunAt))
                print(
                    "\(schedule.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(schedule.kind.padding(toLength: 20, withPad: " ", startingAt: 0)) \(schedule.cron.padding(toLength: 16, withPad: " ", startingAt: 0)) \(schedule.active ? "next \(Timestamp.format(next))" : "inactive")"
                )
            }
        }
    }

    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add or change a schedule (cron: minute hour day month weekday).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Schedule name (backup, dunning, …).") var name: String
        @Option(
            help:
                "Job kind (backup.sqlite, dunning.remind, efactura.poll, efactura.fetch, partners.followups, people.reminders, filings.reminders)."
        )
        var kind: String
        @Option(help: "Cron expression, read in Europe/Bucharest: \"30 2 * * *\" is 02:30 every day.") var cron: String
        @Flag(help: "Keep the schedule but stop firing it.") var inactive = false

        func run() async throws {
            let schedule = try await CLI.run(try global.configuration()) { culise in
                try await culise.setSchedule(name: name, kind: kind, cron: cron, active: !inactive, actor: .system("jobs schedule"))
            }
            print(
                "\(schedule.name): \(schedule.cron), next \(Timestamp.format(Date(timeIntervalSince1970: TimeInterval(schedule.nextRunAt))))"
            )
        }
    }

    struct Work: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Work the queue in this process (as serve does); --once runs what is due and exits.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Run the due jobs once and exit.") var once = false

        func run() async throws {
            let configuration = try global.configuration()
            try await CLI.run(configuration) { culise in
                try await culise.installStandardSchedules()
                let worker = JobWorker(culise: culise, handlers: CLI.jobHandlers(configuration))
                if once {
                    var total = 0
                    while true {
                        let ran = try await worker.runOnce()
                        total += ran
                        if ran == 0 { break }
                    }
                    print("\(total) jobs ran")
                } else {
                    await worker.run()
                }
            }
        }
    }
}
