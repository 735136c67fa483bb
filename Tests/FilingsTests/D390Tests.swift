import Filings
import Foundation
import Kernel
import Tax
import Testing

@Suite("D390: VIES lines per type and partner, the checks against the D300, the XML")
struct D390Tests {
    static func fact(
        _ direction: VATFact.Direction, _ category: VATCategory, base: Int64, country: String, taxID: String?, partner: String,
        number: String = "F1"
    ) throws -> VATFact {
        VATFact(
            direction: direction, source: "invoice:\(number)", number: number, date: try LocalDate(iso: "2026-03-10"),
            supplyDate: try LocalDate(iso: "2026-03-10"), category: category, percent: 0, partnerCode: partner, partnerName: partner,
            partnerTaxID: taxID, partnerCountry: country, base: base, vat: 0, selfAssessed: category == .standard ? 0 : base * 21 / 100)
    }

    @Test func linesPerTypeAndPartner() throws {
        let march = try YearMonth(year: 2026, month: 3)
        let facts = [
            try Self.fact(.sale, .intraCommunity, base: 1_000_000, country: "DE", taxID: "DE123456789", partner: "Handel"),
            try Self.fact(.sale, .intraCommunity, base: 500_049, country: "DE", taxID: "DE123456789", partner: "Handel", number: "F2"),
            try Self.fact(.sale, .intraCommunity, base: -100_000, country: "DE", taxID: "DE123456789", partner: "Handel", number: "CN1"),
            try Self.fact(.sale, .reverseCharge, base: 800_000, country: "GR", taxID: "EL094014201", partner: "Athina"),
            try Self.fact(.purchase, .intraCommunity, base: 300_000, country: "AT", taxID: "ATU12345678", partner: "Wien"),
            try Self.fact(.purchase, .reverseCharge, base: 50_000, country: "IE", taxID: "IE1234567T", partner: "Dublin"),
            try Self.fact(.sale, .standard, base: 70_000, country: "RO", taxID: "18547290", partner: "Cluj"),
            try Self.fact(.sale, .reverseCharge, base: 20_000, country: "US", taxID: nil, partner: "Boston"),
            try Self.fact(.sale, .intraCommunity, base: 10_000, country: "FR", taxID: nil, partner: "Paris", number: "F9"),
        ]
        let d = D390.compute(facts, period: march)
        #expect(
            d.operations.map { "\($0.kind.rawValue) \($0.country) \($0.code) \($0.base)" } == [
                "L DE 123456789 14000", "A AT U12345678 3000", "P EL 094014201 8000", "S IE 1234567T 500",
            ])
        #expect(d.unplaced.map(\.check) == ["D390-code"] && d.unplaced[0].message.contains("F9"))
        let xml = D390.xml(
            d,
            header: TaxReturnHeader(
                cui: "18547290", name: "Exemplu SRL", address: "Cluj", phone: nil, email: nil, bankName: "", iban: "", caen: "",
                declarant: Declarant(lastName: "Pop", firstName: "Ana", function: "Administrator")))
        #expect(xml.contains("<rezumat nr_pag=\"1\" nrOPI=\"4\" bazaL=\"14000\" bazaT=\"0\" bazaA=\"3000\" bazaP=\"8000\" bazaS=\"500\""))
        #expect(xml.contains("totalPlata_A=\"\(4 + 14_000 + 3_000 + 8_000 + 500)\"") && xml.contains("d_rec=\"0\""))
        // Against the month's D300: the same operations, to the leu; a D300 that misses one is named.
        let d300 = try D300.compute(facts, period: march, quarterly: false)
        #expect(D390.problems(d, d300: d300).map(\.check) == ["D390-code", "D390-L"])
        var complete = d
        complete.unplaced = []
        let placed = try D300.compute(facts.filter { $0.number != "F9" }, period: march, quarterly: false)
        #expect(D390.problems(complete, d300: placed).isEmpty)
    }
}
