import Application
import Banking
import Companies
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import Partners
import PartnersApp

/// A reconciliation scenario loaded into a company: its partners, issued invoices, posted bills, expected salary and
/// tax payments, a bank account with automatic matching and a rule for fees, and the statement to import.
public struct LoadedScenario: Sendable {
    public var account: BankAccountRecord
    /// Scenario item id → the real invoice or bill id (liabilities keep their account code).
    public var ids: [String: String]
    public var statement: Data

    /// The scenario's truth in the company's ids.
    public func truth(_ truth: ReconciliationScenario.Truth) -> ReconciliationScenario.Truth {
        guard case .documents(let items) = truth else { return truth }
        return .documents(Set(items.map { ids[$0] ?? $0 }))
    }
}

extension Culise {
    /// Loads `scenario` into `company` (tests, `culise-bench reconcile`, the demo). Invoices are numbered from the
    /// scenario's first number in `series` and must come out with exactly the scenario's numbers.
    public func loadReconciliationScenario(
        company: CompanyID, _ scenario: ReconciliationScenario, series: String, firstNumber: Int64 = 1_000, year: Int = 2026,
        autoThreshold: Int? = 80, actor: Actor, progress: (@Sendable (String, Int, Int) -> Void)? = nil
    ) async throws -> LoadedScenario {
        func cui(_ body: Int) -> String { String(body) + String(CUI.checkDigit(for: String(body))) }
        let existingSeries = try await self.series(company: company, actor: actor).map(\.code)
        if !existingSeries.contains(series) {
            try await addSeries(
                company: company, code: series, name: "Scenariu \(series)", year: year, firstNumber: firstNumber, actor: actor)
        } else {
            try await setFirstNumber(company: company, series: series, year: year, first: firstNumber, actor: actor)
        }
        _ = try? await createProduct(
            company: company,
            ProductInput(
                code: "SCENARIO", name: "Servicii de instruire", unit: "C62", unitPrice: "1", vatCategory: "E", vatRateKind: nil,
                exemptionReason: "Scutit conform art. 292 alin. (1) lit. a) Cod fiscal"),
            actor: actor)
        for (index, partner) in scenario.partners.enumerated() {
            progress?("partners", index + 1, scenario.partners.count)
            _ = try await createPartner(
                company: company,
                PartnerInput(
                    code: partner.code, kind: .company, name: partner.name, cui: cui(7_000_000 + index), vatPayer: false,
                    address: Address(line: "Str. Fabricii \(index + 1)", city: "Cluj-Napoca", county: "RO-CJ", postalCode: "400620"),
                    ibans: partner.ibans, paymentTermDays: 30, isCustomer: true, isSupplier: true),
                actor: actor)
        }
        var ids: [String: String] = [:]
        let invoices = scenario.items.filter { $0.kind == .invoice }
        for start in stride(from: 0, to: invoices.count, by: 1_000) {
            let chunk = Array(invoices[start..<min(start + 1_000, invoices.count)])
            let inputs = chunk.map { item in
                DocumentInput(
                    partner: item.partner!, series: series, issueDate: item.dueDate!.adding(days: -30).iso, dueDate: item.dueDate!.iso,
                    lines: [LineInput(product: "SCENARIO", quantity: "1", unitPrice: DecimalText.amount(item.open))])
            }
            for (item, result) in zip(chunk, try await issueInvoices(company: company, inputs, actor: actor)) {
                let record = try result.get()
                guard record.number == item.number, record.total.minorUnits == item.open else {
                    throw DomainError(
                        "scenario.numbering", kind: .conflict,
                        "You cannot load this scenario because invoice \(item.number) came out as \(record.number ?? "?") for \(record.total); use a series without earlier invoices."
                    )
                }
                ids[item.id] = record.id.description
            }
            progress?("invoices", min(start + 1_000, invoices.count), invoices.count)
        }
        let bills = scenario.items.filter { $0.kind == .bill }
        for (index, item) in bills.enumerated() {
            let bill = try await createBill(
                company: company,
                DocumentInput(
                    partner: item.partner!, number: item.number, issueDate: item.dueDate!.adding(days: -30).iso, dueDate: item.dueDate!.iso,
                    lines: [
                        LineInput(
                            description: "Servicii", quantity: "1", unitPrice: DecimalText.amount(item.open), vatCategory: "E",
                            exemptionReason: "Scutit", account: "628")
                    ]),
                actor: actor)
            _ = try await postBill(company: company, id: bill.id, actor: actor)
            ids[item.id] = bill.id.description
            if (index + 1) % 100 == 0 || index + 1 == bills.count { progress?("bills", index + 1, bills.count) }
        }
        let liabilities = scenario.items.filter { $0.kind == .liability }
        if !liabilities.isEmpty {
            let expense = ["421": "641", "4423": "4427", "444": "635"]
            _ = try await postEntry(
                company: company,
                EntryDraft(
                    journal: "SAL", date: try LocalDate(iso: "\(year)-09-30"), description: "Salarii și taxe de plată (scenariu)",
                    lines: liabilities.flatMap { item in
                        [
                            EntryLine(account: expense[item.id] ?? "628", debit: item.open, description: item.number),
                            EntryLine(account: item.id, credit: item.open, description: item.number),
                        ]
                    }),
                actor: actor)
        }
        let account = try await addBankAccount(
            company: company, BankAccountInput(name: "Cont curent scenariu", iban: scenario.companyIBAN, autoThreshold: autoThreshold),
            actor: actor)
        _ = try await addBankRule(company: company, pattern: "COMISION", account: "627", partner: nil, direction: "out", actor: actor)
        return LoadedScenario(account: account, ids: ids, statement: Data(scenario.camt053().utf8))
    }
}
