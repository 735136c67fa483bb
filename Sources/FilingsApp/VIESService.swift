import Application
import Filings
import Foundation
import Kernel
import SQLKit
import Storage

/// A month's D390 VIES statement as the VAT page shows it: its lines, every problem the checks find, what keeps the XML
/// from being written, and the latest filing.
public struct VIESView: Sendable, Equatable {
    public var declaration: D390Declaration
    public var problems: [FilingProblem]
    public var blockers: [DomainError]
    public var filing: FilingRecord?
}

extension Culise {
    /// The month's D390 (issue 16 item 4) from the posted documents with partners in other member states: supplies and
    /// acquisitions of goods, services supplied and acquired, per partner's VAT number. Always monthly, whatever the
    /// VAT period; a month without such operations has nothing to file.
    public func viesReturn(company: CompanyID, period: YearMonth, actor: Actor) async throws -> VIESView {
        try actor.require(.accounting, .read, in: company)
        return try await read { db in try await Self.viesView(db, company: company, period: period) }
    }

    public func d390Draft(company: CompanyID, period: YearMonth, actor: Actor) async throws -> TaxReturnDraft {
        try actor.require(.accounting, .read, in: company)
        return try await read { db in
            let view = try await Self.viesView(db, company: company, period: period)
            if !view.blockers.isEmpty { throw ValidationErrors(view.blockers) }
            let header = try await Self.taxReturnHeader(db, company: company, form: .d390)
            return TaxReturnDraft(xml: D390.xml(view.declaration, header: header), problems: view.problems)
        }
    }

    /// Generates and keeps the month's D390 (a rectifying one, `d_rec="1"`, after one ANAF answered).
    public func generateD390(company: CompanyID, period: YearMonth, actor: Actor) async throws -> FilingRecord {
        try actor.require(.accounting, .write, in: company)
        return try await transaction { db in
            let view = try await Self.viesView(db, company: company, period: period)
            if !view.blockers.isEmpty { throw ValidationErrors(view.blockers) }
            let header = try await Self.taxReturnHeader(db, company: company, form: .d390)
            return try await self.recordFiling(db, company: company, form: .d390, period: period, actor: actor) { rectifying in
                var declaration = view.declaration
                declaration.rectifying = rectifying
                return (D390.xml(declaration, header: header), view.problems)
            }
        }
    }

    static func viesView(
        _ db: any SQLDatabase, company: CompanyID, period: YearMonth, facts known: [VATFact]? = nil
    ) async throws -> VIESView {
        let facts: [VATFact]
        if let known { facts = known } else { facts = try await vatFacts(db, company: company, from: period.firstDay, to: period.lastDay) }
        // The month's own D300 rows (whatever the VAT period) hold the same operations.
        let d300 = try D300.compute(facts, period: period, quarterly: false)
        let filing = try await loadFilings(db, company: company, form: .d390, period: period, withXML: false).last {
            $0.state != .discarded
        }
        let declaration = D390.compute(facts, period: period, rectifying: filing.map { $0.state.isFiled } ?? false)
        var blockers = missingSettings(try await loadTaxFilingSettings(db, company: company), form: .d390)
        if declaration.operations.isEmpty {
            blockers.insert(
                DomainError(
                    "filing.d390_empty", kind: .conflict, field: "period",
                    "You cannot write the D390 of \(period) because the month has no operation with a partner of another member state; it is filed only for months that have."
                ), at: 0)
        }
        return VIESView(
            declaration: declaration, problems: D390.problems(declaration, d300: d300), blockers: blockers, filing: filing)
    }
}
