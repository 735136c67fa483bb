import Foundation
import Kernel
import Ledger
import Testing

@Suite struct LedgerDomainTests {
    static let rules: PostingRules = {
        let accounts = Dictionary(uniqueKeysWithValues: ChartSeed.accounts().map { ($0.code.value, $0) })
        return PostingRules(accounts: accounts, journals: ["GEN", "VZ"])
    }()

    static func date(_ text: String) -> LocalDate { try! LocalDate(iso: text) }

    @Test func chartHasTheOfficialAccountsAndHierarchy() {
        let accounts = Dictionary(uniqueKeysWithValues: ChartSeed.accounts().map { ($0.code.value, $0) })
        #expect(RomanianChart.accounts.count == 234)
        #expect(accounts["4111"]?.parent == "411" || accounts["4111"]?.parent == "41")
        #expect(accounts["4111"]?.isPostable == true)
        #expect(accounts["4111"]?.requiresPartner == true)
        #expect(accounts["4"]?.isPostable == false)
        #expect(accounts["41"]?.isPostable == false)
        #expect(accounts["121"]?.type == .bifunctional)
        #expect(accounts["5121"]?.type == .activ)
        #expect(accounts["401"]?.type == .pasiv)
        // Every account but the classes has a parent, and every parent exists and takes no postings.
        for account in accounts.values where account.code.value.count > 1 {
            let parent = try! #require(account.parent.flatMap { accounts[$0] })
            #expect(!parent.isPostable, "\(parent.code) is a parent")
        }
    }

    @Test func analyticCodes() throws {
        let code = try AccountCode("4111.00023")
        #expect(code.synthetic == "4111")
        #expect(code.isAnalytic)
        #expect(ChartSeed.parentCode(of: code, among: ["4111"]) == "4111")
        for bad in ["", "41x1", "4111.", "1234567", "4111.a-b"] { #expect(throws: DomainError.self) { try AccountCode(bad) } }
    }

    @Test func validEntryHasNoProblems() {
        let draft = EntryDraft(
            journal: "VZ", date: Self.date("2025-03-10"), description: "Factura EXD-1",
            lines: [
                EntryLine(account: "4111", debit: 12_100, partner: "P1"), EntryLine(account: "707", credit: 10_000),
                EntryLine(account: "4427", credit: 2_100),
            ])
        #expect(EntryValidator.problems(draft, rules: Self.rules).isEmpty)
    }

    @Test func invalidEntryReportsEveryProblem() {
        var rules = Self.rules
        rules.lockDate = Self.date("2025-03-31")
        let draft = EntryDraft(
            journal: "XX", date: Self.date("2025-03-10"), description: "",
            lines: [
                EntryLine(account: "4111", debit: 100), EntryLine(account: "41", credit: 50),
                EntryLine(account: "9999", debit: 10, credit: 10),
            ])
        let ids = Set(EntryValidator.problems(draft, rules: rules).map(\.id))
        #expect(
            ids == [
                "ledger.journal_unknown", "ledger.locked", "ledger.partner_required", "ledger.account_not_postable",
                "ledger.account_unknown",
                "ledger.line_one_side", "ledger.unbalanced",
            ])
        let single = EntryDraft(
            journal: "GEN", date: Self.date("2025-04-01"), description: "x", lines: [EntryLine(account: "5121", debit: 1)])
        #expect(EntryValidator.problems(single, rules: Self.rules).map(\.id).contains("ledger.too_few_lines"))
    }

    @Test func closedPeriodsAndYears() {
        var rules = Self.rules
        rules.closedPeriods = [try! YearMonth(year: 2025, month: 2)]
        rules.closedYearRanges = [Self.date("2024-01-01")...Self.date("2024-12-31")]
        #expect(rules.dateProblems(Self.date("2025-02-15")).map(\.id) == ["ledger.period_closed"])
        #expect(rules.dateProblems(Self.date("2024-06-30")).map(\.id) == ["ledger.year_closed"])
        #expect(rules.dateProblems(Self.date("2025-03-01")).isEmpty)
    }

