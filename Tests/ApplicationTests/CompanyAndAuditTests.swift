import Application
import Assembly
import BankingApp
import Companies
import Foundation
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp
import SQLKit
import Storage
import TestSupport
import Testing

@Suite struct CompanyTests {
    @Test(arguments: Engine.available)
    func createListAndScope(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (companyID, userID, admin) = try await Fixtures.companyWithAdmin(culise)
            let company = try await culise.company(companyID, actor: .user(admin))
            #expect(company.fiscalCode == "RO18547290")
            #expect(company.address.county == "RO-CJ")
            #expect(try await culise.memberships(of: userID).map(\.role) == [.admin])
            #expect(try await culise.resolveCompany("18547290").id == companyID)
            #expect(try await culise.resolveCompany("RO18547290").id == companyID)
            #expect(try await culise.resolveCompany(companyID.description).id == companyID)
            await #expect(throws: DomainError.self) { try await culise.resolveCompany("RO1") }

            // A second company the admin does not belong to is invisible to them.
            let other = try await culise.createCompany(Fixtures.companyInput(name: "Beta SRL", cuiBody: 2_222_222), actor: .system("test"))
            do {
                _ = try await culise.company(other.id, actor: .user(admin))
                Issue.record("another company's data was returned")
            } catch let error as DomainError {
                #expect(error.kind == .notFound)
            }

            // A company the admin creates while signed in to the first one is readable at once, with their role there.
            let created = try await culise.createCompany(Fixtures.companyInput(name: "Gamma SRL", cuiBody: 3_333_333), actor: .user(admin))
            let seen = try await culise.memberCompany(created.id, actor: .user(admin))
            #expect(seen.company.legalName == "Gamma SRL")
            #expect(seen.role == .admin)
        }
    }

    @Test(arguments: Engine.available)
    func invalidOrDuplicateInputWritesNothing(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let before = try await culise.tableCounts()
            var bad = Fixtures.companyInput()
            bad.cui = "18547291"
            bad.address.county = "RO-XX"
            do {
                _ = try await culise.createCompany(bad, actor: .system("test"))
                Issue.record("expected validation errors")
            } catch let error as ValidationErrors {
                #expect(Set(error.problems.compactMap(\.field)) == ["cui", "address.county"])
            }
            #expect(try await culise.tableCounts() == before)
            _ = try await culise.createCompany(Fixtures.companyInput(), actor: .system("test"))
            let afterOne = try await culise.tableCounts()
            await #expect(throws: DomainError.self) {
                try await culise.createCompany(Fixtures.companyInput(name: "Copy"), actor: .system("test"))
            }
            #expect(try await culise.tableCounts() == afterOne)
        }
    }

    @Test(arguments: Engine.available)
    func rolesAndLastAdmin(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let (companyID, adminID, admin) = try await Fixtures.companyWithAdmin(culise)
            let clerk = try await culise.addUser(
                email: "contabil@alfa.ro", displayName: "Contabil", password: Fixtures.password, company: companyID, role: .accountant,
                actor: .user(admin))
            let page = try await culise.members(of: companyID, actor: .user(admin))
            #expect(page.items.map(\.email) == ["admin@alfa.ro", "contabil@alfa.ro"])
            let byRole = try await culise.members(of: companyID, actor: .user(admin), sort: "role", descending: false)
            #expect(byRole.items.first?.role == .accountant)
            await #expect(throws: DomainError.self) {
                try await culise.setRole(user: adminID, company: companyID, role: .manager, actor: .user(admin))
            }
            try await culise.setRole(user: clerk, company: companyID, role: .admin, actor: .user(admin))
            try await culise.setRole(user: adminID, company: companyID, role: .manager, actor: .user(admin))
            // An accountant may not manage users.
            let accountant = Principal(userID: clerk, email: "contabil@alfa.ro", displayName: "", companyID: companyID, role: .accountant)
            await #expect(throws: DomainError.self) { try await culise.members(of: companyID, actor: .user(accountant)) }
            await #expect(throws: DomainError.self) { try await culise.members(of: companyID, actor: .user(admin), sort: "password") }
            await #expect(throws: ValidationErrors.self) { try PageRequest(limit: Limits.maxPageSize + 1) }
        }
    }
}

@Suite struct AuditTests {
    /// A company with a few audited changes.
    static func populated(_ culise: Culise) async throws -> CompanyID {
        let (companyID, _, admin) = try await Fixtures.companyWithAdmin(culise)
        for index in 0..<5 {
            _ = try await culise.addUser(
                email: "user\(index)@alfa.ro", displayName: "User \(index)", password: Fixtures.password, company: companyID,
                role: .employee,
                actor: .user(admin))
        }
        return companyID
    }

