import Filings
import Foundation
import Kernel
import Tax
import Testing

/// The pure parts of SAF-T D406: partner identifiers, ANAF's tax codes, the file's named cross-checks, the writer's
/// escaping, shortening and balance sides.
@Suite struct D406Tests {
    static func day(_ text: String) throws -> LocalDate { try LocalDate(iso: text) }

    static func file(quarterly: Bool = false) throws -> D406.File {
        let header = D406.Header(
            registration: "RO18547290", ownID: "0018547290", name: "Exemplu & Fiii <SRL>", street: "Str. A 1", city: "Cluj-Napoca",
            postalCode: "400114", region: "RO-CJ", contactFirstName: "Ana", contactLastName: "Pop", phone: "0264000111", email: nil,
            iban: "RO49AAAA1B31007593840000", from: try day("2026-03-01"), to: try day("2026-03-31"), quarterly: quarterly,
            created: try day("2026-04-10"))
        let accounts = [
            D406.Account(id: "4111", code: "4111", name: "Clienți", standard: "4111", type: "Activ", opening: 10_000, closing: 22_100),
            D406.Account(id: "704", code: "704", name: "Venituri", standard: "704", type: "Pasiv", opening: 0, closing: -10_000),
            D406.Account(id: "4427", code: "4427", name: "TVA colectată", standard: "4427", type: "Pasiv", opening: 0, closing: -2_100),
        ]
        let sale = D406.Transaction(
            id: "VZ-1", date: try day("2026-03-05"), description: String(repeating: "é", count: 300), entered: try day("2026-03-05"),
            lines: [
                D406.Line(
                    number: 1, account: "4111", customer: "0012345674", supplier: nil, description: "Factura 1", debit: 12_100, credit: 0),
                D406.Line(number: 2, account: "704", customer: nil, supplier: nil, description: "Servicii", debit: 0, credit: 10_000),
                D406.Line(
                    number: 3, account: "4427", customer: nil, supplier: nil, description: "TVA", debit: 0, credit: 2_100,
                    tax: D406.Tax(type: "300", code: "310344", percent: 21, base: 10_000, amount: 2_100)),
            ])
        return D406.File(
            header: header, accounts: accounts, customers: [], suppliers: [],
            journals: [D406.Journal(id: "VZ", name: "Vânzări", transactions: [sale])], sales: [], purchases: [], payments: [])
    }

