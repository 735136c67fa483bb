import Application
import Assembly
import Banking
import BankingApp
import Foundation
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp
import TestSupport
import Testing

/// The acceptance scenario end to end: 2,000 issued invoices and 300 posted bills, salaries and taxes due, a CAMT.053
/// statement of 2,500 lines imported, proposals checked against the truth, then the automatic run audited.
@Suite struct BankScenarioTests {
    @Test(arguments: Engine.available)
    func matchingQualityEndToEnd(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let clock = ContinuousClock()
            var marks: [(String, Duration)] = []
            var last = clock.now
            func mark(_ name: String) {
                marks.append((name, clock.now - last))
                last = clock.now
            }
            let setup = try await InvoicingFixtures.setUp(culise)
            let scenario = ReconciliationScenario.generate(seed: 11, invoices: 2_000, bills: 300, lines: 2_500)
            let loaded = try await culise.loadReconciliationScenario(company: setup.company, scenario, series: "EXD", actor: setup.actor)
            mark("load")
            let report = try await culise.importStatement(
                company: setup.company, data: loaded.statement, fileName: "scenario.xml", actor: setup.actor)
            #expect(report.new == 2_500 && report.duplicates == 0 && report.statements[0].warnings.isEmpty)
            let truthByReference = Dictionary(
                uniqueKeysWithValues: scenario.lines.map { ($0.statement.bankReference!, (loaded.truth($0.truth), $0.kind)) })
            // The best candidate of every line, before anything is confirmed.
            var proposals: [(ReviewItem, ReconciliationScenario.Truth)] = []
            var offset = 0
            while true {
                let page = try await culise.reviewQueue(
                    company: setup.company, account: loaded.account.id, page: try PageRequest(limit: 500, offset: offset),
                    actor: setup.actor)
                proposals += page.items.map { ($0, truthByReference[$0.line.bankReference!]!.0) }
                guard let next = page.nextOffset else { break }
                offset = next
            }
            mark("import+propose")
            #expect(proposals.count == 2_500)
            let withTruth = proposals.filter { $0.1 != .none }
            let top = withTruth.filter { ReconciliationScenario.matches($0.0.proposal.candidates.first, $0.1) }.count
            let topRate = Double(top) / Double(withTruth.count)
            // The automatic run: each confirmation audited with its explanation.
            let run = try await culise.reconcile(company: setup.company, account: loaded.account.id, actor: setup.actor)
            mark("reconcile")
            var matched: [BankLineRecord] = []
            offset = 0
            while true {
                let page = try await culise.bankLines(
                    company: setup.company, account: loaded.account.id, state: .matched, page: try PageRequest(limit: 500, offset: offset),
                    actor: setup.actor)
                matched += page.items
                guard let next = page.nextOffset else { break }
                offset = next
            }
            #expect(matched.count == run.automatic && matched.allSatisfy(\.automatic))
            let correct = matched.filter { line in
                switch truthByReference[line.bankReference!]!.0 {
                case .documents(let ids): return Set((line.matchDocuments ?? "").split(separator: ",").map(String.init)) == ids
                case .account(let account): return line.matchAccount == account
                case .none: return false
                }
            }.count
            let precision = Double(correct) / Double(max(1, matched.count))
            print(
                "[\(engine)] scenario end to end: \(scenario.lines.count) lines, \(scenario.items.count) open items; automatic \(run.automatic) (precision \(String(format: "%.2f", precision * 100)) %), review \(run.review), no candidate \(run.noCandidate), deferred \(run.deferred); best candidate right for \(top)/\(withTruth.count) lines with a true match (\(String(format: "%.2f", topRate * 100)) %); \(marks.map { "\($0.0) \($0.1)" }.joined(separator: ", "))"
            )
            #expect(precision >= 0.99)
            #expect(topRate >= 0.90)
            #expect(run.automatic >= 1_500)
            #expect(matched.allSatisfy { ($0.explanation ?? "").count > 10 })
            let audit = try await culise.auditEntries(
                filter: AuditFilter(action: "bank.auto_match"), page: try PageRequest(limit: 500), actor: setup.actor)
            #expect(audit.total == run.automatic)
            #expect(audit.items.allSatisfy { $0.diff.contains("explanation") })
            // The ledger still verifies and the statement reconciles: what is left is exactly the unmatched lines.
            let statement = try await culise.reconciliationStatement(
                company: setup.company, account: loaded.account.id, date: try LocalDate(iso: "2027-03-31"), actor: setup.actor)
            #expect(statement.bankOnly.count == 2_500 - run.automatic && statement.difference == 0)
            #expect(try await culise.verifyLedger(company: setup.company, actor: setup.actor).isIntact)
        }
    }
}

extension BankScenarioTests {
    /// The scenario's invoices must come out with the scenario's own numbers (its truth names them); when they do not
    /// (here the scenario was edited to expect another number), loading stops by name instead of grading wrong answers.
    @Test(arguments: Engine.available)
    func aScenarioWhoseNumbersDoNotComeOutIsRefused(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            var scenario = ReconciliationScenario.generate(seed: 3, invoices: 5, bills: 1, lines: 5)
            let first = try #require(scenario.items.firstIndex { $0.kind == .invoice })
            scenario.items[first].number = "SCN-9999"
            await expectRefusal("scenario.numbering") {
                try await culise.loadReconciliationScenario(company: setup.company, scenario, series: "SCN", actor: setup.actor)
            }
        }
    }
}
