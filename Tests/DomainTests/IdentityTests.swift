import Foundation
import Identity
import Kernel
import TestSupport
import Testing

@Suite struct PolicyTests {
    @Test func codeMatchesDocumentedMatrix() throws {
        let documented = try SecurityDoc.matrix()
        #expect(documented.count == Role.allCases.count)
        for role in Role.allCases {
            for area in Area.allCases {
                #expect(documented[role]?[area] == Policy.access(role, area), "\(role) × \(area)")
            }
        }
    }

    @Test func auditorIsReadOnlyAndAdminHasEverything() {
        for area in Area.allCases where area != .profile {
            #expect(!Policy.allows(.auditor, area, .write))
            #expect(Policy.allows(.auditor, area, .read))
            #expect(Policy.allows(.admin, area, .write))
        }
        #expect(throws: DomainError.self) { try Policy.require(.employee, .users, .read) }
    }

    @Test func passwordRules() {
        #expect(throws: ValidationErrors.self) { try PasswordPolicy.check("short", email: "a@b.ro") }
        #expect(throws: ValidationErrors.self) { try PasswordPolicy.check("ana.popescu@firma.ro", email: "ana.popescu@firma.ro") }
        #expect(throws: ValidationErrors.self) { try PasswordPolicy.check(String(repeating: "x", count: 129), email: "a@b.ro") }
        // No maximum below 64: a 64- and a 128-character password are fine.
        #expect(throws: Never.self) { try PasswordPolicy.check(String(repeating: "pa55", count: 16), email: "a@b.ro") }
        #expect(throws: Never.self) { try PasswordPolicy.check(String(repeating: "w", count: 128), email: "a@b.ro") }
    }

    @Test func emails() throws {
        #expect(try Email.normalise(" Ana@Firma.RO ") == "ana@firma.ro")
        for bad in ["ana", "ana@", "@firma.ro", "ana@firma", "a b@c.ro", "ana@.ro"] {
            #expect(throws: DomainError.self) { try Email.normalise(bad) }
        }
    }
}
