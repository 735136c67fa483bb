import Application
import Assembly
import BankingApp
import Foundation
import Identity
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import PartnersApp
import SQLKit
import TestSupport
import Testing

@Suite struct LedgerTests {
    static func date(_ text: String) -> LocalDate { try! LocalDate(iso: text) }

    static let postable = ["5121", "5311", "371", "607", "707", "4426", "4427", "627", "1012", "641", "421"]

    static func randomDraft(_ random: inout SeededRandom) -> EntryDraft {
        let count = Int.random(in: 2...5, using: &random)
        var lines: [EntryLine] = []
        var balance: Int64 = 0
        for index in 0..<(count - 1) {
            let amount = Int64.random(in: 1...5_000_000, using: &random) * (Int.random(in: 0..<10, using: &random) == 0 ? -1 : 1)
            let account = postable.randomElement(using: &random)!
            if index % 2 == 0 {
                lines.append(EntryLine(account: account, debit: amount))
                balance += amount
            } else {
                lines.append(EntryLine(account: account, credit: amount))
                balance -= amount
            }
        }
        if balance == 0 {
            lines.append(EntryLine(account: "5121", debit: 100))
            lines.append(EntryLine(account: "707", credit: 100))
        } else {
            lines.append(
                balance > 0
                    ? EntryLine(account: "4111", credit: balance, partner: "P\(balance % 7)")
                    : EntryLine(account: "401", debit: -balance, partner: "S1"))
        }
        let day = Int.random(in: 0..<700, using: &random)
        return EntryDraft(
            journal: ["GEN", "VZ", "BC"].randomElement(using: &random)!, date: date("2024-01-01").adding(days: day),
            description: "random \(day)", lines: lines)
    }

