import Application
import Companies
import Filings
import FilingsApp
import Foundation
import Identity
import Invoicing
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import Partners
import PartnersApp
import SQLKit
import TestSupport
import Testing

/// D300 and the VAT closing from posted documents on both engines (issue 16 item 3): the rows of a month with 21 % and
/// 11 % sales, a reverse-charge sale and purchase, an intra-Community supply, an exempt line and a service bought in
/// Ireland; the XML byte for byte against a golden file and through ANAF's XSD; the return equal to the VAT accounts;
/// the closing leaving 4426 and 4427 at zero and the return's result in 4423.
@Suite struct VATReturnAppTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden/d300-2026-03.xml")
    static let goldenD394 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden/d394-2026-03.xml")
    static let goldenD390 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden/d390-2026-03.xml")

    static let settings = TaxFilingSettings(
        vatPeriod: .monthly, caen: "6201", declarantLastName: "Popescu", declarantFirstName: "Maria", declarantFunction: "Administrator",
        bankName: "Banca Exemplu", iban: InvoicingFixtures.companyIBAN, phone: "0264 000 111", email: "contabilitate@alfa-consult.ro")

    /// The March 2026 documents, all posted; returns the intra-Community supply's invoice.
    @discardableResult
    static func march(_ culise: Culise, _ setup: InvoicingSetup) async throws -> InvoiceID {
        let actor = setup.actor
        _ = try await culise.createPartner(
            company: setup.company,
            PartnerInput(
                code: "MUNCHEN", kind: .company, name: "München Handel GmbH",
                address: Address(line: "Leopoldstraße 1", city: "München", county: nil, country: "DE"), isCustomer: true,
                vatNumber: "DE 123456789"),
            actor: actor)
        _ = try await culise.createPartner(
            company: setup.company,
            PartnerInput(
                code: "DUBLIN", kind: .company, name: "Dublin Cloud Ltd",
                address: Address(line: "1 Grand Canal Sq", city: "Dublin", county: nil, country: "IE"),
                isCustomer: false, isSupplier: true, vatNumber: "IE1234567T"),
            actor: actor)
        let invoices: [DocumentInput] = [
            DocumentInput(
                partner: "BETA", series: "EXD", issueDate: "2026-03-05",
                lines: [LineInput(product: "LAPTOP", quantity: "2"), LineInput(product: "CARTE", quantity: "10")]),
            DocumentInput(
                partner: "BETA", series: "EXD", issueDate: "2026-03-12", lines: [LineInput(product: "DESEURI", quantity: "1000")]),
            DocumentInput(partner: "GAMA", series: "EXD", issueDate: "2026-03-18", lines: [LineInput(product: "CURS", quantity: "5")]),
            DocumentInput(
                partner: "MUNCHEN", series: "EXD", issueDate: "2026-03-20",
                lines: [
                    LineInput(
                        description: "Echipamente", quantity: "1", unit: "H87", unitPrice: "5000", vatCategory: "K",
                        exemptionReason: "Livrare intracomunitară scutită conform art. 294 alin. (2) lit. a) Cod fiscal")
                ]),
        ]
        var issued: [InvoiceRecord] = []
        for input in invoices { issued.append(try await culise.issueInvoice(company: setup.company, input, actor: actor)) }
        let bills: [DocumentInput] = [
            DocumentInput(
                partner: "DELTA", number: "F-100", issueDate: "2026-03-06",
                lines: [
                    LineInput(description: "Hârtie", quantity: "1", unitPrice: "1000", account: "604"),
                    LineInput(description: "Protocol", quantity: "1", unitPrice: "200", account: "6231", nonDeductible: true),
                ]),
            DocumentInput(
                partner: "DELTA", number: "F-101", issueDate: "2026-03-10",
                lines: [
                    LineInput(
                        description: "Deșeuri feroase", quantity: "1", unitPrice: "2000", vatCategory: "AE",
                        exemptionReason: "Taxare inversă conform art. 331 Cod fiscal", account: "371")
                ]),
            DocumentInput(
                partner: "DUBLIN", number: "INV-7", issueDate: "2026-03-25",
                lines: [
                    LineInput(
                        description: "Găzduire cloud", quantity: "1", unitPrice: "500", vatCategory: "AE",
                        exemptionReason: "Reverse charge", account: "628")
                ]),
        ]
        for input in bills {
            let bill = try await culise.createBill(company: setup.company, input, actor: actor)
            _ = try await culise.postBill(company: setup.company, id: bill.id, actor: actor)
        }
        return issued[3].id
    }

    static func balance(_ culise: Culise, _ setup: InvoicingSetup, _ account: String, through day: String) async throws -> Int64 {
        let tb = try await culise.trialBalance(company: setup.company, from: nil, to: try LocalDate(iso: day), actor: setup.actor)
        guard let row = tb.rows.first(where: { $0.code == account }) else { return 0 }
        return row.closing.debit - row.closing.credit
    }

    @Test(arguments: Engine.available)
    func d300AndTheVATClosing(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let actor = setup.actor
            let march = try YearMonth(year: 2026, month: 3)
            await expectRefusal("partner.vat_number", field: "vat_number") {
                try await culise.createPartner(
                    company: setup.company,
                    PartnerInput(
                        code: "PARIS", kind: .company, name: "Paris SARL",
                        address: Address(line: "1 rue", city: "Paris", county: nil, country: "FR"),
                        vatNumber: "DE12"),
                    actor: actor)
            }
            let supply = try await Self.march(culise, setup)
            // The intra-Community supply's e-invoice carries the delivery address CIUS-RO asks for (CI validates it).
            let ubl = try await culise.invoiceXML(company: setup.company, id: supply, actor: actor)
            #expect(ubl.xml.contains("<cac:DeliveryLocation>") && ubl.xml.contains("<cbc:CountrySubentity>München</cbc:CountrySubentity>"))
            try InvoicingFixtures.write(ubl.xml, name: "intra-community-\(engine).xml")

            // Without settings the rows are there but the XML is not: each missing setting named.
            var view = try await culise.vatReturn(company: setup.company, period: march, actor: actor)
            #expect(
                view.blockers.map(\.field) == [
                    "caen", "declarant_last_name", "declarant_first_name", "declarant_function", "bank_name", "iban",
                ])
            await expectRefusal("filing.settings", field: "caen") {
                try await culise.generateD300(company: setup.company, period: march, actor: actor)
            }
            await expectRefusals(["filing.caen", "filing.settings_text", "filing.settings_text", "partner.iban_format"]) {
                try await culise.setTaxFilingSettings(
                    company: setup.company,
                    TaxFilingSettings(
                        caen: "62.01", declarantFunction: String(repeating: "x", count: 51), bankName: "Banca, #1", iban: "RO00X"),
                    actor: actor)
            }
            try await culise.setTaxFilingSettings(company: setup.company, Self.settings, actor: actor)

            view = try await culise.vatReturn(company: setup.company, period: march, actor: actor)
            let r = view.d300
            #expect(view.blockers.isEmpty && view.problems.isEmpty && view.documents == 7)
            // Sales: 7,000 at 21 % and 800 at 11 %; 1,250 reverse charge; 1,000 exempt; 5,000 intra-Community.
            #expect(r.value("R9_1") == 7_000 && r.value("R9_2") == 1_470 && r.value("R10_1") == 800 && r.value("R10_2") == 88)
            #expect(r.value("R13_1") == 1_250 && r.value("R15_1") == 1_000 && r.value("R1_1") == 5_000)
            // Purchases: 1,200 at 21 % (the 42 lei of protocol not deductible), 2,000 under domestic reverse charge,
            // 500 of services from Ireland.
            #expect(r.value("R22_1") == 1_200 && r.value("R22_2") == 252 && r.value("R28_2") == r.value("R27_2") - 42)
            #expect(r.value("R12_1_1") == 2_000 && r.value("R12_1_2") == 420 && r.value("R25_1_2") == 420)
            #expect(r.value("R7_1_1") == 500 && r.value("R7_1_2") == 105 && r.value("R20_1_2") == 105)
            #expect(r.value("R17_2") == 1_470 + 88 + 420 + 105 && r.value("R27_2") == 252 + 420 + 105)
            // The return agrees with the VAT accounts to the ban.
            #expect(view.account4427 == r.collected && view.account4426 == r.deducted)
            #expect(r.collected == 2_083_00 && r.deducted == 735_00)

            await expectRefusal("vat.no_return", field: "period") {
                try await culise.closeVAT(company: setup.company, period: march, actor: actor)
            }
            let filing = try await culise.generateD300(company: setup.company, period: march, actor: actor)
            #expect(filing.state == .validated && filing.form == .d300 && filing.due.iso == "2026-04-27")
            let draft = try await culise.d300Draft(company: setup.company, period: march, actor: actor)
            #expect(draft.xml == filing.xml)
            // The golden file: regenerate with CULISE_UPDATE_GOLDEN=1 and review the diff.
            if ProcessInfo.processInfo.environment["CULISE_UPDATE_GOLDEN"] == "1" { try Data(filing.xml.utf8).write(to: Self.golden) }
            #expect(filing.xml == (try String(contentsOf: Self.golden, encoding: .utf8)), "D300 differs from Tests/Golden")
            try DeclarationFiles.validate(filing.xml, name: "d300-2026-03-\(engine)", form: "d300")

            // The D394 of the month: domestic partners only, agreeing with the D300 (sales 21/11 %, the reverse charge on
            // both sides, the purchases with their non-deductible part).
            let d394View = try await culise.d394Return(company: setup.company, period: march, actor: actor)
            #expect(d394View.problems.isEmpty && d394View.blockers.isEmpty)
            #expect(
                d394View.declaration.lines.map { "\($0.kind) \($0.partnerType) \($0.rate) \($0.base) \($0.vat)" } == [
                    "L 1 21 7000 1470", "L 1 11 800 88", "V 1 21 1250 0", "A 1 21 1200 252", "C 1 21 2000 420",
                ])
            let d394 = try await culise.generateD394(company: setup.company, period: march, actor: actor)
            #expect(d394.state == .validated && d394.due.iso == "2026-04-30")
            if ProcessInfo.processInfo.environment["CULISE_UPDATE_GOLDEN"] == "1" { try Data(d394.xml.utf8).write(to: Self.goldenD394) }
            #expect(d394.xml == (try String(contentsOf: Self.goldenD394, encoding: .utf8)), "D394 differs from Tests/Golden")
            try DeclarationFiles.validate(d394.xml, name: "d394-2026-03-\(engine)", form: "d394")

            // The D390 of the month: the supply of goods to Munich (L) and the service bought in Dublin (S).
            let vies = try await culise.viesReturn(company: setup.company, period: march, actor: actor)
            #expect(vies.problems.isEmpty && vies.blockers.isEmpty)
            #expect(
                vies.declaration.operations.map { "\($0.kind.rawValue) \($0.country)\($0.code) \($0.base)" } == [
                    "L DE123456789 5000", "S IE1234567T 500",
                ])
            let d390 = try await culise.generateD390(company: setup.company, period: march, actor: actor)
            #expect(d390.state == .validated && d390.form == .d390 && d390.due.iso == "2026-04-27")
            if ProcessInfo.processInfo.environment["CULISE_UPDATE_GOLDEN"] == "1" { try Data(d390.xml.utf8).write(to: Self.goldenD390) }
            #expect(d390.xml == (try String(contentsOf: Self.goldenD390, encoding: .utf8)), "D390 differs from Tests/Golden")
            try DeclarationFiles.validate(d390.xml, name: "d390-2026-03-\(engine)", form: "d390")
            #expect(try await culise.d390Draft(company: setup.company, period: march, actor: actor).xml == d390.xml)

            // The closing: 4426 and 4427 at zero, the return's 1,348 lei to pay in 4423.
            let payable = r.payable
            #expect(payable == 2_083 - 735)
            let entry = try await culise.closeVAT(company: setup.company, period: march, actor: actor)
            #expect(try await Self.balance(culise, setup, "4427", through: "2026-03-31") == 0)
            #expect(try await Self.balance(culise, setup, "4426", through: "2026-03-31") == 0)
            #expect(try await Self.balance(culise, setup, "4423", through: "2026-03-31") == -payable * 100)
            #expect(
                try await culise.entryOwner(company: setup.company, entry, actor: actor) == EntryOwner(kind: .vatClosing, id: "2026-03"))
            await expectRefusal("ledger.document_entry") {
                try await culise.reverseEntry(company: setup.company, entry, on: nil, actor: actor)
            }
            await expectRefusal("vat.closed", field: "period") {
                try await culise.closeVAT(company: setup.company, period: march, actor: actor)
            }
            // The return of a closed period still agrees with the accounts: the closing is left out of the check.
            #expect(try await culise.vatReturn(company: setup.company, period: march, actor: actor).problems.isEmpty)

            // Reopened, a late bill makes the kept return stale; generated again, the period closes again.
            _ = try await culise.reopenVAT(company: setup.company, period: march, actor: actor)
            await expectRefusal("vat.not_closed", field: "period") {
                try await culise.reopenVAT(company: setup.company, period: march, actor: actor)
            }
            #expect(try await Self.balance(culise, setup, "4423", through: "2026-03-31") == 0)
            let late = try await culise.createBill(
                company: setup.company,
                DocumentInput(
                    partner: "DELTA", number: "F-102", issueDate: "2026-03-30",
                    lines: [LineInput(description: "Toner", quantity: "1", unitPrice: "100", account: "604")]), actor: actor)
            _ = try await culise.postBill(company: setup.company, id: late.id, actor: actor)
            await expectRefusal("vat.stale_return", field: "period") {
                try await culise.closeVAT(company: setup.company, period: march, actor: actor)
            }
            let again = try await culise.generateD300(company: setup.company, period: march, actor: actor)
            #expect(again.state == .validated && again.rectifies == nil)
            _ = try await culise.closeVAT(company: setup.company, period: march, actor: actor)
            #expect(try await Self.balance(culise, setup, "4423", through: "2026-03-31") == -(payable - 21) * 100)
            #expect(try await Self.balance(culise, setup, "4426", through: "2026-03-31") == 0)

            // A hand entry to 4427 in April: the April return names it and is kept invalid; it cannot be closed.
            let april = try YearMonth(year: 2026, month: 4)
            _ = try await culise.postEntry(
                company: setup.company,
                EntryDraft(
                    journal: "GEN", date: try LocalDate(iso: "2026-04-10"), description: "TVA manuală",
                    lines: [EntryLine(account: "5311", debit: 19_00), EntryLine(account: "4427", credit: 19_00)]), actor: actor)
            let invalid = try await culise.generateD300(company: setup.company, period: april, actor: actor)
            #expect(invalid.state == .invalid && invalid.problems.map(\.check) == ["D300-4427"])
            await expectRefusal("vat.no_return", field: "period") {
                try await culise.closeVAT(company: setup.company, period: april, actor: actor)
            }
            // Foreign currency: an EUR invoice at two rates and an EUR bill with a non-deductible line, at rates whose
            // conversion rounds; the May return still agrees with 4426 and 4427 to the ban.
            let may = try YearMonth(year: 2026, month: 5)
            _ = try await culise.issueInvoice(
                company: setup.company,
                DocumentInput(
                    partner: "BETA", series: "EXD", issueDate: "2026-05-06", currency: "EUR", exchangeRate: "5.0913",
                    lines: [
                        LineInput(product: "CONSULT", quantity: "3.33", unitPrice: "101.37"),
                        LineInput(product: "CARTE", quantity: "7", unitPrice: "13.11"),
                    ]), actor: actor)
            let euroBill = try await culise.createBill(
                company: setup.company,
                DocumentInput(
                    partner: "DELTA", number: "F-EUR-1", issueDate: "2026-05-07", currency: "EUR", exchangeRate: "5.0877",
                    lines: [
                        LineInput(description: "Licență", quantity: "1", unitPrice: "333.33", account: "628"),
                        LineInput(description: "Masă de afaceri", quantity: "1", unitPrice: "77.77", account: "6231", nonDeductible: true),
                    ]), actor: actor)
            _ = try await culise.postBill(company: setup.company, id: euroBill.id, exchangeRate: Decimal(string: "5.0877"), actor: actor)
            let mayView = try await culise.vatReturn(company: setup.company, period: may, actor: actor)
            #expect(
                mayView.problems.isEmpty && mayView.account4427 == mayView.d300.collected && mayView.account4426 == mayView.d300.deducted)
            #expect(
                mayView.d300.value("R9_1") > 0 && mayView.d300.value("R10_1") > 0
                    && mayView.d300.value("R28_2") < mayView.d300.value("R27_2"))

            // A month without documents files zeros and has nothing to close.
            let february = try YearMonth(year: 2026, month: 2)
            #expect(try await culise.generateD300(company: setup.company, period: february, actor: actor).state == .validated)
            await expectRefusal("vat.closing_empty", field: "period") {
                try await culise.closeVAT(company: setup.company, period: february, actor: actor)
            }
            await expectRefusal("filing.settings", field: "phone") {
                var noPhone = Self.settings
                noPhone.phone = nil
                try await culise.setTaxFilingSettings(company: setup.company, noPhone, actor: actor)
                return try await culise.generateD394(company: setup.company, period: february, actor: actor)
            }
            try await culise.setTaxFilingSettings(company: setup.company, Self.settings, actor: actor)
            await expectRefusal("filing.d390_empty", field: "period") {
                try await culise.generateD390(company: setup.company, period: february, actor: actor)
            }

            // Filed and rejected, the return is followed by a rectifying one.
            _ = try await culise.markFiled(
                company: setup.company, id: again.id, number: "INTERNT-1", date: try LocalDate(iso: "2026-04-20"), actor: actor)
            _ = try await culise.recordFilingAnswer(
                company: setup.company, id: again.id, accepted: false, message: "Eroare rd. 9", actor: actor)
            let rectifying = try await culise.generateD300(company: setup.company, period: march, actor: actor)
            #expect(rectifying.rectifies == again.id && rectifying.state == .validated)

            // The calendar: a monthly VAT payer, employer and SAF-T filer owes D300, D394, D406 and D112 each month, and
            // D390 in March; March's rectifying D300 is not filed yet, so it is open and (months later) overdue.
            let calendar = try await culise.filingCalendar(
                company: setup.company, from: february, to: april, actor: actor)
            #expect(calendar.filter { $0.period == march }.map(\.form.rawValue).sorted() == ["d112", "d300", "d390", "d394", "d406"])
            let marchReturn = calendar.first { $0.form == .d300 && $0.period == march }
            #expect(marchReturn?.filing?.id == rectifying.id && marchReturn?.open == true && marchReturn?.due.iso == "2026-04-27")
            #expect(calendar.first { $0.form == .d406 && $0.period == march }?.generated == true)
            await expectRefusal("filing.calendar_range", field: "to") {
                try await culise.filingCalendar(company: setup.company, from: april, to: february, actor: actor)
            }
            // The reminder tells the accountants of every return Culise writes that is open.
            #expect(try await culise.remindTaxFilings(company: setup.company, actor: .system("job filings.reminders")) >= 2)
            let links = try await culise.database.read { db in
                try await db.raw("SELECT DISTINCT link FROM notifications WHERE kind = 'filing.due'").all().map {
                    try $0.decode(column: "link", as: String.self)
                }
            }
            #expect(links == ["/filing-calendar"])

            // 2025's periods: the rows of the form of August 2025, no XML; before August 2025 nothing.
            let september = try YearMonth(year: 2025, month: 9)
            #expect(
                try await culise.vatReturn(company: setup.company, period: september, actor: actor).blockers.map(\.id) == [
                    "filing.d300_form_version"
                ])
            await expectRefusal("filing.d300_form_version", field: "period") {
                try await culise.generateD300(company: setup.company, period: september, actor: actor)
            }
            await expectRefusal("filing.d300_period", field: "period") {
                try await culise.vatReturn(company: setup.company, period: try YearMonth(year: 2025, month: 7), actor: actor)
            }
            // Quarterly: the quarter's three months in one return.
            var quarterly = Self.settings
            quarterly.vatPeriod = .quarterly
            try await culise.setTaxFilingSettings(company: setup.company, quarterly, actor: actor)
            let q1 = try await culise.vatReturn(company: setup.company, period: march, actor: actor)
            #expect(q1.from.iso == "2026-01-01" && q1.d300.quarterly && q1.d300.value("R9_1") == 7_000)
            await expectRefusal("filing.quarter", field: "period") {
                try await culise.vatReturn(company: setup.company, period: february, actor: actor)
            }
            // The auditor may read the return, not generate it; the payroll clerk may not read it.
            let auditor = Actor.user(
                Principal(userID: UserID.generate(), email: "a@alfa.ro", displayName: "A", companyID: setup.company, role: .auditor))
            _ = try await culise.vatReturn(company: setup.company, period: march, actor: auditor)
            await expectRefusal("auth.forbidden") { try await culise.generateD300(company: setup.company, period: march, actor: auditor) }
        }
    }

    /// The demo's VAT: each whole month of its invoicing has a D300 without problems, agreeing with 4426 and 4427; the
    /// older ones filed, accepted and closed, the newest waiting to be filed.
    @Test(arguments: Engine.available)
    func theDemoFilesItsVAT(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let demo = try await culise.seedDemo()
            let actor = Actor.system("test")
            let filings = try await culise.filings(company: demo.company.id, form: .d300, actor: actor)
            #expect(filings.count >= 3 && filings.allSatisfy { $0.problems.isEmpty })
            #expect(filings.first?.state == .validated && filings.dropFirst().allSatisfy { $0.state == .accepted })
            for filing in filings {
                let view = try await culise.vatReturn(company: demo.company.id, period: filing.period, actor: actor)
                #expect(view.problems.isEmpty && view.account4427 == view.d300.collected && view.d300.payable > 0)
                #expect((view.closingEntry != nil) == (filing.state == .accepted), "\(filing.period)")
            }
            // The newest month's D390: the supply to Vienna and the service from Dublin, agreeing with its D300.
            let vies = try await culise.viesReturn(company: demo.company.id, period: filings[0].period, actor: actor)
            #expect(vies.declaration.operations.map(\.kind) == [.L, .S] && vies.problems.isEmpty && vies.filing?.state == .validated)
            // Seeding again changes nothing.
            _ = try await culise.seedDemo()
            #expect(try await culise.filings(company: demo.company.id, form: .d300, actor: actor).count == filings.count)
        }
    }
}
