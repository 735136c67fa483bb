import Application
import Foundation
import Identity
import Kernel
import Ledger
import SQLKit

public struct LedgerImportOptions: Sendable {
    public var journal: String
    public var createAccounts: Bool
    public var dryRun: Bool
    public var batchSize: Int
    /// Rows read from one file before the import is refused (`Limits.importRows`; tests use a small one).
    package var rowLimit = Limits.importRows
    /// Rows (by the file's size) from which an import sets the ledger's indexes aside (`Limits.bulkImportRows`; tests use a small one).
    package var bulkRows = Limits.bulkImportRows

    public init(journal: String = "GEN", createAccounts: Bool = false, dryRun: Bool = false, batchSize: Int = Limits.importBatch) {
        self.journal = journal
        self.createAccounts = createAccounts
        self.dryRun = dryRun
        self.batchSize = batchSize
    }
}

/// What an import did (or, with `dryRun`, would do).
public struct LedgerImportReport: Sendable {
    public var rows = 0
    public var entries = 0
    public var posted = 0
    public var duplicates = 0
    public var failedEntries = 0
    /// Problems with line numbers; the first 1,000 are kept.
    public var problems: [ImportProblem] = []
    public var createdAccounts: [String] = []
    public var createdPartners = 0
    public var dryRun = false
    /// The ledger's secondary indexes were set aside for the import and built again at its end (`LedgerBulkIndexes`).
    public var rebuiltIndexes = false

    public static let maxProblems = 1_000
}

/// Progress of a running import, for a terminal display.
public struct ImportProgress: Sendable {
    public let rows: Int
    public let entries: Int
    public let bytesRead: Int
    /// The rows are in; the ledger's indexes are being built again (a large import).
    public var buildingIndexes = false

    init(rows: Int, entries: Int, bytesRead: Int, buildingIndexes: Bool = false) {
        self.rows = rows
        self.entries = entries
        self.bytesRead = bytesRead
        self.buildingIndexes = buildingIndexes
    }
}

