import Banking
import Foundation
import Kernel
import TestSupport
import Testing

@Suite struct ReconciliationTests {
    static let date = try! LocalDate(iso: "2026-10-15")

    static func line(_ amount: Int64, _ details: String, name: String? = nil, iban: String? = nil) -> MatchLine {
        MatchLine(id: "l", date: date, amount: amount, currency: "RON", details: details, counterpartyName: name, counterpartyIBAN: iban)
    }

    static let partners = [
        PartnerProfile(code: "ALFA", name: "Alfa Distribuție SRL", ibans: ["RO09BCYP0000001234567890"], usualDelayDays: 3, settledCount: 6),
        PartnerProfile(code: "BETA", name: "Beta Construcții SA", ibans: []),
    ]
    static let items = [
        OpenItem(kind: .invoice, id: "i1", number: "EXD-1042", partner: "ALFA", open: 181_500, currency: "RON", dueDate: date),
        OpenItem(kind: .invoice, id: "i2", number: "EXD-1043", partner: "ALFA", open: 50_000, currency: "RON", dueDate: date),
        OpenItem(kind: .invoice, id: "i3", number: "EXD-1044", partner: "ALFA", open: 25_000, currency: "RON", dueDate: date),
        OpenItem(kind: .invoice, id: "i4", number: "EXD-2001", partner: "BETA", open: 119_000, currency: "RON", dueDate: date),
        OpenItem(kind: .invoice, id: "i5", number: "EXD-2002", partner: "BETA", open: 119_000, currency: "RON", dueDate: date),
        OpenItem(kind: .bill, id: "b1", number: "F 77/2026", partner: "BETA", open: 30_000, currency: "RON", dueDate: date),
    ]

    @Test func explainsAnExactMatchWithItsSignals() {
        let matcher = Matcher(items: Self.items, partners: Self.partners)
        let proposal = matcher.propose(
            Self.line(181_500, "Plata fact EXD 1042", name: "ALFA DISTRIBUTIE S.R.L.", iban: "RO09 BCYP 0000 0012 3456 7890"),
            settings: .init(autoThreshold: 80))
        let best = proposal.candidates[0]
        #expect(best.allocations.map(\.number) == ["EXD-1042"] && proposal.automatic)
        #expect(best.explanation.contains("invoice number EXD-1042 found in the payment details"))
        #expect(best.explanation.contains("amount equals EXD-1042"))
        #expect(best.explanation.contains("counterparty IBAN belongs to Alfa Distribuție SRL"))
        #expect(best.explanationRO.contains("apare în detaliile plății"))
    }