    @Test func foreignCurrencyLines() {
        let good = EntryDraft(
            journal: "VZ", date: Self.date("2025-03-10"), description: "EUR invoice",
            lines: [
                EntryLine(
                    account: "4111", debit: 49_765, partner: "P1", currency: "EUR", amountCurrency: 10_000, rate: Decimal(string: "4.9765")),
                EntryLine(account: "707", credit: 49_765, currency: "EUR", amountCurrency: -10_000, rate: Decimal(string: "4.9765")),
            ])
        #expect(EntryValidator.problems(good, rules: Self.rules).isEmpty)
        var bad = good
        bad.lines[0].rate = nil
        bad.lines[1].amountCurrency = -9_000
        let ids = EntryValidator.problems(bad, rules: Self.rules).map(\.id)
        #expect(ids.contains("ledger.currency_incomplete"))
        #expect(Rounding.functionalAmount(foreignMinor: 333, rate: Decimal(string: "4.9765")!) == 1657)
        #expect(Rounding.functionalAmount(foreignMinor: -333, rate: Decimal(string: "4.9765")!) == -1657)
    }

    @Test func stateMachine() throws {
        #expect(try EntryState.draft.apply(.post) == .posted)
        #expect(try EntryState.posted.apply(.reverse) == .reversed)
        #expect(try EntryState.draft.apply(.delete) == nil)
        for (state, action) in [
            (EntryState.posted, EntryState.Action.edit), (.posted, .delete), (.reversed, .reverse), (.draft, .reverse), (.posted, .post),
        ] {
            #expect(throws: DomainError.self) { try state.apply(action) }
        }
        do { _ = try EntryState.posted.apply(.edit) } catch { #expect(error.id == "ledger.modify_posted") }
    }

    @Test func reversalStyles() {
        let draft = EntryDraft(
            journal: "GEN", date: Self.date("2025-03-10"), description: "x",
            lines: [EntryLine(account: "5121", debit: 500), EntryLine(account: "4111", credit: 500, partner: "P")])
        let red = draft.reversal(on: Self.date("2025-03-11"), style: .negative, description: "storno")
        #expect(red.lines.map(\.debit) == [-500, 0])
        #expect(red.lines.map(\.credit) == [0, -500])
        let swapped = draft.reversal(on: Self.date("2025-03-11"), style: .swapped, description: "storno")
        #expect(swapped.lines.map(\.debit) == [0, 500])
        #expect(EntryValidator.problems(red, rules: Self.rules).isEmpty)
    }

    @Test func chainHashIsStableAndSensitive() {
        let lines = [EntryLine(account: "5121", debit: 500), EntryLine(account: "4111", credit: 500, partner: "P")]
        let text = EntryChain.canonical(
            seq: 1, entry: EntryID(1), journal: "GEN", number: "GEN-000001", date: Self.date("2025-01-02"), description: "d",
            externalRef: "7",
            reverses: nil, lines: lines)
        let hash = EntryChain.hash(previous: EntryChain.genesis, canonical: text)
        #expect(hash.count == 64)
        #expect(hash == EntryChain.hash(previous: EntryChain.genesis, canonical: text))
        var changed = lines
        changed[0].debit = 501
        let other = EntryChain.canonical(
            seq: 1, entry: EntryID(1), journal: "GEN", number: "GEN-000001", date: Self.date("2025-01-02"), description: "d",
            externalRef: "7",
            reverses: nil, lines: changed)
        #expect(EntryChain.hash(previous: EntryChain.genesis, canonical: other) != hash)
    }

    @Test func trialBalanceRowsAndEqualities() {
        let accounts = Self.rules.accounts
        let report = TrialBalance.build(
            accounts: accounts, opening: ["5121": Turnover(debit: 1_000, credit: 0), "1012": Turnover(debit: 0, credit: 1_000)],
            period: ["5121": Turnover(debit: 500, credit: 200), "707": Turnover(debit: 0, credit: 300)], from: nil, to: nil)
        let bank = report.rows.first { $0.code == "5121" }!
        #expect(bank.opening == Turnover(debit: 1_000, credit: 0))
        #expect(bank.total == Turnover(debit: 1_500, credit: 200))
        #expect(bank.closing == Turnover(debit: 1_300, credit: 0))
        #expect(report.equalitiesHold)
        #expect(report.rows.filter { $0.kind == "class" }.map(\.code) == ["1", "5", "7"])
        let csv = report.csv().split(separator: "\n")
        #expect(csv[0] == Substring(TrialBalance.csvHeader))
        #expect(csv.contains { $0.hasPrefix("5121,") && $0.hasSuffix(",10.00,0.00,5.00,2.00,15.00,2.00,13.00,0.00") })
    }

    @Test func csvFieldsAndImportRows() {
        #expect(CSV.fields("1,\"a, b\",\"say \"\"hi\"\"\",") == ["1", "a, b", "say \"hi\"", ""])
        #expect(CSV.fields("1,\"open") == nil)
        let good = ImportRow.parse(["7", "2025-01-02", "x", "P1", "4111", "Clienti", "-12.50", "", "RON"], line: 3)
        guard case .success(let row) = good else { Issue.record("expected a row"); return }
        #expect(row.debit == -1250)
        let bad = ImportRow.parse(["7", "2025-13-02", "x", "", "41x1", "", "1", "2", "EUR"], line: 9)
        guard case .failure(let failure) = bad else { Issue.record("expected problems"); return }
        #expect(Set(failure.problems.map(\.error.id)) == ["date.invalid", "import.one_side", "import.currency", "ledger.account_code"])
        #expect(failure.problems.allSatisfy { $0.line == 9 })
    }

    @Test func statementsFromData() {
        let rows = Statement.compute(
            StatementLayouts.standard.profitLoss, net: ["707": -10_000, "704": -2_000, "607": 6_000, "641": 3_000, "666": 500, "691": 400])
        let byCode = Dictionary(uniqueKeysWithValues: rows.map { ($0.code, $0.amount) })
        #expect(byCode["1"] == 12_000)
        #expect(byCode["9"] == 3_000)
        #expect(byCode["13"] == 2_500)
        #expect(byCode["15"] == 2_100)
        let sheet = Statement.compute(StatementLayouts.standard.balanceSheet, net: ["5121": 5_000, "1012": -4_000, "707": -1_000])
        #expect(sheet.first { $0.code == "CHK" }?.amount == 0)
    }
}

extension LedgerDomainTests {
    /// Issue 10: every amount and rate bound of a line is named, and a line past them never reaches the currency check
    /// (whose RON arithmetic would leave Int64).
    @Test func linesPastTheBoundsAreNamedAndNeverTrap() {
        let draft = EntryDraft(
            journal: "GEN", date: Self.date("2026-03-02"), description: "Bounds",
            lines: [
                EntryLine(account: "5124", debit: Int64.max, credit: -1, currency: "EUR", amountCurrency: 100, rate: Decimal(5)),
                EntryLine(account: "5121", credit: 500, currency: "EUR", amountCurrency: -100, rate: Decimal(10_001)),
            ])
        let problems = EntryValidator.problems(draft, rules: Self.rules)
        let named = Set(problems.map { "\($0.id) \($0.field ?? "")" })
        #expect(named.contains("money.too_large lines[0].debit"), "\(named)")
        #expect(named.contains("ledger.rate_too_large lines[1].rate"), "\(named)")
        #expect(EntryValidator.magnitudeProblems(draft.lines[1], index: 1).map(\.id) == ["ledger.rate_too_large"])
    }
}
