import Application
import Assembly
import Foundation
import Kernel
import Ledger
import LedgerApp
import TestSupport
import Testing

/// The refusals of the chart, journals, imports, reports and the fiscal year, each provoked and asserted by its id and
/// field on both engines (the error catalogue).
@Suite struct LedgerRefusalTests {
    /// A file with `text` in `folder` (each test removes its folder when it ends).
    static func file(_ text: String, in folder: URL) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: Engine.available)
    func chartJournalsAndReports(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            await expectRefusal("ledger.account_name", field: "name") {
                try await culise.addAccount(company: company, code: "5121.01", name: " ", type: nil, actor: actor)
            }
            await expectRefusal("ledger.account_exists", field: "code") {
                try await culise.addAccount(company: company, code: "5121", name: "Bancă", type: nil, actor: actor)
            }
            await expectRefusal("ledger.account_parent", field: "code") {
                try await culise.addAccount(company: company, code: "5127.01", name: "Fără părinte", type: nil, actor: actor)
            }
            // 5121 has postings: it cannot become a parent; 512 has children: it cannot be deleted.
            _ = try await culise.postEntry(
                company: company,
                EntryDraft(
                    journal: "GEN", date: try LocalDate(iso: "2026-10-01"), description: "Aport",
                    lines: [EntryLine(account: "5121", debit: 100_000), EntryLine(account: "1012", credit: 100_000)]),
                actor: actor)
            await expectRefusal("ledger.parent_has_postings", field: "code") {
                try await culise.addAccount(company: company, code: "5121.01", name: "BT", type: nil, actor: actor)
            }
            _ = try await culise.addAccount(company: company, code: "628.01", name: "Servicii IT", type: nil, actor: actor)
            await expectRefusal("ledger.account_has_children", field: "code") {
                try await culise.deleteAccount(company: company, code: "628", actor: actor)
            }
            await expectRefusal("ledger.journal_code", field: "code") {
                try await culise.addJournal(company: company, code: "JURNAL-PREA-LUNG", name: "X", actor: actor)
            }
            await expectRefusal("ledger.journal_name", field: "name") {
                try await culise.addJournal(company: company, code: "AV", name: " ", actor: actor)
            }
            await expectRefusal("ledger.journal_first_number", field: "first_number") {
                try await culise.addJournal(company: company, code: "AV", name: "Avansuri", firstNumber: 0, actor: actor)
            }
            await expectRefusal("ledger.journal_exists", field: "code") {
                try await culise.addJournal(company: company, code: "GEN", name: "General", actor: actor)
            }
            await expectRefusal("ledger.entry_not_found") {
                try await culise.reverseEntry(company: company, EntryID(999_999), on: nil, actor: actor)
            }
            await expectRefusal("report.dates", field: "from") {
                try await culise.trialBalance(
                    company: company, from: try LocalDate(iso: "2026-12-01"), to: try LocalDate(iso: "2026-01-01"), actor: actor)
            }
            await expectRefusal("ledger.year_open") {
                try await culise.reopenFiscalYear(company: company, containing: try LocalDate(iso: "2026-06-01"), actor: actor)
            }
            await expectRefusal("export.file", field: "out") {
                try await culise.exportLedger(company: company, format: .hledger, to: "/nonexistent-dir/ledger.journal", actor: actor)
            }
        }
    }

    @Test(arguments: Engine.available)
    func importFiles(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("culise-import-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let header = ImportRow.header.joined(separator: ",")
            await expectRefusal("import.empty", field: "file") {
                try await culise.importLedger(
                    company: company, path: try Self.file("", in: folder), options: LedgerImportOptions(), actor: actor)
            }
            await expectRefusal("import.header", field: "file") {
                try await culise.importLedger(
                    company: company, path: try Self.file("data,cont,suma\n", in: folder), options: LedgerImportOptions(), actor: actor)
            }
            let text = """
                \(header)
                T1,2026-10-01,"Aport,5121,,,100.00,0,RON
                T2,2026-10-01,Aport,,5121,,100.00,0,RON
                T2,2026-10-01,Aport,,1012,,0,100.00,RON
                T3,2026-10-01,Aport,,5121,,100.00,0,RON
                T3,2026-10-01,Aport,,1012,,0,100.00,RON
                T2,2026-10-01,Aport,,5121,,100.00,0,RON
                T2,2026-10-01,Aport,,1012,,0,100.00,RON

                """
            let report = try await culise.importLedger(
                company: company, path: try Self.file(text, in: folder), options: LedgerImportOptions(), actor: actor)
            let ids = report.problems.map(\.error.id)
            #expect(ids.contains("import.quote") && ids.contains("import.txn_repeated"), "\(report.problems)")
            // A file past the row bound (`Limits.importRows`, twenty million) is refused; a bound of 4 shows it on 5 rows.
            var small = LedgerImportOptions()
            small.rowLimit = 4
            let five = [header] + (1...5).map { "R\($0),2026-10-02,Aport,,\($0 % 2 == 1 ? "5121,,100.00,0" : "1012,,0,100.00"),RON" }
            await expectRefusal("import.too_many_rows", field: "file") {
                try await culise.importLedger(
                    company: company, path: try Self.file(five.joined(separator: "\n") + "\n", in: folder), options: small, actor: actor)
            }
        }
    }
}