    @Test func partnerIdentifiers() {
        #expect(SAFTPartnerID.id(person: false, cui: "RO 12345674", cnp: nil, vatNumber: nil, country: "RO", code: "A")?.id == "0012345674")
        #expect(
            SAFTPartnerID.id(person: true, cui: nil, cnp: "1800101221144", vatNumber: nil, country: "RO", code: "P")?.id
                == "031800101221144")
        #expect(SAFTPartnerID.id(person: true, cui: nil, cnp: nil, vatNumber: nil, country: "RO", code: "P-7")?.id == "04P7")
        #expect(
            SAFTPartnerID.id(person: false, cui: nil, cnp: nil, vatNumber: "DE 123456789", country: "DE", code: "M")?.id == "01DE123456789")
        #expect(
            SAFTPartnerID.id(person: false, cui: nil, cnp: nil, vatNumber: "EL123456789", country: "GR", code: "G")?.id == "01GR123456789")
        #expect(
            SAFTPartnerID.id(person: false, cui: nil, cnp: nil, vatNumber: "CHE-123.456.789", country: "CH", code: "Z")?.id
                == "02CHCHE123456789")
        // A company with nothing to identify it is not given an identifier: the caller names it before any XML.
        #expect(SAFTPartnerID.id(person: false, cui: nil, cnp: nil, vatNumber: nil, country: "RO", code: "X") == nil)
        #expect(SAFTPartnerID.id(person: false, cui: "", cnp: nil, vatNumber: nil, country: "DE", code: "X") == nil)
    }

    @Test func taxCodes() {
        let rows: [(VATCategory, Decimal, String?)] = [
            (.standard, 21, "310344"), (.standard, 19, "310309"), (.standard, 11, "310351"), (.standard, 9, "310310"),
            (.standard, 5, "310311"), (.standard, 24, nil), (.reverseCharge, 0, "310312"), (.intraCommunity, 0, "310301"),
            (.export, 0, "310313"), (.exempt, 0, "310326"), (.outOfScope, 0, "310324"), (.zero, 0, "310314"), (.splitPayment, 0, nil),
        ]
        for (category, percent, code) in rows { #expect(SAFTCodes.saleCode(category, percent: percent) == code, "\(category) \(percent)") }
        #expect(SAFTCodes.purchaseCode(percent: 21) == "301104" && SAFTCodes.purchaseCode(percent: 11) == "301105")
        #expect(SAFTCodes.purchaseCode(percent: 0) == nil)
        #expect(SAFTCodes.percent("310344") == 21 && SAFTCodes.percent("000000") == 0)
    }

    @Test func aConsistentFileHasNoProblems() throws {
        #expect(D406.problems(try Self.file(), salesRegister: nil).isEmpty)
        #expect(D406.problems(try Self.file(), salesRegister: 0).isEmpty)
    }

    @Test func eachCheckIsNamed() throws {
        var file = try Self.file()
        file.journals[0].transactions[0].lines[0].debit = 12_000
        file.journals[0].transactions[0].lines.append(
            D406.Line(number: 4, account: "5311", customer: nil, supplier: nil, description: "?", debit: 0, credit: 0))
        file.sales = [
            D406.Invoice(
                number: "1", partner: "0012345674", partnerName: "A", city: "Cluj", country: "RO", account: "4111",
                date: try Self.day("2026-03-05"),
                type: "380", lines: [], taxes: [], net: 10_000, gross: 12_100)
        ]
        let problems = D406.problems(file, salesRegister: 12_000)
        #expect(problems.map(\.check) == ["D406-GL", "D406-line-account", "D406-balance", "D406-invoices"])
        #expect(problems[1].message.contains("5311") && problems[2].message.contains("4111"))
        #expect(problems.allSatisfy { !$0.messageRO.isEmpty })
    }

    @Test func theWriter() throws {
        let xml = D406.xml(try Self.file())
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AuditFile xmlns=\"mfp:anaf:dgti:d406:declaratie:v1\">"))
        #expect(xml.contains("<Name>Exemplu &amp; Fiii &lt;SRL&gt;</Name>"))
        let quarterly = D406.xml(try Self.file(quarterly: true))
        #expect(xml.contains("<HeaderComment>L</HeaderComment>") && quarterly.contains("<HeaderComment>T</HeaderComment>"))
        // Credit balances on the credit side; a description over 256 characters shortened to the field.
        #expect(xml.contains("<AccountID>704</AccountID>") && xml.contains("<ClosingCreditBalance>100.00</ClosingCreditBalance>"))
        #expect(xml.contains("<Description>\(String(repeating: "é", count: 256))</Description>"))
        #expect(!xml.contains(String(repeating: "é", count: 257)))
        // Lines without a partner carry the company's own identifier; the VAT line its code, the others 000/000000.
        #expect(xml.contains("<SupplierID>0018547290</SupplierID>"))
        #expect(xml.contains("<TaxType>000</TaxType>\n<TaxCode>000000</TaxCode>") && xml.contains("<TaxCode>310344</TaxCode>"))
        #expect(xml.contains("<NumberOfEntries>1</NumberOfEntries>\n<TotalDebit>121.00</TotalDebit>\n<TotalCredit>121.00</TotalCredit>"))
    }

    @Test func roundingRules() {
        #expect(FilingText.rate("4.97415") == "4.9742" && FilingText.rate("5") == "5" && FilingText.rate("-1") == nil)
        #expect(FilingText.unitPrice(Decimal(string: "12.345") ?? 0) == Decimal(string: "12.35"))
        #expect(FilingText.unitPrice(Decimal(string: "-12.345") ?? 0) == Decimal(string: "-12.35"))
        #expect(FilingText.amount(-7) == "-0.07" && FilingText.amount(123_456) == "1234.56")
    }
}
