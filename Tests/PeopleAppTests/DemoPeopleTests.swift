import Application
import Assembly
import Foundation
import Identity
import Kernel
import People
import PeopleApp
import SQLKit
import TestSupport
import Testing

/// The demo company shows the people module's approvals at work: Maria's day off waits for her manager, who has been
/// told; her change of address waits for HR, who has been told; the HR dashboard counts both (11 of the 12 employees
/// have a contract in force: one left).
@Suite struct DemoPeopleTests {
    @Test(arguments: Engine.available)
    func theDemoWaitsForItsApprovers(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let demo = try await culise.seedDemo()
            let system = Actor.system("test")
            let company = demo.company.id
            let changes = try await culise.dataChangeRequests(company: company, page: .first, actor: system).items
            #expect(changes.map(\.employee) == ["E007"] && changes.first?.changes["city"] == "Cluj-Napoca")
            let dashboard = try await culise.hrDashboard(company: company, actor: system)
            #expect(dashboard.changesToDecide == 1 && dashboard.leaveToDecide >= 1 && dashboard.headcount == 11, "\(dashboard)")
            let told = try await culise.database.read { db in
                try await db.raw(
                    """
                    SELECT u.email, n.kind, n.link FROM notifications n JOIN users u ON u.id = n.user_id
                    WHERE n.company_id = \(bind: company.description) AND n.kind = 'approval.requested' ORDER BY u.email, n.link
                    """
                ).all().map {
                    "\(try $0.decode(column: "email", as: String.self)) \(try $0.decode(column: "link", as: String?.self) ?? "")"
                }
            }
            #expect(told.contains("sef.vanzari@exemplu.ro /team") && told.contains("resurse@exemplu.ro /people/changes"), "\(told)")
            #expect(!told.contains { $0.hasPrefix("angajat@exemplu.ro") })
        }
    }

    /// Every column the GDPR catalogue declares exists in the schema (a renamed column cannot drop out of the register).
    @Test(arguments: Engine.available)
    func thePersonalDataCatalogueNamesRealColumns(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            for field in PersonalData.people {
                try await culise.database.read { db in
                    _ = try await db.raw("SELECT \(unsafeRaw: field.column) FROM \(unsafeRaw: field.table) WHERE 1 = 0").all()
                }
            }
            #expect(PersonalData.people.contains { $0.table == "employee_change_requests" && $0.category == .contact })
        }
    }
}