    @Test(arguments: Engine.available)
    func everyChangeIsChainedAndVerifies(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            let companyID = try await Self.populated(culise)
            let result = try await culise.verifyAuditChain()
            #expect(result.isIntact)
            #expect(result.rowsChecked > 10)
            let admin = Principal(userID: UserID.generate(), email: "x", displayName: "x", companyID: companyID, role: .auditor)
            let page = try await culise.auditEntries(filter: AuditFilter(action: "user.create"), page: .first, actor: .user(admin))
            #expect(page.items.count >= 5)
            // Personal fields are masked in the diff.
            #expect(page.items.allSatisfy { !$0.diff.contains("@alfa.ro") })
        }
    }

    static func tamper(_ culise: Culise, _ sql: String) async throws {
        try await culise.database.transaction { db in try await db.raw(SQLQueryString(sql)).run() }
    }

    @Test(arguments: Engine.available)
    func changingARowIsDetected(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            _ = try await Self.populated(culise)
            try await Self.tamper(culise, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 4")
            let result = try await culise.verifyAuditChain()
            #expect(result.firstBadSeq == 4)
        }
    }

    @Test(arguments: Engine.available)
    func deletingARowIsDetected(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            _ = try await Self.populated(culise)
            try await Self.tamper(culise, "DELETE FROM audit_log WHERE seq = 6")
            #expect(try await culise.verifyAuditChain().firstBadSeq == 6)
        }
    }

    @Test(arguments: Engine.available)
    func deletingTheLastRowIsDetected(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            _ = try await Self.populated(culise)
            try await Self.tamper(culise, "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")
            let result = try await culise.verifyAuditChain()
            #expect(!result.isIntact)
        }
    }

    @Test(arguments: Engine.available)
    func reorderingRowsIsDetected(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, _ in
            _ = try await Self.populated(culise)
            // Swap rows 3 and 5 by exchanging their sequence numbers.
            try await Self.tamper(culise, "UPDATE audit_log SET seq = -3 WHERE seq = 3")
            try await Self.tamper(culise, "UPDATE audit_log SET seq = 3 WHERE seq = 5")
            try await Self.tamper(culise, "UPDATE audit_log SET seq = 5 WHERE seq = -3")
            #expect(try await culise.verifyAuditChain().firstBadSeq == 3)
        }
    }

    @Test(arguments: Engine.available)
    func concurrentWritersKeepOneChain(_ engine: Engine) async throws {
        try await TestDatabase.withCulise(engine) { culise, location in
            let (companyID, _, admin) = try await Fixtures.companyWithAdmin(culise)
            let second = try await TestDatabase.open(location)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    let app = index % 2 == 0 ? culise : second
                    group.addTask {
                        _ = try await app.addUser(
                            email: "c\(index)@alfa.ro", displayName: "", password: Fixtures.password, company: companyID, role: .employee,
                            actor: .user(admin))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await culise.verifyAuditChain().isIntact)
            await second.close()
        }
    }
}

@Suite struct BackupTests {
    @Test func backupThenRestoreGivesTheSameDatabase() async throws {
        try await TestDatabase.withCulise(.sqlite) { culise, location in
            _ = try await AuditTests.populated(culise)
            guard case .sqlite(let path) = location else { return }
            let backup = path + ".backup"
            try await culise.backup(to: backup)
            await #expect(throws: DomainError.self) { try await culise.backup(to: backup) }
            let counts = try await culise.tableCounts()
            let restoredPath = path + ".restored"
            try Restore.restore(from: backup, into: .sqlite(path: restoredPath))
            #expect(throws: DomainError.self) { try Restore.restore(from: backup, into: .sqlite(path: restoredPath)) }
            #expect(throws: DomainError.self) { try Restore.restore(from: path + ".missing", into: .sqlite(path: path + ".x")) }
            let restored = try await TestDatabase.open(.sqlite(path: restoredPath))
            #expect(try await restored.tableCounts() == counts)
            #expect(try await restored.verifyAuditChain().isIntact)
            await restored.close()
        }
    }

    @Test func postgresBackupExplainsPgDump() async throws {
        guard Engine.available.contains(.postgres) else { return }
        try await TestDatabase.withCulise(.postgres) { culise, _ in
            do {
                try await culise.backup(to: "/tmp/never")
                Issue.record("expected an explanation")
            } catch let error as DomainError {
                #expect(error.message.contains("pg_dump"))
            }
        }
    }
}