    @Test(arguments: Engine.available)
    func randomEntriesKeepEveryInvariant(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            var random = SeededRandom(state: 2026)
            var posted: [EntryID] = []
            for _ in 0..<60 { posted.append(try await culise.postEntry(company: company, Self.randomDraft(&random), actor: .user(admin))) }
            for id in posted.prefix(10) { _ = try await culise.reverseEntry(company: company, id, on: nil, actor: .user(admin)) }
            let report = try await culise.trialBalance(company: company, from: nil, to: nil, actor: .user(admin))
            #expect(report.equalitiesHold)
            let verification = try await culise.verifyLedger(company: company, actor: .user(admin))
            #expect(verification.isIntact, "\(verification)")
            #expect(verification.entriesChecked == 70)
            #expect(try await culise.rebuildBalances(company: company, actor: .user(admin)).isEmpty)
            // A month inside the history: opening + period = cumulative at its end.
            let march = try await culise.trialBalance(
                company: company, from: Self.date("2024-03-01"), to: Self.date("2024-03-31"), actor: .user(admin))
            let upToMarch = try await culise.trialBalance(company: company, from: nil, to: Self.date("2024-03-31"), actor: .user(admin))
            for row in march.rows where row.kind == "account" {
                #expect(upToMarch.rows.first { $0.code == row.code }?.closing == row.closing, "\(row.code)")
            }
            // Partial months (from the lines) agree with whole months (from the balances).
            let split = try await culise.trialBalance(
                company: company, from: Self.date("2024-02-10"), to: Self.date("2024-05-20"), actor: .user(admin))
            #expect(split.equalitiesHold)
        }
    }

    @Test(arguments: Engine.available)
    func randomInvalidEntriesWriteNothing(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            var random = SeededRandom(state: 99)
            let before = try await culise.tableCounts()
            for round in 0..<30 {
                var draft = Self.randomDraft(&random)
                switch round % 4 {
                case 0: draft.lines[0].debit += 1  // unbalanced
                case 1: draft.lines.append(EntryLine(account: "9876", debit: 1, credit: 1))
                case 2: draft.lines = [draft.lines[0]]
                default:
                    draft.journal = "NOPE"
                    draft.lines.append(EntryLine(account: "4111", debit: 5))
                }
                do {
                    _ = try await culise.postEntry(company: company, draft, actor: .user(admin))
                    Issue.record("round \(round) was posted")
                } catch let error as ValidationErrors {
                    #expect(!error.problems.isEmpty)
                    if round % 4 == 3 { #expect(error.problems.count >= 3, "every problem at once") }
                }
            }
            #expect(try await culise.tableCounts() == before)
        }
    }

    @Test(arguments: Engine.available)
    func closedPeriodsLockDateAndImmutability(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let sale = EntryDraft(
                journal: "VZ", date: Self.date("2025-02-10"), description: "Factura 1",
                lines: [
                    EntryLine(account: "4111", debit: 12_100, partner: "C1"), EntryLine(account: "707", credit: 10_000),
                    EntryLine(account: "4427", credit: 2_100),
                ])
            let id = try await culise.postEntry(company: company, sale, actor: .user(admin))
            let posted = try await culise.entry(company: company, id, actor: .user(admin))
            #expect(posted.number == "VZ-000001")
            #expect(posted.seq == 1)

            try await culise.closePeriod(company: company, try YearMonth(year: 2025, month: 2), actor: .user(admin))
            await #expect(throws: ValidationErrors.self) { try await culise.postEntry(company: company, sale, actor: .user(admin)) }
            try await culise.reopenPeriod(company: company, try YearMonth(year: 2025, month: 2), actor: .user(admin))
            try await culise.setLockDate(company: company, Self.date("2025-02-10"), actor: .user(admin))
            do {
                _ = try await culise.postEntry(company: company, sale, actor: .user(admin))
                Issue.record("posted on the lock date")
            } catch let error as ValidationErrors {
                #expect(error.problems.map(\.id) == ["ledger.locked"])
                #expect(error.problems[0].message.hasPrefix("You cannot post on 2025-02-10"))
            }
            // Reversal on or before the lock date is refused too; after it, allowed.
            await #expect(throws: ValidationErrors.self) {
                try await culise.reverseEntry(company: company, id, on: nil, actor: .user(admin))
            }
            // A posted entry cannot be edited or deleted.
            do {
                _ = try await culise.saveDraft(company: company, sale, id: id, actor: .user(admin))
                Issue.record("edited a posted entry")
            } catch let error as DomainError {
                #expect(error.id == "ledger.modify_posted")
            }
            await #expect(throws: DomainError.self) { try await culise.deleteDraft(company: company, id, actor: .user(admin)) }

            let before = try await culise.trialBalance(company: company, from: nil, to: nil, actor: .user(admin))
            let reversal = try await culise.reverseEntry(company: company, id, on: Self.date("2025-03-01"), actor: .user(admin))
            let after = try await culise.trialBalance(company: company, from: nil, to: nil, actor: .user(admin))
            #expect(before.rows.first { $0.code == "4111" }?.closing.debit == 12_100)
            #expect(after.rows.filter { $0.kind == "account" }.allSatisfy { $0.closing == Turnover() }, "reversal restores the balances")
            #expect(try await culise.entry(company: company, id, actor: .user(admin)).state == .reversed)
            #expect(try await culise.entry(company: company, reversal, actor: .user(admin)).reverses == id)
            await #expect(throws: DomainError.self) {
                try await culise.reverseEntry(company: company, id, on: Self.date("2025-03-02"), actor: .user(admin))
            }
        }
    }

    @Test(arguments: Engine.available)
    func draftsPostAndDelete(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let draft = EntryDraft(
                journal: "GEN", date: Self.date("2025-05-05"), description: "draft",
                lines: [EntryLine(account: "627", debit: 500), EntryLine(account: "5121", credit: 400)])
            let id = try await culise.saveDraft(company: company, draft, actor: .user(admin))
            await #expect(throws: ValidationErrors.self) { try await culise.postDraft(company: company, id, actor: .user(admin)) }
            var fixed = draft
            fixed.lines[1].credit = 500
            _ = try await culise.saveDraft(company: company, fixed, id: id, actor: .user(admin))
            try await culise.postDraft(company: company, id, actor: .user(admin))
            #expect(try await culise.entry(company: company, id, actor: .user(admin)).state == .posted)
            let other = try await culise.saveDraft(company: company, draft, actor: .user(admin))
            try await culise.deleteDraft(company: company, other, actor: .user(admin))
            await #expect(throws: DomainError.self) { try await culise.entry(company: company, other, actor: .user(admin)) }
            #expect(try await culise.verifyLedger(company: company, actor: .user(admin)).isIntact)
        }
    }

    static func tamper(_ culise: Culise, _ sql: String) async throws {
        try await culise.database.transaction { db in try await db.raw(SQLQueryString(sql)).run() }
    }

    static func postMany(_ culise: Culise, _ company: CompanyID, _ admin: Principal, count: Int) async throws {
        var random = SeededRandom(state: 5)
        for _ in 0..<count { _ = try await culise.postEntry(company: company, randomDraft(&random), actor: .user(admin)) }
    }

    @Test(arguments: Engine.available)
    func changingAnAmountIsDetected(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            try await Self.postMany(culise, company, admin, count: 8)
            try await Self.tamper(
                culise,
                "UPDATE entry_lines SET debit = debit + 1 WHERE entry_id = (SELECT id FROM entries WHERE seq = 5) AND debit <> 0 AND line_no = 1"
            )
            let result = try await culise.verifyLedger(company: company, actor: .user(admin))
            #expect(result.firstBadSeq == 5)
        }
    }

    @Test(arguments: Engine.available)
    func deletingAnEntryIsDetected(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            try await Self.postMany(culise, company, admin, count: 8)
            try await Self.tamper(culise, "DELETE FROM entry_lines WHERE entry_id = (SELECT id FROM entries WHERE seq = 3)")
            try await Self.tamper(culise, "DELETE FROM entries WHERE seq = 3")
            #expect(try await culise.verifyLedger(company: company, actor: .user(admin)).firstBadSeq == 3)
        }
    }

    @Test(arguments: Engine.available)
    func swappingTwoEntriesIsDetected(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            try await Self.postMany(culise, company, admin, count: 8)
            try await Self.tamper(culise, "UPDATE entries SET seq = -6 WHERE seq = 6")
            try await Self.tamper(culise, "UPDATE entries SET seq = 6 WHERE seq = 7")
            try await Self.tamper(culise, "UPDATE entries SET seq = 7 WHERE seq = -6")
            #expect(try await culise.verifyLedger(company: company, actor: .user(admin)).firstBadSeq == 6)
        }
    }

    @Test(arguments: Engine.available)
    func tamperedBalancesAreDetectedAndRebuilt(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            try await Self.postMany(culise, company, admin, count: 8)
            try await Self.tamper(culise, "UPDATE balances SET debit = debit + 100 WHERE account = '5121'")
            let result = try await culise.verifyLedger(company: company, actor: .user(admin))
            #expect(result.firstBadSeq == nil)
            #expect(!result.balanceDifferences.isEmpty)
            #expect(!(try await culise.rebuildBalances(company: company, actor: .user(admin)).isEmpty))
            #expect(try await culise.verifyLedger(company: company, actor: .user(admin)).isIntact)
        }
    }

    @Test(arguments: Engine.available)
    func yearEndClosing(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            var random = SeededRandom(state: 11)
            for _ in 0..<40 { _ = try await culise.postEntry(company: company, Self.randomDraft(&random), actor: .user(admin)) }
            let yearEnd = Self.date("2024-12-31")
            let before = try await culise.trialBalance(company: company, from: nil, to: yearEnd, actor: .user(admin))
            #expect(before.equalitiesHold)
            let result = before.rows.filter { $0.kind == "account" && ($0.code.hasPrefix("6") || $0.code.hasPrefix("7")) }
                .reduce(Int64(0)) { $0 + $1.closing.debit - $1.closing.credit }
            let closing = try #require(
                try await culise.closeFiscalYear(company: company, containing: Self.date("2024-06-01"), actor: .user(admin)))
            let after = try await culise.trialBalance(company: company, from: nil, to: yearEnd, actor: .user(admin))
            #expect(after.equalitiesHold)
            for row in after.rows where row.kind == "account" && (row.code.hasPrefix("6") || row.code.hasPrefix("7")) {
                #expect(row.closing == Turnover(), "\(row.code) is closed")
            }
            let r121 = after.rows.first { $0.code == "121" }!
            #expect(r121.closing.debit - r121.closing.credit == result)
            #expect(try await culise.entry(company: company, closing, actor: .user(admin)).journal == "INC")
            // The closed year takes no postings; reopening is possible and audited.
            await #expect(throws: ValidationErrors.self) {
                try await culise.postEntry(
                    company: company,
                    EntryDraft(
                        journal: "GEN", date: Self.date("2024-05-05"), description: "late",
                        lines: [EntryLine(account: "627", debit: 1), EntryLine(account: "5121", credit: 1)]),
                    actor: .user(admin))
            }
            await #expect(throws: DomainError.self) {
                try await culise.closeFiscalYear(company: company, containing: yearEnd, actor: .user(admin))
            }
            try await culise.reopenFiscalYear(company: company, containing: yearEnd, actor: .user(admin))
            let reopened = try await culise.trialBalance(company: company, from: nil, to: yearEnd, actor: .user(admin))
            #expect(reopened.rows.first { $0.code == "121" }?.closing ?? Turnover() == Turnover())
            _ = try await culise.closeFiscalYear(company: company, containing: yearEnd, actor: .user(admin))
            #expect(try await culise.verifyLedger(company: company, actor: .user(admin)).isIntact)
            let audit = try await culise.auditEntries(filter: AuditFilter(action: "ledger.year_"), page: .first, actor: .user(admin))
            #expect(audit.items.map(\.action).sorted() == ["ledger.year_close", "ledger.year_close", "ledger.year_reopen"])
        }
    }

    @Test(arguments: Engine.available)
    func chartManagement(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let analytic = try await culise.addAccount(
                company: company, code: "4111.00023", name: "Clienți - Alfa", type: nil, actor: .user(admin))
            #expect(analytic.requiresPartner)
            let accounts = Dictionary(
                uniqueKeysWithValues: try await culise.accounts(company: company, actor: .user(admin)).map { ($0.code.value, $0) })
            #expect(accounts["4111"]?.isPostable == false)
            await #expect(throws: DomainError.self) {
                try await culise.addAccount(company: company, code: "4111.00023", name: "x", type: nil, actor: .user(admin))
            }
            _ = try await culise.postEntry(
                company: company,
                EntryDraft(
                    journal: "GEN", date: Self.date("2025-01-05"), description: "x",
                    lines: [EntryLine(account: "5121", debit: 10), EntryLine(account: "1012", credit: 10)]),
                actor: .user(admin))
            do {
                try await culise.deleteAccount(company: company, code: "5121", actor: .user(admin))
                Issue.record("deleted an account with postings")
            } catch let error as DomainError {
                #expect(error.id == "ledger.account_has_postings")
            }
            await #expect(throws: DomainError.self) {
                try await culise.addAccount(company: company, code: "5121.01", name: "sub", type: nil, actor: .user(admin))
            }
            try await culise.updateAccount(company: company, code: "5124", name: "Conturi în valută", active: false, actor: .user(admin))
            let after = try await culise.accounts(company: company, actor: .user(admin)).first { $0.code.value == "5124" }
            #expect(after?.isActive == false)
            try await culise.deleteAccount(company: company, code: "4111.00023", actor: .user(admin))
            // An accountant may post; an HR user may not see the ledger.
            let hr = Principal(userID: admin.userID, email: "hr@alfa.ro", displayName: "", companyID: company, role: .hr)
            await #expect(throws: DomainError.self) { try await culise.accounts(company: company, actor: .user(hr)) }
        }
    }
}

