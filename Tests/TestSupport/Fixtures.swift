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

/// Valid Romanian test data.
public enum Fixtures {
    /// A CUI with a correct check digit built from `body` (up to 9 digits).
    public static func cui(_ body: Int) -> String {
        let text = String(body)
        return text + String(CUI.checkDigit(for: text))
    }

    public static func companyInput(
        name: String = "Alfa Consult SRL", cuiBody: Int = 1_854_729, county: String = "RO-CJ", city: String = "Cluj-Napoca"
    ) -> CompanyInput {
        CompanyInput(
            legalName: name, cui: "RO" + cui(cuiBody), tradeRegister: "J12/345/2015",
            address: Address(line: "Strada Memorandumului 28", city: city, county: county, postalCode: "400114"), vatPayer: true)
    }

    public static let password = "correct horse battery"

    /// A company with an admin user; returns both ids and the admin's principal.
    public static func companyWithAdmin(
        _ culise: Culise, email: String = "admin@alfa.ro", cuiBody: Int = 1_854_729, name: String = "Alfa Consult SRL"
    ) async throws -> (CompanyID, UserID, Principal) {
        let user = try await culise.addUser(
            email: email, displayName: "Admin Alfa", password: password, company: nil, role: nil, actor: .system("test"))
        let company = try await culise.createCompany(companyInput(name: name, cuiBody: cuiBody), actor: .system("test"), owner: user)
        return (company.id, user, Principal(userID: user, email: email, displayName: "Admin Alfa", companyID: company.id, role: .admin))
    }
}
