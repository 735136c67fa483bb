import Banking
import Foundation
import Identity
import Kernel
import Ledger
import TestSupport
import Testing

/// Each refusal of the ledger, banking, identity and kernel domains, provoked and asserted by its id (the error
/// catalogue). Validators that return problems instead of throwing are asserted by id and field too.
@Suite struct CoreCatalogueTests {
    static func expectProblem(
        _ id: String, field: String? = nil, in problems: [DomainError], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            problems.contains { $0.id == id && (field == nil || $0.field == field) }, "expected \(id) among \(problems)",
            sourceLocation: sourceLocation)
    }

    // MARK: Ledger

    static func draft(_ lines: [EntryLine], description: String = "Test") throws -> EntryDraft {
        EntryDraft(journal: "GEN", date: try LocalDate(iso: "2026-11-20"), description: description, lines: lines)
    }

    static let balanced = [EntryLine(account: "5121", debit: 10_000), EntryLine(account: "4111", credit: 10_000, partner: "BETA")]

    @Test func entryRefusals() throws {
        let rules = LedgerDomainTests.rules
        var inactive = rules
        inactive.accounts["5121"]?.isActive = false
        Self.expectProblem(
            "ledger.account_inactive", field: "lines[0].account",
            in: EntryValidator.problems(try Self.draft(Self.balanced), rules: inactive))
        Self.expectProblem(
            "ledger.description_length", field: "description",
            in: EntryValidator.problems(
                try Self.draft(Self.balanced, description: String(repeating: "d", count: Limits.nameLength * 2 + 1)), rules: rules))
        let many =
            Array(repeating: EntryLine(account: "5121", debit: 1), count: Limits.linesPerEntry) + [
                EntryLine(account: "4111", credit: Int64(Limits.linesPerEntry), partner: "BETA")
            ]
        Self.expectProblem("ledger.too_many_lines", field: "lines", in: EntryValidator.problems(try Self.draft(many), rules: rules))
        // 100.00 EUR at 5.0000 is 500.00 RON, not 100.00.
        let wrongRate = [
            EntryLine(account: "5124", debit: 10_000, currency: "EUR", amountCurrency: 10_000, rate: 5),
            EntryLine(account: "4111", credit: 10_000, partner: "BETA"),
        ]
        Self.expectProblem(
            "ledger.currency_mismatch", field: "lines[0].amount", in: EntryValidator.problems(try Self.draft(wrongRate), rules: rules))
        // Balanced in RON, but 100.00 EUR in against 90.00 EUR out.
        let unbalanced = [
            EntryLine(account: "5124", debit: 50_000, currency: "EUR", amountCurrency: 10_000, rate: 5),
            EntryLine(
                account: "4111", credit: 50_000, partner: "BETA", currency: "EUR", amountCurrency: -9_000, rate: Decimal(string: "5.5556")),
        ]
        Self.expectProblem(
            "ledger.unbalanced_currency", field: "lines", in: EntryValidator.problems(try Self.draft(unbalanced), rules: rules))
        let huge = [
            EntryLine(account: "5121", debit: Int64.max), EntryLine(account: "5121", debit: Int64.max),
            EntryLine(account: "4111", credit: 1, partner: "BETA"),
        ]
        Self.expectProblem("ledger.amount_overflow", field: "lines", in: EntryValidator.problems(try Self.draft(huge), rules: rules))
    }

    @Test func entryLifecycle() async {
        await expectRefusal("ledger.already_posted") { try EntryState.posted.apply(.post) }
        await expectRefusal("ledger.already_reversed") { try EntryState.reversed.apply(.reverse) }
        await expectRefusal("ledger.reverse_draft") { try EntryState.draft.apply(.reverse) }
    }

    static func importIDs(_ result: Result<some Any, ImportProblems>) -> [String] {
        if case .failure(let failure) = result { return failure.problems.map(\.error.id) }
        return []
    }

    @Test func journalImportRows() throws {
        #expect(Self.importIDs(ImportRow.parse(["T1", "2026-11-20"], line: 2)).contains("import.columns"))
        #expect(
            Self.importIDs(ImportRow.parse(["", "2026-11-20", "Chirie", "", "5121", "Banca", "1.00", "", "RON"], line: 2)).contains(
                "import.txn_id"))
        let rows = try [("2026-11-20", 2), ("2026-11-21", 3)].map { date, line in
            try ImportRow.parse(["T1", date, "Chirie", "", "5121", "Banca", "1.00", "", "RON"], line: line).get()
        }
        #expect(
            Self.importIDs(ImportedEntry(reference: "T1", firstLine: 2, rows: rows).draft(journal: "GEN")).contains("import.mixed_dates"))
    }

    // MARK: Banking

    static let profileRows: [(String, String, @Sendable (inout CSVProfile) -> Void)] = [
        ("csv_profile.name", "name", { $0.name = " " }),
        ("csv_profile.delimiter", "delimiter", { $0.delimiter = ":" }),
        ("csv_profile.header_rows", "header_rows", { $0.headerRows = 21 }),
        ("csv_profile.date_format", "date_format", { $0.dateFormat = "d MMMM yyyy" }),
        ("csv_profile.decimal", "decimal_separator", { $0.decimalSeparator = "'" }),
        ("csv_profile.date", "date", { $0.date = "" }),
        (
            "csv_profile.amount", "amount",
            {
                $0.amount = nil; $0.debit = "Debit"; $0.credit = nil
            }
        ),
        (
            "csv_profile.currency", "currency",
            {
                $0.currency = nil; $0.defaultCurrency = nil
            }
        ),
    ]

    @Test(arguments: 0..<profileRows.count) func csvProfileRefusal(_ row: Int) throws {
        let (id, field, change) = Self.profileRows[row]
        var profile = try #require(CSVProfile.builtIn.first)
        change(&profile)
        Self.expectProblem(id, field: field, in: profile.problems())
    }

    @Test func statementFiles() async {
        await expectRefusal("statement.camt_root", field: "file") { try CAMT053.parse(Data("<Document xmlns=\"urn:x\"/>".utf8)) }
        await expectRefusal("statement.empty", field: "file") { try MT940.parse("nothing to read here") }
        await expectRefusal("statement.iban", field: "file") {
            try MT940.parse(":20:STMT001\n:60F:C260301RON1000,00\n:62F:C260301RON1000,00\n")
        }
        await expectRefusal("statement.balance") { try MT940.parse(":20:STMT001\n:25:RO49AAAA1B31007593840000\n:60F:C26\n") }
    }

    @Test func exchangeRateFiles() async {
        await expectRefusal("fx.format", field: "file") { try BNRFeed.parse(Data("<Rates/>".utf8)) }
        await expectRefusal("fx.empty", field: "file") {
            try BNRFeed.parse(Data("<DataSet xmlns=\"http://www.bnr.ro/xsd\"><Header/><Body></Body></DataSet>".utf8))
        }
        await expectRefusal("fx.too_large", field: "file") { try BNRFeed.parse(Data(count: Limits.uploadBytes + 1)) }
    }

    // MARK: Identity and kernel

    @Test func identity() async {
        await expectRefusal("user.email", field: "email") { try Email.normalise("ana@firma") }
        await expectRefusal("user.role", field: "role") { try Role(parsing: "sef") }
        await expectRefusal("password.too_short", field: "password") { try PasswordPolicy.check("scurt", email: "ana@firma.ro") }
        await expectRefusal("password.too_long", field: "password") {
            try PasswordPolicy.check(String(repeating: "p", count: Limits.passwordMaxLength + 1), email: "ana@firma.ro")
        }
        await expectRefusal("password.is_email", field: "password") { try PasswordPolicy.check("ana@firma.ro", email: "ana@firma.ro") }
        await expectRefusal("auth.forbidden") { try Policy.require(.employee, .payroll, .write) }
    }

    @Test func kernel() async {
        await expectRefusal("date.format", field: "date") { try LocalDate(iso: "20.11.2026", field: "date") }
        await expectRefusal("date.month_format", field: "month") { try YearMonth(text: "noiembrie") }
        await expectRefusal("date.month_invalid") { try YearMonth(year: 2026, month: 13) }
        await expectRefusal("money.currency_code") { try Currency(code: "E1") }
        await expectRefusal("money.currency_mismatch") {
            try Money(minorUnits: 100, currency: .ron).adding(Money(minorUnits: 100, currency: try Currency(code: "EUR")))
        }
        struct Odd: Error {}
        var problems = ProblemCollector()
        _ = problems.collect { () throws -> Int in throw Odd() }
        Self.expectProblem("internal.unexpected", in: problems.problems)
    }

    @Test func countedNouns() {
        let lines = { (n: Int) in Plural.romanian(n, one: "linie", few: "linii", many: "de linii") }
        #expect(
            [0, 1, 2, 19, 20, 101, 119, 120, -1].map(lines) == [
                "0 linii", "1 linie", "2 linii", "19 linii", "20 de linii", "101 linii", "119 linii", "120 de linii", "-1 linie",
            ])
        #expect(Plural.english(1, one: "day", other: "days") == "1 day" && Plural.english(3, one: "day", other: "days") == "3 days")
    }
}
