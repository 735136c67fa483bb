import Foundation
import Kernel
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [
        ("1234.5", 123_450), ("-0.07", -7), ("1 234,50", 123_450), ("0", 0), ("+12", 1200), ("99999999999.99", 9_999_999_999_999),
    ])
    func parsesExactly(_ text: String, _ minor: Int64) throws {
        #expect(try Money(parsing: text, currency: .ron).minorUnits == minor)
    }

    @Test(arguments: ["12.345", "abc", "", "1.2.3", "--1", "1e5", ".5"])
    func refusesBadAmounts(_ text: String) {
        #expect(throws: DomainError.self) { try Money(parsing: text, currency: .ron) }
    }

    @Test func formatsWithDotAndTwoDecimals() {
        #expect(Money(minorUnits: 123_450, currency: .ron).decimalString == "1234.50")
        #expect(Money(minorUnits: -7, currency: .ron).decimalString == "-0.07")
        #expect(Money(minorUnits: 5, currency: .jpy).decimalString == "5")
        #expect(Money(minorUnits: Int64.min, currency: .ron).decimalString == "-92233720368547758.08")
    }

    @Test func arithmeticChecksOverflowAndCurrency() throws {
        let big = Money(minorUnits: .max, currency: .ron)
        #expect(throws: DomainError.self) { try big.adding(Money(minorUnits: 1, currency: .ron)) }
        #expect(throws: DomainError.self) { try Money.zero(.ron).adding(Money.zero(.eur)) }
        #expect(try Money(minorUnits: 5, currency: .eur).subtracting(Money(minorUnits: 7, currency: .eur)).minorUnits == -2)
    }

    @Test func currencyCodes() throws {
        #expect(try Currency(code: "eur") == .eur)
        #expect(try Currency(code: "XAU").minorDigits == 2)
        #expect(throws: DomainError.self) { try Currency(code: "EURO") }
    }
}

@Suite struct DateTests {
    @Test func parsesAndFormats() throws {
        let date = try LocalDate(iso: "2024-02-29")
        #expect(date.iso == "2024-02-29")
        #expect(throws: DomainError.self) { try LocalDate(iso: "2023-02-29") }
        #expect(throws: DomainError.self) { try LocalDate(iso: "2023-2-1") }
        #expect(throws: DomainError.self) { try LocalDate(iso: "29.02.2024") }
    }

    @Test func dayArithmeticRoundTrips() throws {
        var date = try LocalDate(iso: "1999-12-25")
        for _ in 0..<1000 {
            let next = date.adding(days: 1)
            #expect(next > date)
            #expect(LocalDate(dayNumber: next.dayNumber) == next)
            date = next
        }
        #expect(try LocalDate(iso: "2025-07-31").days(until: LocalDate(iso: "2025-08-05")) == 5)
        #expect(try LocalDate(iso: "1970-01-01").dayNumber == 0)
    }

    @Test func monthBounds() throws {
        let month = try YearMonth(year: 2024, month: 2)
        #expect(month.lastDay.iso == "2024-02-29")
        #expect(month.firstDay.iso == "2024-02-01")
    }

    @Test func timestampsRoundTrip() {
        let date = Date(timeIntervalSince1970: 1_700_000_000.5)
        let text = Timestamp.format(date)
        #expect(text == "2023-11-14T22:13:20.500Z")
        #expect(abs(Timestamp.parse(text)!.timeIntervalSince(date)) < 0.001)
    }
}

@Suite struct IDTests {
    @Test func idsAreTypedUniqueAndTimeOrdered() {
        let earlier = CompanyID.generate(now: Date(timeIntervalSince1970: 1_000))
        let later = CompanyID.generate(now: Date(timeIntervalSince1970: 2_000))
        #expect(earlier < later)
        #expect(CompanyID(string: earlier.description) == earlier)
        #expect(Set((0..<1000).map { _ in UserID.generate() }).count == 1000)
        #expect(CompanyID(string: "not-an-id") == nil)
    }

    @Test func collectorReportsEveryProblem() {
        var collector = ProblemCollector()
        collector.check(false, DomainError("a.one", field: "a", "You cannot a because one."))
        collector.check(true, DomainError("a.two", "never"))
        _ = collector.collect { () throws(DomainError) -> Int in throw DomainError("b.three", field: "b", "You cannot b because three.") }
        #expect(collector.problems.map(\.id) == ["a.one", "b.three"])
        #expect(throws: ValidationErrors.self) { try collector.throwIfAny() }
    }
}
