import Application
import Assembly
import Foundation
import Kernel
import PartnersApp
import TestSupport
import Testing

/// The refusals of the partners' CRM, each provoked and asserted by its id on both engines (the error catalogue).
@Suite struct PartnerRefusalTests {
    @Test(arguments: Engine.available)
    func partnerCRM(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            await expectRefusal("partner.merge_self") {
                try await culise.mergePartners(company: setup.company, keep: "BETA", duplicate: "BETA", actor: setup.actor)
            }
            await expectRefusal("partner.not_found") {
                try await culise.mergePartners(company: setup.company, keep: "BETA", duplicate: "NIMENI", actor: setup.actor)
            }
            await expectRefusal("interaction.not_found") {
                try await culise.completeFollowUp(company: setup.company, interaction: "nu-exista", actor: setup.actor)
            }
        }
    }

    /// The follow-ups job counts every open follow-up due, in the database, not the first page of a list.
    @Test(arguments: Engine.available)
    func followUpsDueAreCountedWhole(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let setup = try await InvoicingFixtures.setUp(culise)
            for index in 0..<205 {
                _ = try await culise.logInteraction(
                    company: setup.company, partner: "BETA", kind: "call", date: "2026-10-01", summary: "Apel \(index)",
                    followUp: "2026-10-05", actor: setup.actor)
            }
            _ = try await culise.logInteraction(
                company: setup.company, partner: "BETA", kind: "note", date: "2026-10-01", summary: "Mai târziu", followUp: "2026-12-01",
                actor: setup.actor)
            let due = try await culise.followUpsDueCount(
                company: setup.company, dueBy: try LocalDate(iso: "2026-10-31"), actor: setup.actor)
            #expect(due == 205)
        }
    }
}
