import Foundation
import Kernel
import Testing

/// Numbers as people type them (issue 13, item 1): `1.234,56`, `1234,56` and `1234.56` all read as 1234.56; a
/// person's `1.234` is refused as ambiguous, a machine's stays the decimal it always was.
@Suite struct NumberTextTests {
    @Test(arguments: [
        ("1.234,56", "1234.56"), ("1234,56", "1234.56"), ("1234.56", "1234.56"), ("1,234.56", "1234.56"),
        ("1 234,56", "1234.56"), ("1\u{00A0}234,56", "1234.56"), ("12.345.678,9", "12345678.9"), ("12,345,678.9", "12345678.9"),
        ("1.234.567", "1234567"), ("-1.234,5", "-1234.5"), ("+7", "7"), ("0,5", "0.5"), ("0.125", "0.125"), ("1234,567", "1234.567"),
        ("1,5", "1.5"), ("-0", "0"), ("12", "12"),
    ])
    func readsEveryWayAPersonWritesANumber(_ text: String, _ plain: String) throws {
        #expect(try NumberText.normalize(text, scale: 6, source: .person).get() == plain)
    }

    @Test(arguments: [
        ("1.234", NumberText.Problem.ambiguous), ("1,234", .ambiguous), ("-12,345", .ambiguous), ("1.23.4", .malformed),
        ("1.234,5.6", .malformed), ("12.34,56", .malformed), ("1,2345.6", .malformed), ("abc", .malformed), (",5", .malformed),
        ("5,", .malformed), ("1e5", .malformed), ("", .malformed), ("--1", .malformed), ("1,234.5,6", .malformed),
        ("0.001.234", .malformed),
    ])
    func refusesWhatItCannotReadForSure(_ text: String, _ problem: NumberText.Problem) {
        #expect(NumberText.normalize(text, scale: 6, source: .person) == .failure(problem))
    }

    @Test func aMachinesThreeDecimalsStayADecimal() throws {
        #expect(try NumberText.normalize("1.234", scale: 6, source: .machine).get() == "1.234")
        #expect(NumberText.normalize("1.234", scale: 2, source: .machine) == .failure(.tooManyDecimals))
        #expect(NumberText.normalize("-5", scale: 2, allowNegative: false, source: .machine) == .failure(.negative))
    }

    @Test func aPersonsAmountIsReadTheRomanianOrTheEnglishWay() throws {
        try InputSource.$current.withValue(.person) { () throws in
            #expect(try Money(parsing: "1.234,56", currency: .ron).minorUnits == 123_456)
            #expect(try Money(parsing: "1,234.56", currency: .ron).minorUnits == 123_456)
            #expect(try Money(parsing: "1234,56", currency: .ron).minorUnits == 123_456)
            let error = #expect(throws: DomainError.self) { try Money(parsing: "1.234", currency: .ron, field: "debit") }
            #expect(error?.id == "number.ambiguous" && error?.field == "debit")
            #expect(error?.message.contains("1234") == true)
            let decimals = #expect(throws: DomainError.self) { try Money(parsing: "1,2345", currency: .ron) }
            #expect(decimals?.id == "money.format")
        }
        // The API and files keep the machine reading: three decimals in an amount is a format error, not a guess.
        let machine = #expect(throws: DomainError.self) { try Money(parsing: "1.234", currency: .ron) }
        #expect(machine?.id == "money.format")
    }

    @Test func aPersonMayWriteDatesTheRomanianWay() throws {
        try InputSource.$current.withValue(.person) { () throws in
            #expect(try LocalDate(iso: "07.08.2026").iso == "2026-08-07")
            #expect(try LocalDate(iso: "2026-08-07").iso == "2026-08-07")
            let error = #expect(throws: DomainError.self) { try LocalDate(iso: "31.02.2026") }
            #expect(error?.id == "date.invalid")
            let format = #expect(throws: DomainError.self) { try LocalDate(iso: "7.8.2026") }
            #expect(format?.id == "date.format" && format?.message.contains("DD.MM.YYYY") == true)
        }
        #expect(throws: DomainError.self) { try LocalDate(iso: "07.08.2026") }
        #expect(try LocalDate(iso: "2026-08-07").romanian == "07.08.2026")
    }

    @Test func decimalsAreWrittenTheReadersWay() {
        #expect(MoneyFormat.decimal(Decimal(string: "1234.5")!, locale: .ro) == "1.234,5")
        #expect(MoneyFormat.decimal(Decimal(string: "1234.5")!, locale: .en) == "1,234.5")
        #expect(MoneyFormat.decimal(Decimal(string: "3500")!, minimumFractionDigits: 2, locale: .ro) == "3.500,00")
        #expect(MoneyFormat.decimal(Decimal(string: "12.3456")!, minimumFractionDigits: 2, locale: .ro) == "12,3456")
        #expect(MoneyFormat.decimal(Decimal(string: "-0.5")!, locale: .ro) == "-0,5")
        #expect(MoneyFormat.decimal(Decimal(string: "1234567.25")!, locale: .en) == "1,234,567.25")
        #expect(MoneyFormat.amount(123_456, locale: .ro) == "1.234,56")
        #expect(MoneyFormat.amount(-123_456_789, locale: .en) == "-1,234,567.89")
    }
}
