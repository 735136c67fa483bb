import Application
import BankingApp
import Companies
import Foundation
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

/// What `culise demo` created or found.
public struct DemoInfo: Sendable {
    public let company: Company
    public let email: String
    public let password: String
    public let created: Bool
}

extension Culise {
    public static let demoEmail = "admin@exemplu.ro"
    /// The demo's published password: the demo is for trying Culise, never for real data.
    public static let demoPassword = "culise-demo-2026"

    static let demoCompany = CompanyInput(
        legalName: "Exemplu Distributie SRL", cui: "RO18547290", tradeRegister: "J40/12345/2006",
        address: Address(line: "Strada Occidentului 12, et. 3", city: "SECTOR1", county: "RO-B", postalCode: "010981"),
        vatPayer: true)

    /// Creates the demo company and its admin, once; later runs find and return them.
    public func seedDemo() async throws -> DemoInfo {
        let actor = Actor.system("demo")
        let input = Culise.demoCompany
        let digits = try CUI(input.cui).digits
        if let existing = try await allCompanies().first(where: { $0.cui.digits == digits }) {
            try await seedInvoicingDemo(company: existing.id)
            try await seedStatementsDemo(company: existing.id)
            try await seedBankingDemo(company: existing.id)
            try await seedPlatformDemo(company: existing.id)
            try await seedPeopleDemo(company: existing.id)
            try await seedPayrollDemo(company: existing.id)
            try await seedTaxDemo(company: existing.id)
            return DemoInfo(company: existing, email: Culise.demoEmail, password: Culise.demoPassword, created: false)
        }
        let company = try await createCompany(input, actor: actor)
        let admin: UserID
        if let account = try? await user(email: Culise.demoEmail) {
            admin = account.id
        } else {
            admin = try await addUser(
                email: Culise.demoEmail, displayName: "Ana Popescu", password: Culise.demoPassword, company: nil, role: nil,
                actor: actor)
        }
        try await transaction { db in
            try await self.insertMembership(db, company: company.id, user: admin, role: .admin, actor: actor)
        }
        let staff: [(String, String, Role)] = [
            ("contabil@exemplu.ro", "Mihai Ionescu", .accountant),
            ("resurse@exemplu.ro", "Elena Dumitrescu", .hr),
            ("it@exemplu.ro", "Andrei Stan", .it),
            ("auditor@exemplu.ro", "Ioana Marin", .auditor),
        ]
        for (email, name, role) in staff {
            _ = try await addUser(
                email: email, displayName: name, password: Culise.demoPassword, company: company.id, role: role, actor: actor)
        }
        try await seedInvoicingDemo(company: company.id)
        try await seedStatementsDemo(company: company.id)
        try await seedBankingDemo(company: company.id)
        try await seedPlatformDemo(company: company.id)
        try await seedPeopleDemo(company: company.id)
        try await seedPayrollDemo(company: company.id)
        try await seedTaxDemo(company: company.id)
        return DemoInfo(company: company, email: Culise.demoEmail, password: Culise.demoPassword, created: true)
    }
}
