import Application
import BankingApp
import Companies
import EFactura
import FilingsApp
import Foundation
import InvoicingApp
import Jobs
import Kernel
import LedgerApp
import Mail
import PartnersApp
import PeopleApp
import Storage

/// What the standard jobs need from the configuration.
public struct JobEnvironment: Sendable {
    /// ANAF e-Factura; nil: the e-Factura jobs succeed without doing anything and say so.
    public var anaf: ANAFConfiguration?
    /// Where nightly SQLite backups go (default: a `backups` folder beside the database) and how many are kept.
    public var backupFolder: String?
    public var backupKeep: Int
    /// Outgoing e-mail; nil: mail jobs fail and wait until it is configured.
    public var smtp: SMTPSettings?

    public init(anaf: ANAFConfiguration? = nil, backupFolder: String? = nil, backupKeep: Int = 14, smtp: SMTPSettings? = nil) {
        self.anaf = anaf
        self.smtp = smtp
        self.backupFolder = backupFolder
        self.backupKeep = backupKeep
    }
}

/// The jobs every installation runs, and their default schedules (Europe/Bucharest). An administrator changes a
/// schedule with `culise jobs schedule`; `serve` adds only the ones missing, so changes survive restarts.
public enum StandardJobs {
    public static let schedules: [(name: String, kind: String, cron: String)] = [
        ("efactura-status", "efactura.poll", "*/15 * * * *"),
        ("efactura-inbox", "efactura.fetch", "7 * * * *"),
        ("dunning", "dunning.remind", "0 9 * * 1-5"),
        ("follow-ups", "partners.followups", "30 8 * * *"),
        ("people-reminders", "people.reminders", "0 8 * * 1"),
        ("filing-reminders", "filings.reminders", "15 8 * * *"),
        ("backup", "backup.sqlite", "30 2 * * *"),
    ]

    public static func handlers(_ environment: JobEnvironment) -> JobHandlers {
        var handlers = JobHandlers()
        handlers.register("efactura.poll") { culise, job in try await culise.pollEFactura(job, environment) }
        handlers.register("efactura.fetch") { culise, job in try await culise.fetchSupplierEInvoices(job, environment) }
        handlers.register("dunning.remind") { culise, job in try await culise.remindOverdue(job) }
        handlers.register("partners.followups") { culise, job in try await culise.followUpsDue(job) }
        handlers.register("people.reminders") { culise, job in try await culise.peopleReminders(job) }
        handlers.register("filings.reminders") { culise, job in try await culise.filingReminders(job) }
        handlers.register("backup.sqlite") { culise, _ in try await culise.nightlyBackup(environment) }
        handlers.register("mail.send") { culise, job in try await culise.sendQueuedMail(job, smtp: environment.smtp) }
        return handlers
    }
}

extension Culise {
    /// Adds the standard schedules that do not exist yet.
    public func installStandardSchedules() async throws {
        for schedule in StandardJobs.schedules {
            try await ensureSchedule(name: schedule.name, kind: schedule.kind, cron: schedule.cron)
        }
    }

    /// The companies a job covers: its own, or every company for an installation-wide job.
    func jobCompanies(_ job: JobRecord) async throws -> [Company] {
        let all = try await allCompanies()
        guard let company = job.company else { return all }
        return all.filter { $0.id == company }
    }

    func pollEFactura(_ job: JobRecord, _ environment: JobEnvironment) async throws -> String {
        guard let anaf = environment.anaf else { return "skipped: ANAF e-Factura is not configured" }
        let client = ANAFClient(anaf)
        var checked = 0
        for company in try await jobCompanies(job) {
            checked += try await refreshEFactura(company: company.id, client: client, actor: .system("job efactura.poll")).count
        }
        return "\(checked) uploaded invoices checked"
    }

    /// Downloads the supplier e-invoices SPV lists for each company's CUI (the last 60 days) and ingests them as draft
    /// bills; those already ingested are recognised as duplicates.
    func fetchSupplierEInvoices(_ job: JobRecord, _ environment: JobEnvironment) async throws -> String {
        guard let anaf = environment.anaf else { return "skipped: ANAF e-Factura is not configured" }
        let client = ANAFClient(anaf)
        var created = 0
        var duplicates = 0
        for company in try await jobCompanies(job) {
            let messages = try await client.messages(days: 60, cif: company.cui.digits).filter { $0.type.uppercased().contains("PRIMIT") }
            for message in messages {
                let zip = try await client.download(id: message.id)
                let outcomes = try await ingestEInvoices(
                    company: company.id, files: [("spv-\(message.id).zip", zip)], actor: .system("job efactura.fetch"))
                created += outcomes.filter { $0.result == .created }.count
                duplicates += outcomes.filter { $0.result == .duplicate }.count
            }
        }
        return "\(created) new supplier e-invoices, \(duplicates) already known"
    }

    func remindOverdue(_ job: JobRecord) async throws -> String {
        var notices = 0
        for company in try await jobCompanies(job) {
            notices += try await dunningRun(company: company.id, asOf: today, language: "ro", actor: .system("job dunning.remind")).count
        }
        return "\(notices) dunning notices"
    }

    func followUpsDue(_ job: JobRecord) async throws -> String {
        var due = 0
        for company in try await jobCompanies(job) {
            due += try await followUpsDueCount(company: company.id, dueBy: today, actor: .system("job follow-ups"))
        }
        return "\(due) follow-ups due"
    }

    /// Each Monday morning: mandatory training to do or renew, policies not yet acknowledged.
    func peopleReminders(_ job: JobRecord) async throws -> String {
        var training = 0
        var policies = 0
        var unreachable = 0
        for company in try await jobCompanies(job) {
            let run = try await sendPeopleReminders(company: company.id, actor: .system("job people.reminders"))
            training += run.training
            policies += run.policies
            unreachable += run.withoutEmail.count
        }
        return "\(training) training reminders, \(policies) policy reminders queued; \(unreachable) employees without an e-mail address"
    }

    /// Each morning: declarations due within five days, or overdue, and not filed (D112 so far).
    func filingReminders(_ job: JobRecord) async throws -> String {
        var months = 0
        for company in try await jobCompanies(job) {
            months += try await remindPayrollDeclarations(company: company.id, actor: .system("job filings.reminders"))
            months += try await remindTaxFilings(company: company.id, actor: .system("job filings.reminders"))
        }
        return "\(months) declarations due or overdue reminded"
    }

    /// A consistent copy of the SQLite database, keeping the newest `backupKeep` copies. PostgreSQL is backed up with
    /// pg_dump by its operator: the job says so and succeeds.
    func nightlyBackup(_ environment: JobEnvironment) async throws -> String {
        guard case .sqlite(let path) = database.location else { return "skipped: PostgreSQL is backed up with pg_dump" }
        let folder =
            environment.backupFolder
            ?? URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("backups").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let stamp = Timestamp.format(now).filter { $0.isNumber }.prefix(14)
        let file = URL(fileURLWithPath: folder).appendingPathComponent("culise-\(stamp).db").path
        if !FileManager.default.fileExists(atPath: file) { try await backup(to: file) }
        let copies = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasPrefix("culise-") && $0.hasSuffix(".db") }.sorted()
        for old in copies.dropLast(max(1, environment.backupKeep)) {
            try FileManager.default.removeItem(atPath: URL(fileURLWithPath: folder).appendingPathComponent(old).path)
        }
        return "backup \(file); \(min(copies.count, max(1, environment.backupKeep))) kept"
    }
}