extension Culise {
    /// Imports the ledger CSV format (`txn_id,date,description,partner,account_code,account_name,debit,credit,currency`).
    /// Streams the file, validates every entry, posts in batches (each batch one transaction with its audit row), and is
    /// idempotent: an entry whose `txn_id` was imported before is skipped. A failing entry posts nothing and is reported
    /// with its line numbers; the other entries post. `dryRun` writes nothing.
    public func importLedger(
        company: CompanyID, path: String, options: LedgerImportOptions, actor: Actor, progress: (@Sendable (ImportProgress) -> Void)? = nil
    ) async throws -> LedgerImportReport {
        try ledgerActor(actor, company: company, .write)
        let reader = try LineReader(path: path)
        guard let headerLine = try reader.next() else {
            throw DomainError(
                "import.empty", field: "file",
                "You cannot import an empty file; it needs the header line \(ImportRow.header.joined(separator: ",")).")
        }
        guard CSV.fields(Substring(headerLine))?.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) == ImportRow.header else {
            throw DomainError(
                "import.header", field: "file",
                "You cannot import this file because its first line must be the header \(ImportRow.header.joined(separator: ",")).")
        }
        var report = LedgerImportReport()
        report.dryRun = options.dryRun
        var state = ImportState(
            rules: try await read { db in try await LedgerEngine.rules(db, company: company) },
            partners: try await read { db in
                Set(
                    try await db.raw("SELECT code FROM partners WHERE company_id = \(bind: company.description)").all().map {
                        try $0.decode(column: "code", as: String.self)
                    })
            })
        // A large file into a nearly empty ledger: the secondary indexes are set aside and built again at the end.
        let bulk = options.dryRun ? false : try await bulkLoad(fileBytes: Self.fileSize(path), threshold: options.bulkRows)
        if bulk { try await transaction { db in try await LedgerBulkIndexes.setAside(db) } }
        // Parse the next batch while the previous one is written: parsing runs on one core, SQLite on the other.
        let parser = ImportParser(reader: reader, batchSize: options.batchSize, rowLimit: options.rowLimit)
        do {
            var batch = try parser.nextBatch()
            while !batch.isEmpty {
                async let upcoming = parser.nextBatch()
                try await flush(company: company, batch: batch, state: &state, report: &report, options: options, actor: actor)
                batch = try await upcoming
                report.rows = parser.rows
                progress?(ImportProgress(rows: parser.rows, entries: report.entries, bytesRead: parser.bytesRead))
            }
        } catch {
            if bulk { try await transaction { db in try await LedgerBulkIndexes.restore(db, dialect: self.database.dialect) } }
            throw error
        }
        if bulk {
            progress?(ImportProgress(rows: parser.rows, entries: report.entries, bytesRead: parser.bytesRead, buildingIndexes: true))
            try await transaction { db in try await LedgerBulkIndexes.restore(db, dialect: self.database.dialect) }
        }
        report.rows = parser.rows
        report.rebuiltIndexes = bulk
        return report
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Whether an import of a file of `fileBytes` should set the ledger's indexes aside: at least
    /// `threshold` rows (`Limits.bulkImportRows`) by the file's size (about 128 bytes a row), and fewer entry lines already
    /// in the database, all companies together, than the file brings (building the indexes again reads them all).
    func bulkLoad(fileBytes: Int, threshold: Int) async throws -> Bool {
        let estimated = fileBytes / 128
        guard estimated >= threshold else { return false }
        let existing = try await read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM (SELECT 1 FROM entry_lines LIMIT \(bind: estimated)) AS existing").first()?
                .decode(column: "n", as: Int64.self) ?? 0
        }
        return existing < Int64(estimated)
    }

    private func flush(
        company: CompanyID, batch: [PendingEntry], state: inout ImportState, report: inout LedgerImportReport, options: LedgerImportOptions,
        actor: Actor
    ) async throws {
        guard !batch.isEmpty else { return }
        let snapshot = state
        let outcome: BatchOutcome
        do {
            outcome = try await transaction { db in
                var local = snapshot
                let result = try await Self.importBatch(
                    db, company: company, batch: batch, state: &local, options: options, actor: actor, now: self.nowText)
                if options.dryRun { throw DryRunResult(outcome: result, state: local) }
                try await AuditLog.append(
                    db, actor: actor, company: company, action: "ledger.import", entity: "import", entityID: batch.first!.entry.reference,
                    changes: [
                        FieldChange("posted", before: nil, after: String(result.posted)),
                        FieldChange("last_txn", before: nil, after: batch.last!.entry.reference),
                    ], now: self.now)
                return BatchOutcome(result: result, state: local)
            }
        } catch let dry as DryRunResult {
            outcome = BatchOutcome(result: dry.outcome, state: dry.state)
        }
        state = outcome.state
        report.entries += batch.count
        report.posted += outcome.result.posted
        report.duplicates += outcome.result.duplicates
        report.failedEntries += outcome.result.failed
        report.createdAccounts += outcome.result.createdAccounts
        report.createdPartners += outcome.result.createdPartners
        for problem in outcome.result.problems where report.problems.count < LedgerImportReport.maxProblems {
            report.problems.append(problem)
        }
    }

    fileprivate static func importBatch(
        _ db: any SQLDatabase, company: CompanyID, batch: [PendingEntry], state: inout ImportState, options: LedgerImportOptions,
        actor: Actor,
        now: String
    ) async throws -> BatchResult {
        let id = company.description
        var result = BatchResult()
        // Entries already imported (by txn_id) are skipped: importing a file twice posts it once.
        var existing: Set<String> = []
        var query: SQLQueryString = "SELECT external_ref FROM entries WHERE company_id = \(bind: id) AND external_ref IN ("
        for (index, pending) in batch.enumerated() {
            if index > 0 { query.appendLiteral(", ") }
            query.appendInterpolation(bind: pending.entry.reference)
        }
        query.appendLiteral(")")
        for row in try await db.raw(query).all() { existing.insert(try row.decode(column: "external_ref", as: String.self)) }
        var toPost: [EntryToWrite] = []
        var seenInBatch: Set<String> = []
        var newPartners: [[any Encodable & Sendable]] = []
        for pending in batch {
            let reference = pending.entry.reference
            if existing.contains(reference) {
                result.duplicates += 1
                continue
            }
            var problems = pending.problems
            if !seenInBatch.insert(reference).inserted {
                problems.append(
                    ImportProblem(
                        line: pending.entry.firstLine, reference: reference,
                        error: DomainError(
                            "import.txn_repeated", field: "txn_id",
                            "You cannot import txn \(reference) twice in one file; its rows must be consecutive.")))
            }
            if problems.isEmpty, pending.entry.rows.isEmpty { continue }
            if problems.isEmpty {
                switch pending.entry.draft(journal: options.journal) {
                case .failure(let failure): problems += failure.problems
                case .success(let draft):
                    // Unknown accounts: created from the file's names with --create-accounts, an error otherwise.
                    if options.createAccounts {
                        for row in pending.entry.rows where state.rules.accounts[row.account] == nil {
                            let code = try AccountCode(row.account)
                            let account = try await Self.insertAccount(
                                db, company: company, code: code, name: row.accountName.isEmpty ? code.value : row.accountName, type: nil,
                                rules: &state.rules)
                            result.createdAccounts.append(account.code.value)
                        }
                    }
                    let validation = EntryValidator.problems(draft, rules: state.rules)
                    problems += validation.map { ImportProblem(line: pending.entry.line(for: $0), reference: reference, error: $0) }
                    if problems.isEmpty {
                        for row in pending.entry.rows {
                            guard let partner = row.partner, !state.partners.contains(partner) else { continue }
                            state.partners.insert(partner)
                            let name =
                                row.description.components(separatedBy: " | ").first.map { $0.count < row.description.count ? $0 : partner }
                                ?? partner
                            newPartners.append([
                                id, partner, "company", String(name.prefix(Limits.nameLength)), false, Int64(30), true, true, false, now,
                            ])
                        }
                        toPost.append(EntryToWrite(draft: draft))
                    }
                }
            }
            if !problems.isEmpty {
                result.failed += 1
                result.problems += problems
            }
        }
        try await SQLBulk.insert(
            db, into: "partners",
            columns: [
                "company_id", "code", "kind", "name", "vat_payer", "payment_term_days", "is_customer", "is_supplier", "archived",
                "created_at",
            ],
            rows: newPartners)
        result.createdPartners = newPartners.count
        try await LedgerEngine.post(db, company: company, entries: toPost, createdBy: actor.auditName, now: now)
        result.posted = toPost.count
        return result
    }
}

