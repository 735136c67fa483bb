import Application
import Filings
import Foundation
import Kernel
import SQLKit
import Storage

/// A period's D394 as the VAT page shows it: its lines, every problem the checks find, what keeps the XML from being
/// written, and the latest filing.
public struct D394View: Sendable, Equatable {
    public var declaration: D394Declaration
    public var problems: [FilingProblem]
    public var blockers: [DomainError]
    public var filing: FilingRecord?
}

extension Culise {
    /// The period's D394 (issue 16 item 4): the supplies and purchases with domestic partners per partner, type and rate,
    /// for the VAT period (the month, or the quarter ending with it), checked against the D300 of the same documents.
    public func d394Return(company: CompanyID, period: YearMonth, actor: Actor) async throws -> D394View {
        try actor.require(.accounting, .read, in: company)
        return try await read { db in try await Self.d394View(db, company: company, period: period) }
    }

    public func d394Draft(company: CompanyID, period: YearMonth, actor: Actor) async throws -> TaxReturnDraft {
        try actor.require(.accounting, .read, in: company)
        return try await read { db in
            let view = try await Self.d394View(db, company: company, period: period)
            if !view.blockers.isEmpty { throw ValidationErrors(view.blockers) }
            let header = try await Self.taxReturnHeader(db, company: company, form: .d394)
            return TaxReturnDraft(xml: D394.xml(view.declaration, header: header), problems: view.problems)
        }
    }

    /// Generates and keeps the period's D394 through the shared lifecycle.
    public func generateD394(company: CompanyID, period: YearMonth, actor: Actor) async throws -> FilingRecord {
        try actor.require(.accounting, .write, in: company)
        return try await transaction { db in
            let view = try await Self.d394View(db, company: company, period: period)
            if !view.blockers.isEmpty { throw ValidationErrors(view.blockers) }
            let header = try await Self.taxReturnHeader(db, company: company, form: .d394)
            return try await self.recordFiling(db, company: company, form: .d394, period: period, actor: actor) { _ in
                (D394.xml(view.declaration, header: header), view.problems)
            }
        }
    }

    static func d394View(
        _ db: any SQLDatabase, company: CompanyID, period: YearMonth, facts known: [VATFact]? = nil
    ) async throws -> D394View {
        let settings = try await loadTaxFilingSettings(db, company: company)
        let quarterly = settings.vatPeriod == .quarterly
        let (from, to) = try D300.range(period, quarterly: quarterly)
        let facts: [VATFact]
        if let known { facts = known } else { facts = try await vatFacts(db, company: company, from: from, to: to) }
        let d300 = try D300.compute(facts, period: period, quarterly: quarterly)
        let declaration = D394.compute(facts, period: period, quarterly: quarterly)
        let blockers = missingSettings(settings, form: .d394)
        let filing = try await loadFilings(db, company: company, form: .d394, period: period, withXML: false).last {
            $0.state != .discarded
        }
        return D394View(declaration: declaration, problems: D394.problems(declaration, d300: d300), blockers: blockers, filing: filing)
    }
}
