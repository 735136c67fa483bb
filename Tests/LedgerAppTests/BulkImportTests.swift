import Application
import Assembly
import Foundation
import Kernel
import Ledger
import LedgerApp
import SQLKit
import TestSupport
import Testing

/// Issue 12, item 1: a large import into a nearly empty ledger sets the ledger's secondary indexes aside and builds
/// them again at its end (`LedgerBulkIndexes`); what it posts is the same, and the indexes are never left missing.
@Suite struct BulkImportTests {
    /// `count` balanced transactions of two or three rows, some with a partner, over a year.
    static func journal(_ count: Int, in folder: URL) throws -> String {
        var text = "txn_id,date,description,partner,account_code,account_name,debit,credit,currency\n"
        for index in 1...count {
            let date = String(format: "2026-%02d-%02d", index % 12 + 1, index % 28 + 1)
            let amount = "\(100 + index % 900).\(String(format: "%02d", index % 100))"
            if index % 3 == 0 {
                let partner = "P\(index % 40)"
                text += "T\(index),\(date),Factura \(index),\(partner),4111,Clienti,\(amount),,RON\n"
                text += "T\(index),\(date),Factura \(index),,707,Venituri din vanzarea marfurilor,,\(amount),RON\n"
            } else {
                text += "T\(index),\(date),Cheltuieli \(index),,627,Comisioane bancare,\(amount),,RON\n"
                text += "T\(index),\(date),Cheltuieli \(index),,5121,Conturi la banci in lei,,\(amount),RON\n"
            }
        }
        let path = folder.appendingPathComponent("journal-\(count).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The names of the ledger's secondary indexes present in the database.
    static func present(_ culise: Culise, _ engine: Engine) async throws -> Set<String> {
        let names = Set(LedgerBulkIndexes.all.map(\.name))
        let query = culise.database.dialect.listIndexes
        return try await culise.database.read { db in
            Set(try await db.raw("\(unsafeRaw: query)").all().map { try $0.decode(column: "name", as: String.self) }).intersection(names)
        }
    }

    static func importAndBalance(_ engine: Engine, path: String, bulkRows: Int) async throws -> (LedgerImportReport, [String], Bool) {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            var options = LedgerImportOptions(createAccounts: true)
            options.bulkRows = bulkRows
            let report = try await culise.importLedger(company: company, path: path, options: options, actor: .user(admin))
            #expect(try await Self.present(culise, engine) == Set(LedgerBulkIndexes.all.map(\.name)))
            // Imported again: every entry is already there, and the ledger now holds more lines than the file brings.
            let again = try await culise.importLedger(company: company, path: path, options: options, actor: .user(admin))
            #expect(again.duplicates == report.posted && again.posted == 0 && !again.rebuiltIndexes)
            let balance = try await culise.trialBalance(company: company, from: nil, to: nil, actor: .user(admin))
            let sheet = try await culise.accountSheet(
                company: company, account: "627", from: nil, to: nil, page: try PageRequest(limit: 20), actor: .user(admin))
            return (
                report, balance.rows.map { "\($0.code) \($0.closing)" } + sheet.lines.map { "\($0.date) \($0.debit) \($0.credit)" },
                try await culise.verifyLedger(company: company, actor: .user(admin)).isIntact
            )
        }
    }

    @Test(arguments: Engine.available)
    func aLargeImportBuildsTheIndexesAgainAndPostsTheSame(_ engine: Engine) async throws {
        let folder = try Journals.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try Self.journal(3_000, in: folder)
        let (bulk, bulkBooks, bulkIntact) = try await Self.importAndBalance(engine, path: path, bulkRows: 100)
        let (plain, plainBooks, plainIntact) = try await Self.importAndBalance(engine, path: path, bulkRows: Int.max)
        #expect(bulk.rebuiltIndexes && !plain.rebuiltIndexes)
        #expect(bulk.problems.isEmpty, "\(bulk.problems.prefix(3))")
        #expect(bulk.posted == 3_000 && plain.posted == 3_000 && bulk.failedEntries == 0)
        #expect(bulkBooks == plainBooks && bulkBooks.count > 5)
        #expect(bulkIntact && plainIntact)
    }

    /// A refusal in the middle of a large import builds the indexes again before it reaches the caller; an import
    /// killed with its indexes set aside (simulated: set aside, then the process ends) finds them back at the next start.
    @Test(arguments: Engine.available)
    func setAsideIndexesComeBackAfterARefusalAndAtTheNextStart(_ engine: Engine) async throws {
        let folder = try Journals.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try Self.journal(500, in: folder)
        let all = Set(LedgerBulkIndexes.all.map(\.name))
        try await TestDatabase.withCulise(engine) { culise, location in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            var options = LedgerImportOptions(createAccounts: true)
            options.bulkRows = 10
            options.rowLimit = 300
            await expectRefusal("import.too_many_rows", field: "file") {
                try await culise.importLedger(company: company, path: path, options: options, actor: .user(admin))
            }
            #expect(try await Self.present(culise, engine) == all)
            try await culise.database.transaction { db in try await LedgerBulkIndexes.setAside(db) }
            #expect(try await Self.present(culise, engine).isEmpty)
            let restarted = try await TestDatabase.open(location)
            #expect(try await Self.present(restarted, engine) == all)
            await restarted.close()
        }
    }

    /// What `LedgerBulkIndexes` builds again is each index exactly as the migrations leave it.
    @Test(arguments: Engine.available)
    func theIndexesSetAsideAreTheSchemasOwn(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            for index in LedgerBulkIndexes.all {
                let expected = index.create.replacingOccurrences(of: "IF NOT EXISTS ", with: "")
                let stored: String? = try await culise.database.read { db in
                    engine == .sqlite
                        ? try await db.raw("SELECT sql AS d FROM sqlite_master WHERE type = 'index' AND name = \(bind: index.name)")
                            .first()?
                            .decode(column: "d", as: String.self)
                        : try await db.raw(
                            "SELECT indexdef AS d FROM pg_indexes WHERE schemaname = current_schema() AND indexname = \(bind: index.name)"
                        ).first()?.decode(column: "d", as: String.self)
                }
                // PostgreSQL writes the definition back its own way: `ON public.entries USING btree (…) WHERE (…)`.
                let normalised = stored.map { text in
                    var text = text.replacingOccurrences(of: " USING btree", with: "")
                    text = text.replacingOccurrences(of: #"ON [a-z_0-9]+\."#, with: "ON ", options: .regularExpression)
                    text = text.replacingOccurrences(of: #"WHERE \((.*)\)$"#, with: "WHERE $1", options: .regularExpression)
                    return text
                }
                #expect(normalised == expected, "\(index.name): \(stored ?? "missing")")
            }
        }
    }
}