/// Groups the file's rows into entries and entries into batches. Used by one task at a time: the import loop
/// awaits each `nextBatch` before asking for the next, so the unchecked `Sendable` is safe.
final class ImportParser: @unchecked Sendable {
    private let reader: LineReader
    private let batchSize: Int
    private let rowLimit: Int
    private var current: [ImportRow] = []
    private var currentProblems: [ImportProblem] = []
    private var currentReference: String?
    private var currentFirstLine = 0
    private var finished = false
    private(set) var rows = 0
    var bytesRead: Int { reader.bytesRead }

    init(reader: LineReader, batchSize: Int, rowLimit: Int) {
        self.reader = reader
        self.batchSize = batchSize
        self.rowLimit = rowLimit
    }

    /// The next entries (up to `batchSize`); empty at the end of the file.
    func nextBatch() throws -> [PendingEntry] {
        var batch: [PendingEntry] = []
        guard !finished else { return batch }
        func finishEntry() {
            guard let reference = currentReference else { return }
            batch.append(
                PendingEntry(
                    entry: ImportedEntry(reference: reference, firstLine: currentFirstLine, rows: current), problems: currentProblems))
            current = []
            currentProblems = []
            currentReference = nil
        }
        while let line = try reader.next() {
            if line.isEmpty { continue }
            rows += 1
            if rows > rowLimit {
                throw DomainError(
                    "import.too_many_rows", kind: .tooLarge, field: "file",
                    "You cannot import more than \(rowLimit) rows in one file; split it.")
            }
            let number = reader.lineNumber
            guard let fields = CSV.fields(Substring(line)) else {
                currentProblems.append(
                    ImportProblem(
                        line: number, reference: currentReference ?? "",
                        error: DomainError("import.quote", field: "row", "You cannot import line \(number) because a quote is not closed."))
                )
                continue
            }
            let reference = fields.first ?? ""
            if reference != currentReference {
                finishEntry()
                currentReference = reference
                currentFirstLine = number
            }
            switch ImportRow.parse(fields, line: number) {
            case .success(let row): current.append(row)
            case .failure(let failure): currentProblems += failure.problems
            }
            // A batch ends only between entries, so the entry in progress stays whole.
            if batch.count >= batchSize { return batch }
        }
        finishEntry()
        finished = true
        return batch
    }
}

struct PendingEntry: Sendable {
    let entry: ImportedEntry
    let problems: [ImportProblem]
}

struct ImportState: Sendable {
    var rules: PostingRules
    var partners: Set<String>
}

struct BatchResult: Sendable {
    var posted = 0
    var duplicates = 0
    var failed = 0
    var problems: [ImportProblem] = []
    var createdAccounts: [String] = []
    var createdPartners = 0
}

struct BatchOutcome: Sendable {
    let result: BatchResult
    let state: ImportState
}

/// Carries a dry-run batch's result out of its rolled-back transaction.
struct DryRunResult: Error {
    let outcome: BatchResult
    let state: ImportState
}
