import Companies
import Foundation
import Kernel
import Partners
import TestSupport
import Testing

/// Each refusal of the partner and company data, provoked and asserted by its id and field (the error catalogue).
@Suite struct PartnersCatalogueTests {
    static let address = Address(line: "Str. Fabricii 12", city: "Cluj-Napoca", county: "RO-CJ")

    static let partnerRows: [(String, String, @Sendable (inout PartnerInput) -> Void)] = [
        ("partner.code", "code", { $0.code = "cod cu spații" }),
        ("partner.name", "name", { $0.name = String(repeating: "N", count: Limits.nameLength + 1) }),
        ("partner.cui_required", "cui", { $0.cui = " " }),
        ("partner.too_many_ibans", "ibans", { $0.ibans = Array(repeating: "RO49AAAA1B31007593840000", count: PartnerInput.maxIBANs + 1) }),
        ("partner.iban_format", "ibans[0]", { $0.ibans = ["49RO AAAA"] }),
        ("partner.iban_length", "ibans[0]", { $0.ibans = ["RO49AAAA1B3100759384000"] }),
        ("partner.iban_check", "ibans[0]", { $0.ibans = ["RO48AAAA1B31007593840000"] }),
        ("partner.email", "email", { $0.email = "contabilitate@beta" }),
        ("partner.payment_term", "payment_term_days", { $0.paymentTermDays = 366 }),
        (
            "partner.role", "is_customer",
            {
                $0.isCustomer = false; $0.isSupplier = false
            }
        ),
        ("address.line_length", "address.line", { $0.address?.line = String(repeating: "s", count: Limits.addressLineLength + 1) }),
        ("address.city_required", "address.city", { $0.address?.city = " " }),
        ("address.county_required", "address.county", { $0.address?.county = nil }),
    ]

    @Test(arguments: 0..<partnerRows.count) func partnerRefusal(_ row: Int) async {
        let (id, field, change) = Self.partnerRows[row]
        var input = PartnerInput(code: "BETA", kind: .company, name: "Beta Distribuție SRL", cui: "RO23456786", address: Self.address)
        change(&input)
        await expectRefusal(id, field: field) { try input.validated() }
    }

    @Test func personalNumbers() async {
        await expectRefusal("partner.cnp_format", field: "cnp") { try CNP("12345") }
        await expectRefusal("partner.cnp_format", field: "cnp") { try CNP("0970605410019") }
        await expectRefusal("partner.cnp_date", field: "cnp") { try CNP(PartnerTests.validCNP("197130541001")) }
        let valid = PartnerTests.validCNP("197060541001")
        let wrong = String(valid.dropLast()) + String(((valid.last?.wholeNumberValue ?? 0) + 1) % 10)
        await expectRefusal("partner.cnp_check_digit", field: "cnp") { try CNP(wrong) }
    }

    @Test func contacts() async {
        await expectRefusal("contact.name", field: "name") { try Contact(name: " ").validated() }
        await expectRefusal("contact.email", field: "email") { try Contact(name: "Ana Pop", email: "ana@").validated() }
        await expectRefusal("contact.phone", field: "phone") { try Contact(name: "Ana Pop", phone: "tel").validated() }
    }

    @Test func interactions() async throws {
        let today = try LocalDate(iso: "2026-11-20")
        await expectRefusal("interaction.kind", field: "kind") {
            try Interaction.validated(kind: "fax", date: nil, summary: "Ofertă", followUp: nil, today: today)
        }
        await expectRefusal("interaction.follow_up", field: "follow_up") {
            try Interaction.validated(kind: "call", date: "2026-11-20", summary: "Ofertă", followUp: "2026-11-01", today: today)
        }
        await expectRefusal("interaction.summary", field: "summary") {
            try Interaction.validated(kind: "note", date: nil, summary: "  ", followUp: nil, today: today)
        }
    }

    static let companyRows: [(String, String, @Sendable (inout CompanyInput) -> Void)] = [
        ("company.name_required", "legal_name", { $0.legalName = " " }),
        ("company.name_length", "legal_name", { $0.legalName = String(repeating: "A", count: Limits.nameLength + 1) }),
        ("company.trade_register", "trade_register", { $0.tradeRegister = "registrul comerțului" }),
        ("company.fiscal_year_start", "fiscal_year_start_month", { $0.fiscalYearStartMonth = 13 }),
        ("address.line_required", "address.line", { $0.address.line = "" }),
    ]

    @Test(arguments: 0..<companyRows.count) func companyRefusal(_ row: Int) async {
        let (id, field, change) = Self.companyRows[row]
        var input = CompanyInput(legalName: "Alfa Consult SRL", cui: "RO18547290", address: Self.address, vatPayer: true)
        change(&input)
        await expectRefusal(id, field: field) { try input.validated(id: CompanyID.generate()) }
    }
}