    @Test func spacingTyposSeveralInvoicesAndPartialPayments() {
        let matcher = Matcher(items: Self.items, partners: Self.partners)
        let settings = Matcher.Settings(autoThreshold: 80)
        // Spacing and punctuation.
        #expect(
            matcher.propose(Self.line(50_000, "c/v ff. exd/10 43"), settings: settings).candidates.first?.allocations.map(\.id) == ["i2"])
        // A typo: found, explained, but never automatic without more evidence.
        let typo = matcher.propose(Self.line(50_000, "plata EXD 1034", name: "Alfa Distributie"), settings: settings)
        #expect(typo.candidates.first?.allocations.map(\.id) == ["i2"])
        #expect(typo.candidates.first?.signals.contains { $0.code == "number_typo" } == true)
        // Two numbers named and their sum paid.
        let two = matcher.propose(Self.line(75_000, "Facturile EXD-1043 si EXD-1044"), settings: settings)
        #expect(Set(two.candidates.first?.allocations.map(\.id) ?? []) == ["i2", "i3"])
        // No numbers: a combination of one partner's open invoices (bounded search).
        let combination = matcher.propose(
            Self.line(206_500, "plata", iban: "RO09BCYP0000001234567890"), settings: settings)
        #expect(Set(combination.candidates.first?.allocations.map(\.id) ?? []) == ["i1", "i3"])
        // Partial payment names the open amount.
        let partial = matcher.propose(Self.line(100_000, "avans EXD-1042"), settings: settings)
        #expect(partial.candidates.first?.allocations.first?.amount == 100_000)
        #expect(partial.candidates.first?.explanation.contains("partial payment") == true)
        // Money out goes to bills only.
        let bill = matcher.propose(Self.line(-30_000, "Plata F 77/2026", name: "Beta Constructii"), settings: settings)
        #expect(bill.candidates.first?.allocations.map(\.id) == ["b1"])
    }

    @Test func identicalCandidatesGoToReviewWithAReason() {
        let matcher = Matcher(items: Self.items, partners: Self.partners)
        let proposal = matcher.propose(
            Self.line(119_000, "plata servicii", name: "Beta Construcții SA"), settings: .init(autoThreshold: 50))
        #expect(!proposal.automatic)
        #expect(proposal.reviewReason?.contains("identical") == true)
        #expect(proposal.candidates.prefix(2).map { $0.allocations[0].id }.sorted() == ["i4", "i5"])
        // Off by default: never automatic.
        #expect(
            matcher.propose(Self.line(181_500, "EXD-1042", iban: "RO09BCYP0000001234567890"), settings: .init()).reviewReason
                == "automatic matching is off for this account")
    }

    @Test func rulesAndLearnedAccountsForLinesWithoutADocument() {
        let memory = AccountMemory(
            (0..<5).map { _ in AccountMemory.Example(counterparty: "ENEL ENERGIE", text: "factura energie", account: "605", partner: nil) })
        let matcher = Matcher(
            items: Self.items, partners: Self.partners, rules: [MatchRule(id: "r", pattern: "comision", account: "627", direction: "out")],
            memory: memory)
        let fee = matcher.propose(Self.line(-250, "COMISION ADMINISTRARE"), settings: .init(autoThreshold: 80))
        #expect(fee.candidates.first?.account == "627" && fee.automatic)
        #expect(fee.candidates.first?.explanation == "rule: text contains 'comision' → 627")
        let energy = matcher.propose(Self.line(-41_200, "plata luna octombrie", name: "Enel Energie"), settings: .init(autoThreshold: 80))
        #expect(energy.candidates.first?.account == "605" && !energy.automatic)
        #expect(energy.candidates.first?.explanation == "5 earlier lines from Enel Energie went to 605")
    }

    /// The acceptance scenario at the domain level: 2,000 invoices + 600 bills, 2,500 lines, ground truth.
    @Test func matchingQualityOnAGeneratedScenario() {
        let scenario = ReconciliationScenario.generate(seed: 7)
        #expect(scenario.items.count >= 2_000 && scenario.lines.count >= 2_500)
        let matcher = Matcher(items: scenario.items, partners: scenario.partners, memory: AccountMemory(scenario.history))
        let proposals = scenario.lines.enumerated().map { index, line in
            matcher.propose(
                MatchLine(
                    id: String(index), date: line.statement.bookingDate, amount: line.statement.amount, currency: line.statement.currency,
                    details: line.statement.details, counterpartyName: line.statement.counterpartyName,
                    counterpartyIBAN: line.statement.counterpartyIBAN), settings: .init(autoThreshold: 80))
        }
        let quality = scenario.quality(proposals)
        print("reconciliation quality (seed 7): \(quality)")
        #expect(quality.precision >= 0.99)
        #expect(quality.topRate >= 0.90)
        #expect(quality.automatic > quality.lines / 2)
    }
}

extension ReconciliationTests {
    /// A list of bank lines is filtered by `matched` or `unmatched`; any other word is refused by name (the API's
    /// contract refuses it first; this is the rule behind it).
    @Test func aLineStateFilterIsOneOfTheStates() async throws {
        #expect(try BankLineState.allCases.map { try BankLineState(filter: $0.rawValue) } == BankLineState.allCases)
        await expectRefusal("bank.state", field: "state") { try BankLineState(filter: "potrivite") }
    }
}
