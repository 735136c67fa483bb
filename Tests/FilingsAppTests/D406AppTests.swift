import Application
import BankingApp
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

/// SAF-T D406 from the ledger on both engines (issue 16 item 2): the month of the VAT returns' documents and a company
/// of 10,000 generated entries, each through ANAF's schema; the accounts' closing balances in the XML equal the trial
/// balance account by account; a partner without CUI and an account outside ANAF's nomenclature are named before any
/// XML is written; the filing's lifecycle.
@Suite struct D406AppTests {
    /// `AccountID → closing balance` (debit positive) as the XML writes them.
    static func closings(_ xml: String) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for block in xml.components(separatedBy: "<Account>\n").dropFirst() {
            let body = block.components(separatedBy: "</Account>")[0]
            func value(_ tag: String) -> String? {
                guard let start = body.range(of: "<\(tag)>"), let end = body.range(of: "</\(tag)>", range: start.upperBound..<body.endIndex)
                else { return nil }
                return String(body[start.upperBound..<end.lowerBound])
            }
            guard let id = value("AccountID") else { continue }
            func minor(_ text: String) -> Int64 {
                let parts = text.split(separator: ".")
                return (Int64(parts[0]) ?? 0) * 100 + (parts.count > 1 ? Int64(parts[1]) ?? 0 : 0)
            }
            if let debit = value("ClosingDebitBalance") { result[id] = minor(debit) }
            if let credit = value("ClosingCreditBalance") { result[id] = -minor(credit) }
        }
        return result
    }

    /// Every account of the trial balance of `from…to` with its closing balance, keyed as the XML keys them.
    static func trialBalance(
        _ culise: Culise, company: CompanyID, from: LocalDate, to: LocalDate, actor: Actor
    ) async throws -> [String: Int64] {
        let tb = try await culise.trialBalance(company: company, from: from, to: to, actor: actor)
        var result: [String: Int64] = [:]
        for row in tb.rows where row.kind == "account" {
            result[row.code.filter { $0 != "." }] = row.closing.debit - row.closing.credit
        }
        return result
    }

    @Test(arguments: Engine.available)
    func theMonthOfTheVATReturns(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            let actor = setup.actor
            let march = try YearMonth(year: 2026, month: 3)
            try await VATReturnAppTests.march(culise, setup)
            _ = try await culise.recordPayment(
                company: setup.company,
                PaymentInput(direction: "in", partner: "BETA", date: "2026-03-28", amount: "100", allocations: []), actor: actor)

            // Without settings: the header's contact, phone and bank account are named before the XML.
            var view = try await culise.saftReturn(company: setup.company, period: march, actor: actor)
            #expect(view.blockers.map(\.field) == ["declarant_last_name", "declarant_first_name", "phone", "iban"])
            await expectRefusal("filing.settings", field: "declarant_last_name") {
                try await culise.generateD406(company: setup.company, period: march, actor: actor)
            }
            try await culise.setTaxFilingSettings(company: setup.company, VATReturnAppTests.settings, actor: actor)

            // April: a customer without CUI and an account outside ANAF's nomenclature, both named, nothing written.
            let april = try YearMonth(year: 2026, month: 4)
            // An entry names a customer the partner list does not have (as an imported journal may).
            _ = try await culise.postEntry(
                company: setup.company,
                EntryDraft(
                    journal: "GEN", date: try LocalDate(iso: "2026-04-02"), description: "Vânzare fără partener",
                    lines: [EntryLine(account: "4111", debit: 5_000, partner: "FARACUI"), EntryLine(account: "704", credit: 5_000)]),
                actor: actor)
            _ = try await culise.addAccount(company: setup.company, code: "4999", name: "Cont propriu", type: .activ, actor: actor)
            _ = try await culise.postEntry(
                company: setup.company,
                EntryDraft(
                    journal: "GEN", date: try LocalDate(iso: "2026-04-03"), description: "Reclasificare",
                    lines: [EntryLine(account: "4999", debit: 1_000), EntryLine(account: "5311", credit: 1_000)]), actor: actor)
            view = try await culise.saftReturn(company: setup.company, period: april, actor: actor)
            #expect(Set(view.blockers.map(\.id)) == ["saft.partner_id", "saft.account_nomenclature"])
            #expect(view.blockers.contains { $0.message.contains("partner FARACUI") && $0.message.contains("no CUI, CNP or VAT number") })
            #expect(view.blockers.contains { $0.message.contains("account 4999") })
            #expect(view.blockerSubjects.contains("FARACUI") && view.blockerSubjects.contains("4999 Cont propriu"))
            await expectRefusals(["saft.account_nomenclature", "saft.partner_id"]) {
                try await culise.generateD406(company: setup.company, period: april, actor: actor)
            }
            await expectRefusals(["saft.account_nomenclature", "saft.partner_id"]) {
                try await culise.d406Draft(company: setup.company, period: april, actor: actor)
            }
            #expect(try await culise.filings(company: setup.company, form: .d406, actor: actor).isEmpty)
            // The CUI added, the partner is no longer named; the account still is.
            _ = try await culise.createPartner(
                company: setup.company,
                PartnerInput(
                    code: "FARACUI", kind: .company, name: "Fost Fără CUI SRL", cui: "RO" + Fixtures.cui(5_678_901), vatPayer: true,
                    address: Address(line: "Str. A 1", city: "Iași", county: "RO-IS"), isCustomer: true),
                actor: actor)
            view = try await culise.saftReturn(company: setup.company, period: april, actor: actor)
            #expect(view.blockers.map(\.id) == ["saft.account_nomenclature"])
            // Two accounts that are one once their dots are dropped: named too.
            _ = try await culise.addAccount(company: setup.company, code: "4428.1", name: "TVA neexigibilă 1", type: nil, actor: actor)
            _ = try await culise.addAccount(company: setup.company, code: "44281", name: "TVA neexigibilă bis", type: nil, actor: actor)
            _ = try await culise.postEntry(
                company: setup.company,
                EntryDraft(
                    journal: "GEN", date: try LocalDate(iso: "2026-04-04"), description: "Regularizare",
                    lines: [EntryLine(account: "4428.1", debit: 1_000), EntryLine(account: "44281", credit: 1_000)]), actor: actor)
            view = try await culise.saftReturn(company: setup.company, period: april, actor: actor)
            #expect(view.blockers.contains { $0.id == "saft.account_id" && $0.message.contains("4428.1 and 44281") })

            // March has neither.
            view = try await culise.saftReturn(company: setup.company, period: march, actor: actor)
            #expect(view.blockers.isEmpty)
            #expect(view.problems.isEmpty, "\(view.problems)")

            let filing = try await culise.generateD406(company: setup.company, period: march, actor: actor)
            #expect(filing.state == .validated && filing.form == .d406)
            try DeclarationFiles.validate(filing.xml, name: "d406-2026-03-\(engine)", form: "d406")

            // The accounts' closing balances in the file are the trial balance's, account by account.
            let tb = try await Self.trialBalance(
                culise, company: setup.company, from: march.firstDay, to: march.lastDay, actor: actor)
            #expect(Self.closings(filing.xml) == tb)
            #expect(tb["4111"] != nil && tb["4427"] != nil && tb["5121"] != nil)

            // What the file holds: the documents, the payment, the partners with their identifiers, the VAT codes.
            let file = view.file
            #expect(file.sales.count == 4 && file.purchases.count == 3)
            #expect(file.payments.contains { $0.lines.contains { $0.customer == "00" + Fixtures.cui(2_345_678) } })
            #expect(file.customers.map(\.id).contains("01DE123456789"))
            #expect(file.suppliers.map(\.id).contains("01IE1234567T"))
            #expect(filing.xml.contains("<TaxCode>310344</TaxCode>") && filing.xml.contains("<TaxCode>310351</TaxCode>"))
            #expect(filing.xml.contains("<TaxCode>310301</TaxCode>") && filing.xml.contains("<TaxCode>301104</TaxCode>"))
            #expect(filing.xml.contains("<HeaderComment>L</HeaderComment>"))
            let gross = file.sales.reduce(Int64(0)) { $0 + $1.gross }
            #expect(gross > 0)

            // The lifecycle: filed with ANAF's receipt kept beside it, rejected, then only a rectifying file follows. A
            // receipt refused leaves the filing as it was; a receipt is only for a filed declaration.
            await expectRefusal("document.type", field: "file") {
                try await culise.markFiled(
                    company: setup.company, id: filing.id, number: "INTERNT-1", date: try LocalDate(iso: "2026-04-20"),
                    receipt: FilingReceipt(fileName: "recipisa.pdf", data: Data([0x4D, 0x5A, 0x90, 0, 3])), actor: actor)
            }
            #expect(try await culise.filing(company: setup.company, id: filing.id, actor: actor).state == .validated)
            await expectRefusal("filing.receipt_state", field: "file") {
                try await culise.attachFilingReceipt(
                    company: setup.company, id: filing.id, FilingReceipt(fileName: "r.pdf", data: Data("%PDF-1.4\n".utf8)), actor: actor)
            }
            let filed = try await culise.markFiled(
                company: setup.company, id: filing.id, number: "INTERNT-1", date: try LocalDate(iso: "2026-04-20"),
                receipt: FilingReceipt(fileName: "recipisa D406.pdf", data: Data("%PDF-1.4\nrecipisa\n".utf8)), actor: actor)
            let receipts = try await culise.filingReceipts(company: setup.company, id: filed.id, actor: actor)
            #expect(receipts.map(\.fileName) == ["recipisa D406.pdf"] && receipts.first?.owner.type == "filing")
            await expectRefusal("filing.awaiting_answer", field: "period") {
                try await culise.generateD406(company: setup.company, period: march, actor: actor)
            }
            _ = try await culise.recordFilingAnswer(
                company: setup.company, id: filed.id, accepted: false, message: "Eroare de test",
                receipt: FilingReceipt(fileName: "raspuns.xml", data: Data("<?xml version=\"1.0\"?><raspuns/>".utf8)), actor: actor)
            #expect(try await culise.filingReceipts(company: setup.company, id: filed.id, actor: actor).count == 2)
            let second = try await culise.generateD406(company: setup.company, period: march, actor: actor)
            #expect(second.rectifies == filing.id)
            #expect(try await culise.filing(company: setup.company, id: filing.id, actor: actor).state == .rectified)
        }
    }

    /// A generated company of 10,000 entries (shared/bench/gen-journal.py, three years): a month of it through ANAF's
    /// schema, its closing balances equal to the trial balance, the partners' CUIs from the generator's partner list.
    @Test(arguments: Engine.available)
    func aGeneratedCompany(_ engine: Engine) async throws {
        guard Journals.generatorAvailable else { return }
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (company, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let actor = Actor.user(admin)
            let directory = try Journals.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = try Journals.csv(transactions: 10_000, seed: 11, in: directory)
            let report = try await culise.importLedger(
                company: company, path: path, options: LedgerImportOptions(createAccounts: true), actor: actor)
            #expect(report.posted == 10_000)
            try await culise.setTaxFilingSettings(company: company, VATReturnAppTests.settings, actor: actor)
            let june = try YearMonth(year: 2024, month: 6)

            // The imported partners have no CUI: each is named; the generator's partner list gives them theirs.
            var view = try await culise.saftReturn(company: company, period: june, actor: actor)
            #expect(!view.blockers.isEmpty && view.blockers.allSatisfy { $0.id == "saft.partner_id" })
            let cuis = try Self.generatorPartners(in: directory)
            for (error, subject) in zip(view.blockers, view.blockerSubjects) where error.id == "saft.partner_id" {
                let code = String(subject.split(separator: " ")[0])
                let current = try await culise.partner(company: company, code: code, actor: actor)
                var input = PartnerInput(
                    code: code, kind: .company, name: current.name, cui: cuis[code], isCustomer: true, isSupplier: true)
                if cuis[code] == nil { input.kind = .individual }
                _ = try await culise.updatePartner(company: company, code: code, input, actor: actor)
            }
            view = try await culise.saftReturn(company: company, period: june, actor: actor)
            #expect(view.blockers.isEmpty, "\(view.blockers.map(\.message))")
            #expect(view.problems.isEmpty, "\(view.problems)")
            #expect(view.file.transactionCount > 150 && !view.file.payments.isEmpty)
            let draft = try await culise.d406Draft(company: company, period: june, actor: actor)
            try DeclarationFiles.validate(draft.xml, name: "d406-generated-2024-06-\(engine)", form: "d406")
            let tb = try await Self.trialBalance(culise, company: company, from: june.firstDay, to: june.lastDay, actor: actor)
            #expect(Self.closings(draft.xml) == tb)
            #expect(tb.count > 30)
        }
    }

    /// `partner → CUI` from the generator's partner list (same seed and size as the journal).
    static func generatorPartners(in directory: URL) throws -> [String: String] {
        let out = directory.appendingPathComponent("partners.csv").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Journals.generator.path, "--transactions", "10000", "--seed", "11", "--format", "partners", "--out", out,
        ]
        try process.run()
        process.waitUntilExit()
        var result: [String: String] = [:]
        for line in try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if let code = fields.first, let cui = fields.last, fields.count >= 4, !cui.isEmpty { result[code] = cui }
        }
        return result
    }
}