@Suite struct LedgerJournalTests {
    @Test(arguments: Engine.available)
    func userDefinedJournalsNumberTheirOwnSeries(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            try await culise.addJournal(company: company, code: "vzx", name: "Vânzări export", firstNumber: 100, actor: .user(admin))
            await #expect(throws: DomainError.self) {
                try await culise.addJournal(company: company, code: "VZX", name: "dup", actor: .user(admin))
            }
            await #expect(throws: ValidationErrors.self) {
                try await culise.addJournal(company: company, code: "x", name: "", actor: .user(admin))
            }
            let draft = EntryDraft(
                journal: "VZX", date: LedgerTests.date("2025-06-02"), description: "export",
                lines: [EntryLine(account: "4111", debit: 100, partner: "C1"), EntryLine(account: "707", credit: 100)])
            let first = try await culise.postEntry(company: company, draft, actor: .user(admin))
            let second = try await culise.postEntry(company: company, draft, actor: .user(admin))
            #expect(try await culise.entry(company: company, first, actor: .user(admin)).number == "VZX-000100")
            #expect(try await culise.entry(company: company, second, actor: .user(admin)).number == "VZX-000101")
            #expect(try await culise.journals(company: company, actor: .user(admin)).first { $0.code == "VZX" }?.nextNumber == 102)
        }
    }

    @Test(arguments: Engine.available)
    func concurrentPostingsKeepGaplessNumbers(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, location in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let other = try await TestDatabase.open(location)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<30 {
                    let app = index % 2 == 0 ? culise : other
                    group.addTask {
                        _ = try await app.postEntry(
                            company: company,
                            EntryDraft(
                                journal: "BC", date: LedgerTests.date("2025-07-01"), description: "p\(index)",
                                lines: [EntryLine(account: "5121", debit: 10), EntryLine(account: "1012", credit: 10)]), actor: .user(admin)
                        )
                    }
                }
                try await group.waitForAll()
            }
            let entries = try await culise.entries(company: company, page: try PageRequest(limit: 100), actor: .user(admin)).items
            let expected: Set<String> = Set((1...30).map { (number: Int) -> String in String(format: "BC-%06d", number) })
            let numbers: Set<String> = Set(entries.compactMap(\.number))
            #expect(numbers == expected)
            #expect(Set(entries.compactMap(\.seq)) == Set(1...30))
            #expect(try await culise.verifyLedger(company: company, actor: .user(admin)).isIntact)
            await other.close()
        }
    }
}

