import Companies
import Foundation
import Invoicing
import Kernel
import Partners
import Tax
import Testing

@Suite struct PartnerTests {
    static func validCNP(_ body: String) -> String {
        body + String(CNP.checkDigit(body.compactMap(\.wholeNumberValue)))
    }

    @Test func cnpCheckDigit() throws {
        let cnp = Self.validCNP("197060541001")
        #expect(try CNP(cnp).value == cnp)
        let wrong = String(cnp.dropLast()) + String((Int(String(cnp.last!))! + 1) % 10)
        #expect(throws: DomainError.self) { try CNP(wrong) }
        #expect(throws: DomainError.self) { try CNP("12345") }
        #expect(throws: DomainError.self) { try CNP(Self.validCNP("197130541001")) }  // month 13
        #expect(throws: DomainError.self) { try CNP(Self.validCNP("097060541001")) }  // sex digit 0
    }

    @Test func ibanMod97() throws {
        #expect(try IBAN("RO49 AAAA 1B31 0075 9384 0000").value == "RO49AAAA1B31007593840000")
        #expect(try IBAN("RO49AAAA1B31007593840000").grouped == "RO49 AAAA 1B31 0075 9384 0000")
        #expect(try IBAN("DE89370400440532013000").value == "DE89370400440532013000")
        #expect(throws: DomainError.self) { try IBAN("RO48AAAA1B31007593840000") }
        #expect(throws: DomainError.self) { try IBAN("RO49AAAA1B3100759384000") }
        #expect(throws: DomainError.self) { try IBAN("not an iban") }
    }

    @Test func partnerInputReportsEveryProblem() {
        let input = PartnerInput(
            code: "bad code!", kind: .company, name: " ", cui: "18547291", address: Address(line: "", city: "x", county: "RO-ZZ"),
            ibans: ["RO48AAAA1B31007593840000"], email: "nope", paymentTermDays: 400, isCustomer: false, isSupplier: false)
        do {
            _ = try input.validated()
            Issue.record("expected problems")
        } catch {
            #expect(
                Set(error.problems.compactMap(\.field)) == [
                    "code", "name", "cui", "address.line", "address.county", "ibans[0]", "email", "payment_term_days", "is_customer",
                ])
        }
    }

    @Test func fiscalIdentifiers() throws {
        let company = try PartnerInput(code: "C1", kind: .company, name: "Alfa SRL", cui: "18547290", vatPayer: true).validated()
        #expect(company.fiscalIdentifier == "RO18547290")
        let person = try PartnerInput(code: "P1", kind: .individual, name: "Ion Pop").validated()
        #expect(person.fiscalIdentifier == "0000000000000")
        let foreign = try PartnerInput(
            code: "F1", kind: .company, name: "GmbH", address: Address(line: "Hauptstr. 1", city: "Berlin", county: nil, country: "DE"),
            isCustomer: false, isSupplier: true
        ).validated()
        #expect(foreign.cui == nil)
    }
}

@Suite struct VATTests {
    static func date(_ text: String) -> LocalDate { try! LocalDate(iso: text) }

    @Test func rateFollowsTheSupplyDate() throws {
        let table = VATRateTable.romania
        #expect(try table.rate(.standard, supplyDate: Self.date("2025-07-31")) == 19)
        #expect(try table.rate(.standard, supplyDate: Self.date("2025-08-01")) == 21)
        #expect(try table.rate(.reduced, supplyDate: Self.date("2025-07-31")) == 9)
        #expect(try table.rate(.reduced, supplyDate: Self.date("2025-08-01")) == 11)
        #expect(try table.rate(.reducedLow, supplyDate: Self.date("2025-07-31")) == 5)
        #expect(throws: DomainError.self) { try table.rate(.reducedLow, supplyDate: Self.date("2025-08-01")) }
        #expect(throws: DomainError.self) { try table.rate(.standard, supplyDate: Self.date("2010-01-01")) }
    }

    @Test func futureRatesAreData() throws {
        var rates = VATRateTable.romania.rates
        rates.append(VATRate(kind: .standard, from: Self.date("2027-01-01"), percent: 22))
        let table = VATRateTable(rates: rates)
        #expect(try table.rate(.standard, supplyDate: Self.date("2027-01-01")) == 22)
        #expect(try table.rate(.reduced, supplyDate: Self.date("2027-01-01")) == 11, "other kinds stay in force")
    }

    @Test func roundingRules() {
        #expect(VATRounding.lineNet(quantity: 3, unitPrice: Decimal(string: "33.335")!) == Decimal(string: "100.01"))
        #expect(
            VATRounding.lineNet(quantity: 1, unitPrice: 100, allowances: 10, charges: Decimal(string: "2.5")!) == Decimal(string: "92.5"))
        // VAT on the summed taxable amount, not per line (BR-CO-17): 3 × 0.05 at 21 % is 0.03, not 3 × 0.01.
        #expect(VATRounding.categoryVAT(taxable: Decimal(string: "0.15")!, percent: 21) == Decimal(string: "0.03"))
        #expect(VATRounding.round(Decimal(string: "-2.345")!) == Decimal(string: "-2.35"))
        #expect(VATRounding.minorUnits(Decimal(string: "1234.5")!) == 123_450)
        #expect(VATCategory.exempt.needsExemptionReason && !VATCategory.standard.needsExemptionReason)
    }
}

@Suite struct EFacturaDeadlineTests {
    @Test func orthodoxEasterAndHolidays() throws {
        #expect(RomanianHolidays.orthodoxEaster(2026) == (try LocalDate(iso: "2026-04-12")))
        #expect(RomanianHolidays.orthodoxEaster(2025) == (try LocalDate(iso: "2025-04-20")))
        #expect(RomanianHolidays.orthodoxEaster(2027) == (try LocalDate(iso: "2027-05-02")))
        for holiday in ["2026-04-10", "2026-04-13", "2026-05-31", "2026-06-01", "2026-12-01", "2026-01-24"] {
            #expect(RomanianHolidays.isHoliday(try LocalDate(iso: holiday)), "\(holiday)")
        }
        #expect(!RomanianHolidays.isHoliday(try LocalDate(iso: "2026-04-14")))
    }

    @Test func fiveWorkingDaysSkipWeekendsAndHolidays() throws {
        // Monday → the next Monday.
        #expect(EFacturaDeadline.due(issued: try LocalDate(iso: "2026-03-02")) == (try LocalDate(iso: "2026-03-09")))
        // Thursday 26 November 2026: 30 November and 1 December are holidays.
        #expect(EFacturaDeadline.due(issued: try LocalDate(iso: "2026-11-26")) == (try LocalDate(iso: "2026-12-07")))
        // Over Orthodox Easter 2026 (Good Friday 10 April, Easter Monday 13 April).
        #expect(EFacturaDeadline.due(issued: try LocalDate(iso: "2026-04-08")) == (try LocalDate(iso: "2026-04-17")))
    }
}
