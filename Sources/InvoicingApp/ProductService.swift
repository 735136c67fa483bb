import Application
import Foundation
import Identity
import Invoicing
import Kernel
import LedgerApp
import PartnersApp
import SQLKit
import Tax

extension Culise {
    static let productColumns =
        "code, name, unit, unit_price, vat_category, vat_rate_kind, exemption_reason, sales_account, purchase_account, archived"

    /// Adds a product or service; its sales and purchase accounts must exist in the chart.
    public func createProduct(company: CompanyID, _ input: ProductInput, actor: Actor) async throws -> Product {
        try actor.require(.invoicing, .write, in: company)
        let product = try input.validated()
        return try await transaction { db in
            try await Self.requireAccounts(db, company: company, product)
            let inserted = try await db.raw(
                """
                INSERT INTO products (company_id, \(unsafeRaw: Self.productColumns), created_at)
                VALUES (\(bind: company.description), \(bind: product.code), \(bind: product.name), \(bind: product.unit), \(bind: "\(product.unitPrice)"),
                    \(bind: product.vatCategory.rawValue), \(bind: product.vatRateKind?.rawValue), \(bind: product.exemptionReason),
                    \(bind: product.salesAccount), \(bind: product.purchaseAccount), \(bind: false), \(bind: self.nowText))
                ON CONFLICT (company_id, code) DO NOTHING RETURNING code
                """
            ).first()
            guard inserted != nil else {
                throw DomainError(
                    "product.code_taken", kind: .conflict, field: "code",
                    "You cannot add product \(product.code) because that code is taken.")
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "product.create", entity: "product", entityID: product.code,
                changes: [
                    FieldChange("name", before: nil, after: product.name),
                    FieldChange("unit_price", before: nil, after: "\(product.unitPrice)"),
                ],
                now: self.now)
            return product
        }
    }

    /// Archives a product: it stays on past documents but is no longer offered.
    public func archiveProduct(company: CompanyID, code: String, actor: Actor) async throws {
        try actor.require(.invoicing, .write, in: company)
        try await transaction { db in
            guard
                try await db.raw(
                    "UPDATE products SET archived = \(bind: true) WHERE company_id = \(bind: company.description) AND code = \(bind: code) RETURNING code"
                ).first() != nil
            else {
                throw DomainError("product.not_found", kind: .notFound, "You cannot archive product \(code) because it does not exist.")
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "product.archive", entity: "product", entityID: code, now: self.now)
        }
    }

    /// Active products whose code or name contains `query`, by name.
    public func products(
        company: CompanyID, query: String?, includeArchived: Bool = false, page: PageRequest, actor: Actor
    ) async throws
        -> Page<Product>
    {
        try actor.require(.invoicing, .read, in: company)
        var condition: SQLQueryString = "company_id = \(bind: company.description)"
        if !includeArchived { condition = condition + " AND archived = \(bind: false)" }
        if let text = query?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            condition = condition + " AND (LOWER(name) LIKE \(bind: "%" + text.lowercased() + "%") OR code = \(bind: text))"
        }
        let filter = condition
        return try await read { db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM products WHERE " + filter).first()!.decode(column: "n", as: Int64.self)
            let rows = try await db.raw(
                "SELECT \(unsafeRaw: Self.productColumns) FROM products WHERE " + filter
                    + " ORDER BY name, code LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)"
            ).all()
            return Page(items: try rows.map(Self.decodeProduct), total: Int(total), offset: page.offset, limit: page.limit)
        }
    }

    public func product(company: CompanyID, code: String, actor: Actor) async throws -> Product {
        try actor.require(.invoicing, .read, in: company)
        guard
            let row = try await read({ db in
                try await db.raw(
                    "SELECT \(unsafeRaw: Self.productColumns) FROM products WHERE company_id = \(bind: company.description) AND code = \(bind: code)"
                ).first()
            })
        else { throw DomainError("product.not_found", kind: .notFound, "You cannot open product \(code) because it does not exist.") }
        return try Self.decodeProduct(row)
    }

    static func requireAccounts(_ db: any SQLDatabase, company: CompanyID, _ product: Product) async throws {
        let rules = try await LedgerEngine.rules(db, company: company)
        var problems = ProblemCollector()
        for (field, code) in [("sales_account", product.salesAccount), ("purchase_account", product.purchaseAccount)] {
            problems.check(
                rules.accounts[code]?.isPostable == true,
                DomainError(
                    "product.account", field: field, "You cannot use account \(code) because it is not a postable account of the chart."))
        }
        try problems.throwIfAny()
    }

    static func decodeProduct(_ row: any SQLRow) throws -> Product {
        Product(
            code: try row.decode(column: "code", as: String.self), name: try row.decode(column: "name", as: String.self),
            unit: try row.decode(column: "unit", as: String.self),
            unitPrice: Decimal(string: try row.decode(column: "unit_price", as: String.self), locale: Locale(identifier: "en_US_POSIX"))
                ?? 0,
            vatCategory: VATCategory(rawValue: try row.decode(column: "vat_category", as: String.self)) ?? .standard,
            vatRateKind: try row.decode(column: "vat_rate_kind", as: String?.self).flatMap(VATRate.Kind.init(rawValue:)),
            exemptionReason: try row.decode(column: "exemption_reason", as: String?.self),
            salesAccount: try row.decode(column: "sales_account", as: String.self),
            purchaseAccount: try row.decode(column: "purchase_account", as: String.self),
            archived: try row.decode(column: "archived", as: Bool.self))
    }
}
