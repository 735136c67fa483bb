import Kernel
import People
import TestSupport
import Testing

/// What a CNP says of its holder, and every way it can be wrong.
@Suite struct CNPTests {
    typealias F = PeopleFixtures

    @Test(arguments: [
        (1, 85, 3, 15, Sex.male, "1985-03-15"), (2, 92, 2, 29, .female, "1992-02-29"), (5, 3, 7, 1, .male, "2003-07-01"),
        (6, 10, 12, 31, .female, "2010-12-31"), (7, 90, 6, 1, .male, "1990-06-01"), (8, 5, 1, 20, .female, "2005-01-20"),
    ])
    func birthDateAndSexAreDerived(_ s: Int, _ yy: Int, _ mm: Int, _ dd: Int, _ sex: Sex, _ birth: String) throws {
        let facts = try CNPFacts.of(F.cnp(s, yy, mm, dd), today: F.today)
        #expect(facts.sex == sex)
        #expect(facts.birthDate == F.date(birth))
        #expect(facts.countyCode == 40)
    }

    @Test func everyKnownCountyCodeIsAccepted() throws {
        for county in [1, 12, 40, 41, 46, 47, 51, 52, 70, 80, 83] {
            #expect(try CNPFacts.of(F.cnp(1, 80, 1, 1, county: county), today: F.today).countyCode == county)
        }
    }

    @Test func wrongCNPsAreRefusedWithTheirReason() async throws {
        var good = F.cnp(1, 85, 3, 15)
        let last = good.removeLast()
        let wrongDigit = good + String(((last.wholeNumberValue ?? 0) + 1) % 10)
        await expectRefusal("partner.cnp_check_digit", field: "cnp") { try CNPFacts.of(wrongDigit, today: F.today) }
        await expectRefusal("partner.cnp_format", field: "cnp") { try CNPFacts.of("123456789012", today: F.today) }
        // 30 February passes the digit check but is no date.
        await expectRefusal("employee.cnp_date", field: "cnp") { try CNPFacts.of(F.cnp(1, 90, 2, 30), today: F.today) }
        // Born after today.
        await expectRefusal("employee.cnp_date", field: "cnp") { try CNPFacts.of(F.cnp(6, 27, 1, 1), today: F.today) }
        await expectRefusal("employee.cnp_county", field: "cnp") { try CNPFacts.of(F.cnp(1, 85, 3, 15, county: 49), today: F.today) }
        await expectRefusal("employee.cnp_county", field: "cnp") { try CNPFacts.of(F.cnp(1, 85, 3, 15, county: 0), today: F.today) }
        await expectRefusal("employee.cnp_kind", field: "cnp") { try CNPFacts.of(F.cnp(9, 85, 3, 15), today: F.today) }
    }
}
