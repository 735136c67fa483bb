import Filings
import Foundation
import Kernel
import Tax
import Testing

@Suite("D394: lines per domestic partner, type and rate; partners without a fiscal code together; the checks against D300")
struct D394Tests {
    static func fact(
        _ direction: VATFact.Direction, _ category: VATCategory, _ percent: Decimal, base: Int64, vat: Int64, taxID: String?,
        registered: Bool, name: String, number: String, country: String = "RO", selfAssessed: Int64 = 0
    ) throws -> VATFact {
        VATFact(
            direction: direction, source: "invoice:\(number)", number: number, date: try LocalDate(iso: "2026-03-10"),
            supplyDate: try LocalDate(iso: "2026-03-10"), category: category, percent: percent, partnerCode: name, partnerName: name,
            partnerTaxID: taxID, partnerCountry: country, base: base * 100, vat: vat * 100, selfAssessed: selfAssessed * 100,
            selfAssessedPercent: selfAssessed == 0 ? 0 : 21, partnerVATRegistered: registered)
    }

    @Test func linesAndTheirChecks() throws {
        let march = try YearMonth(year: 2026, month: 3)
        let facts = [
            try Self.fact(.sale, .standard, 21, base: 1_000, vat: 210, taxID: "18547290", registered: true, name: "Alfa", number: "F1"),
            try Self.fact(.sale, .standard, 21, base: 500, vat: 105, taxID: "18547290", registered: true, name: "Alfa", number: "F2"),
            try Self.fact(.sale, .standard, 21, base: 200, vat: 42, taxID: "3456787", registered: false, name: "Gama", number: "F3"),
            try Self.fact(.sale, .standard, 11, base: 100, vat: 11, taxID: nil, registered: false, name: "Ion", number: "F4"),
            try Self.fact(.sale, .standard, 11, base: 50, vat: 6, taxID: nil, registered: false, name: "Ana", number: "F5"),
            try Self.fact(.sale, .reverseCharge, 0, base: 300, vat: 0, taxID: "18547290", registered: true, name: "Alfa", number: "F6"),
            try Self.fact(.sale, .exempt, 0, base: 999, vat: 0, taxID: "18547290", registered: true, name: "Alfa", number: "F7"),
            try Self.fact(
                .sale, .intraCommunity, 0, base: 999, vat: 0, taxID: "DE1", registered: true, name: "Berlin", number: "F8", country: "DE"),
            try Self.fact(
                .purchase, .reverseCharge, 0, base: 400, vat: 0, taxID: "4567890", registered: true, name: "Delta", number: "B1",
                selfAssessed: 84),
        ]
        let d = D394.compute(facts, period: march, quarterly: false)
        #expect(
            d.lines.map { "\($0.kind) \($0.partnerType) \($0.rate) \($0.cui ?? "-") \($0.invoices) \($0.base) \($0.vat)" } == [
                "L 1 21 18547290 2 1500 315", "L 2 21 3456787 1 200 42", "L 2 11 - 2 150 17", "V 1 21 18547290 1 300 0",
                "C 1 21 4567890 1 400 84",
            ])
        let d300 = try D300.compute(facts, period: march, quarterly: false)
        #expect(D394.problems(d, d300: d300).isEmpty)
        // A D300 without one of the sales: the difference is named.
        let short = try D300.compute(facts.filter { $0.number != "F3" }, period: march, quarterly: false)
        #expect(D394.problems(d, d300: short).map(\.check) == ["D394-L21"])
        let xml = D394.xml(
            d,
            header: TaxReturnHeader(
                cui: "18547290", name: "Exemplu SRL", address: "Cluj", phone: "0264 000 000", email: nil, bankName: "", iban: "",
                caen: "4690",
                declarant: Declarant(lastName: "Pop", firstName: "Ana", function: "Administrator")))
        #expect(
            xml.contains("nrCui1=\"2\" nrCui2=\"2\"") && xml.contains("tvaCol21=\"\(315 + 42 + 84)\"") && xml.contains("tvaDed21=\"84\""))
        #expect(xml.contains("<rezumat1 tip_partener=\"2\" cota=\"11\" facturiL=\"2\" bazaL=\"150\" tvaL=\"17\"/>"))
        #expect(
            xml.contains(
                "<op1 tip=\"L\" tip_partener=\"2\" cota=\"11\" denP=\"Persoane fără cod fiscal\" nrFact=\"2\" baza=\"150\" tva=\"17\"/>"))
    }
}
