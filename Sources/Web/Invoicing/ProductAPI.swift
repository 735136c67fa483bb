import Application
import Assembly
import BankingApp
import Foundation
import Hummingbird
import Identity
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

struct ProductDTO: Codable {
    let code: String
    let name: String
    let unit: String
    /// Exact decimal text.
    let unitPrice: String
    let vatCategory: String
    let vatRateKind: String?
    let exemptionReason: String?
    let salesAccount: String
    let purchaseAccount: String
    let archived: Bool

    init(_ product: Product) {
        code = product.code
        name = product.name
        unit = product.unit
        unitPrice = "\(product.unitPrice)"
        vatCategory = product.vatCategory.rawValue
        vatRateKind = product.vatRateKind?.rawValue
        exemptionReason = product.exemptionReason
        salesAccount = product.salesAccount
        purchaseAccount = product.purchaseAccount
        archived = product.archived
    }
}

/// `/api/v1/products`: products and services, archived rather than deleted.
struct ProductAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.invoicing, .read).get("/api/v1/products", use: list)
        protect(.invoicing, .write).post("/api/v1/products", use: create)
        protect(.invoicing, .read).get("/api/v1/products/{code}", use: show)
        protect(.invoicing, .write).post("/api/v1/products/{code}/archive", use: archive)
    }

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let page = LedgerAPI.page(request, &problems)
        try problems.throwIfAny()
        let result = try await culise.products(
            company: p.companyID, query: LedgerAPI.query(request, "q"), includeArchived: LedgerAPI.query(request, "archived") == "true",
            page: page,
            actor: .user(p))
        return try JSON.response(ListDTO(result) { ProductDTO($0) })
    }

    @Sendable func create(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let input = try JSON.decode(ProductInput.self, from: buffer)
            return try APIRoutes.encoded(
                ProductDTO(try await culise.createProduct(company: p.companyID, input, actor: .user(p))), status: .created)
        }
    }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try JSON.response(ProductDTO(try await culise.product(company: p.companyID, code: code, actor: .user(p))))
    }

    @Sendable func archive(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            try await culise.archiveProduct(company: p.companyID, code: code, actor: .user(p))
            return StoredResponse(status: 204, contentType: "application/json", body: "")
        }
    }
}