@Suite struct LedgerImportTests {
    @Test(arguments: Engine.available)
    func importTwicePostsOnce(_ engine: Engine) async throws {
        guard Journals.generatorAvailable else { return }
        let directory = try Journals.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try Journals.csv(transactions: 10_000, seed: 7, in: directory)
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let options = LedgerImportOptions(createAccounts: true)
            let dry = try await culise.importLedger(
                company: company, path: path, options: LedgerImportOptions(createAccounts: true, dryRun: true), actor: .user(admin))
            #expect(dry.posted == 10_000)
            #expect(try await culise.entries(company: company, page: .first, actor: .user(admin)).total == 0, "a dry run writes nothing")
            let first = try await culise.importLedger(company: company, path: path, options: options, actor: .user(admin))
            #expect(first.posted == 10_000)
            #expect(first.failedEntries == 0)
            #expect(first.rows == 33_698)
            let second = try await culise.importLedger(company: company, path: path, options: options, actor: .user(admin))
            #expect(second.posted == 0)
            #expect(second.duplicates == 10_000)
            let report = try await culise.trialBalance(company: company, from: nil, to: nil, actor: .user(admin))
            #expect(report.equalitiesHold)
            #expect(report.chainSeq == 10_000)
            #expect(try await culise.verifyLedger(company: company, actor: .user(admin)).isIntact)
            let sheet = try await culise.accountSheet(
                company: company, account: "5121", from: nil, to: nil, page: try PageRequest(limit: 100, offset: 100), actor: .user(admin))
            #expect(sheet.lines.count == 100)
            let firstPage = try await culise.accountSheet(
                company: company, account: "5121", from: nil, to: nil, page: try PageRequest(limit: 200), actor: .user(admin))
            #expect(firstPage.lines[100] == sheet.lines[0], "running balances continue across pages")
            let partners = try await culise.partnerBalances(company: company, account: "4111", asOf: nil, actor: .user(admin))
            let total = partners.reduce(Int64(0)) { $0 + $1.balance }
            #expect(total == report.rows.first { $0.code == "4111" }.map { $0.closing.debit - $0.closing.credit })
        }
    }

    @Test(arguments: Engine.available)
    func brokenRowsAreReportedAndTheirEntryPostsNothing(_ engine: Engine) async throws {
        let directory = try Journals.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("broken.csv").path
        try """
        txn_id,date,description,partner,account_code,account_name,debit,credit,currency
        1,2025-01-02,Aport,,5121,Banca,1000.00,,RON
        1,2025-01-02,Aport,,1012,Capital,,1000.00,RON
        2,2025-01-03,"Factura, cu virgula",P1,4111,Clienti,121.00,,RON
        2,2025-01-03,"Factura, cu virgula",,707,Venituri,,100.00,RON
        2,2025-01-03,"Factura, cu virgula",,4427,TVA,,21.0x,RON
        3,2025-01-04,Dezechilibru,,627,Comisioane,5.00,,RON
        3,2025-01-04,Dezechilibru,,5121,Banca,,4.00,RON
        4,2025-01-05,Cont necunoscut,,9999,X,1.00,,RON
        4,2025-01-05,Cont necunoscut,,5121,Banca,,1.00,RON
        5,2025-01-06,Bun,,627,Comisioane,2.00,,RON
        5,2025-01-06,Bun,,5121,Banca,,2.00,RON

        """.write(toFile: path, atomically: true, encoding: .utf8)
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let report = try await culise.importLedger(company: company, path: path, options: LedgerImportOptions(), actor: .user(admin))
            #expect(report.posted == 2)
            #expect(report.failedEntries == 3)
            let byLine = Dictionary(grouping: report.problems, by: \.line)
            #expect(byLine[6]?.first?.error.id == "money.format")
            #expect(byLine[7]?.first?.error.id == "ledger.unbalanced")
            #expect(byLine[9]?.first?.error.id == "ledger.account_unknown")
            let entries = try await culise.entries(company: company, page: .first, actor: .user(admin))
            #expect(Set(entries.items.compactMap(\.externalRef)) == ["1", "5"])
        }
    }

    @Test func importRefusesBadFiles() async throws {
        let directory = try Journals.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await TestDatabase.withCulise(.sqlite) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let wrongHeader = directory.appendingPathComponent("h.csv").path
            try "date,amount\n".write(toFile: wrongHeader, atomically: true, encoding: .utf8)
            await #expect(throws: DomainError.self) {
                try await culise.importLedger(company: company, path: wrongHeader, options: LedgerImportOptions(), actor: .user(admin))
            }
            let longLine = directory.appendingPathComponent("l.csv").path
            try
                (ImportRow.header.joined(separator: ",") + "\n1,2025-01-01," + String(repeating: "x", count: Limits.importRowBytes + 1)
                + "\n")
                .write(toFile: longLine, atomically: true, encoding: .utf8)
            do {
                _ = try await culise.importLedger(company: company, path: longLine, options: LedgerImportOptions(), actor: .user(admin))
                Issue.record("a line over the limit was read")
            } catch let error as DomainError {
                #expect(error.id == "import.line_too_long")
                #expect(error.message.contains("line 2"))
            }
            await #expect(throws: DomainError.self) {
                try await culise.importLedger(
                    company: company, path: directory.appendingPathComponent("missing.csv").path, options: LedgerImportOptions(),
                    actor: .user(admin))
            }
        }
    }
}
