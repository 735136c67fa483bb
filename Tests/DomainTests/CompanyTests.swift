import Companies
import Foundation
import Kernel
import Testing

@Suite struct CUITests {
    @Test(arguments: ["18547290", "RO18547290", "ro 18547290", "RO 1854 7290"])
    func acceptsValidCodes(_ text: String) throws {
        #expect(try CUI(text).digits == "18547290")
    }

    @Test func checkDigitAlgorithm() {
        // 753217532 key, ×10 mod 11, 10 → 0.
        #expect(CUI.checkDigit(for: "1854729") == 0)
        for body in [1, 12, 123_456_789, 99_999_999, 4_000_001] {
            let text = String(body) + String(CUI.checkDigit(for: String(body)))
            #expect((try? CUI(text)) != nil, "generated \(text)")
        }
    }

    @Test(arguments: [
        ("18547291", "cui.check_digit"), ("1", "cui.format"), ("12345678901", "cui.format"), ("RO12A4", "cui.format"),
        ("", "cui.required"), ("0123", "cui.format"),
    ])
    func refusesInvalidCodes(_ text: String, _ id: String) {
        #expect(throws: DomainError.self) { try CUI(text) }
        do { _ = try CUI(text) } catch { #expect(error.id == id); #expect(error.field == "cui") }
    }

    @Test func vatPrefix() throws {
        let cui = try CUI("18547290")
        #expect(cui.display(vatPayer: true) == "RO18547290")
        #expect(cui.display(vatPayer: false) == "18547290")
    }
}

@Suite struct RegisterAndAddressTests {
    @Test(arguments: ["J40/1234/2020", "j40/1234/2020", "F12/5/1999", "J2024012345408", "ROONRC.J40/1234/2020", "C1/1/2001"])
    func acceptsTradeRegisterForms(_ text: String) throws {
        _ = try TradeRegisterNumber(text)
    }

    @Test(arguments: ["J99/1234/2020", "X40/1/2020", "J40/1234/20", "J40-1234-2020", "J20240123", "hello"])
    func refusesBadTradeRegister(_ text: String) {
        #expect(throws: DomainError.self) { try TradeRegisterNumber(text) }
    }

    @Test func normalisesCountyAndSector() throws {
        let address = try Address(line: "Str. X 1", city: "Sector 3", county: "ro-b").validated()
        #expect(address.county == "RO-B")
        #expect(address.city == "SECTOR3")
        #expect(try Address(line: "Str. Y", city: "Cluj-Napoca", county: "CJ").validated().county == "RO-CJ")
        #expect(try Address(line: "Hauptstr. 1", city: "Berlin", county: nil, country: "de").validated().country == "DE")
    }

    @Test func reportsEveryAddressProblemAtOnce() {
        do {
            _ = try Address(line: "", city: "Cartierul Nou", county: "RO-B").validated()
            Issue.record("expected errors")
        } catch {
            #expect(Set(error.problems.map(\.id)) == ["address.line_required", "address.bucharest_sector"])
        }
        do {
            _ = try Address(line: "x", city: "y", county: "RO-XX").validated()
        } catch {
            #expect(error.problems.map(\.field) == ["address.county"])
        }
        #expect(throws: ValidationErrors.self) { try Address(line: "x", city: "y", county: nil).validated() }
        #expect(County.names.count == 42)
    }

    @Test func companyInputValidatesAsAWhole() {
        let input = CompanyInput(
            legalName: " ", cui: "18547291", tradeRegister: "J99/1/2020",
            address: Address(line: "x", city: "y", county: "RO-ZZ"), vatPayer: true, fiscalYearStartMonth: 13)
        do {
            _ = try input.validated(id: CompanyID.generate())
            Issue.record("expected errors")
        } catch {
            #expect(
                Set(error.problems.compactMap(\.field)) == [
                    "legal_name", "cui", "trade_register", "address.county", "fiscal_year_start_month",
                ])
            for problem in error.problems { #expect(problem.message.hasPrefix("You cannot") || problem.message.hasPrefix("To ")) }
        }
    }
}
