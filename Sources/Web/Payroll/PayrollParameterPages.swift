import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import Payroll
import PayrollApp

/// `/payroll/parameters`: the payroll parameter sets in force by date (shipped, or the company's), and for an
/// administrator a form to set the values from the first day of a month (issue 15 item 8).
struct PayrollParameterPages: Sendable {
    let culise: Culise
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.payroll, .read).get("/payroll/parameters", use: show)
        protect(.company, .write).post("/payroll/parameters", use: save)
    }

    static func percent(_ value: Decimal) -> String { PayrollRounding.basisPoints(value).map(PayrollRounding.percentText) ?? "\(value)" }
    static func lei(_ money: Money) -> String { money.decimalString }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        try await render(request, context)
    }

    func render(
        _ request: Request, _ context: WebContext, error: (any Error)? = nil, typed: [String: String]? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let sets = try await culise.payrollParameterSets(company: p.companyID, actor: .user(p))
        let rows: [[String: Any]] = sets.reversed().map { set in
            let x = set.parameters
            return [
                "from": x.from.iso, "source": t["payroll_parameters_source_\(set.source)"] ?? set.source, "set_by": set.setBy ?? "",
                "minimum_wage": Self.lei(x.minimumWage), "untaxed": "\(Self.lei(x.untaxedAmount)) / \(Self.lei(x.untaxedIncomeCeiling))",
                "rates":
                    "\(Self.percent(x.casPercent)) / \(Self.percent(x.cassPercent)) / \(Self.percent(x.incomeTaxPercent)) / \(Self.percent(x.camPercent))",
                "deductions": x.deductionPercents.map(Self.percent).joined(separator: " · "),
                "meal_voucher_max": Self.lei(x.mealVoucherMax),
            ]
        }
        let current = (try? PayrollParameterTable.inForce(YearMonth(culise.today), in: sets.map(\.parameters))) ?? sets.last?.parameters
        var form: [String: String] = [:]
        if let x = current {
            let next = YearMonth(YearMonth(culise.today).lastDay.adding(days: 1))
            form = [
                "from": next.description, "minimum_wage": Self.lei(x.minimumWage), "untaxed_amount": Self.lei(x.untaxedAmount),
                "untaxed_income_ceiling": Self.lei(x.untaxedIncomeCeiling), "cas_percent": Self.percent(x.casPercent),
                "cass_percent": Self.percent(x.cassPercent), "income_tax_percent": Self.percent(x.incomeTaxPercent),
                "cam_percent": Self.percent(x.camPercent),
                "deduction_percents": x.deductionPercents.map(Self.percent).joined(separator: " "),
                "meal_voucher_max": Self.lei(x.mealVoucherMax), "child_in_school": Self.lei(x.childInSchool),
            ]
        }
        if let typed { form.merge(typed) { $1 } }
        let problems = error.flatMap { html.errors($0, context) }
        return try await html.page(
            "payroll_parameters", "title_payroll_parameters",
            [
                "rows": rows, "can_edit": Policy.allows(p.role, .company, .write), "form": form,
                "form_errors": problems?.summary ?? [], "has_errors": !(problems?.summary ?? []).isEmpty,
            ], request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    /// The form's values over the set in force: what the administrator typed replaces it.
    @Sendable func save(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        let typed = [
            "from", "minimum_wage", "untaxed_amount", "untaxed_income_ceiling", "cas_percent", "cass_percent", "income_tax_percent",
            "cam_percent", "deduction_percents", "meal_voucher_max", "child_in_school",
        ].reduce(into: [String: String]()) { $0[$1] = form[$1] ?? "" }
        do {
            let month = try YearMonth(text: typed["from"] ?? "", field: "from")
            let sets = try await culise.payrollParameterSets(company: p.companyID, actor: .user(p))
            var x = try PayrollParameterTable.inForce(month, in: sets.map(\.parameters))
            x = try PayrollParameterInput.apply(typed, to: x, from: month)
            _ = try await culise.setPayrollParameters(company: p.companyID, x, actor: .user(p))
            return redirect(to: "/payroll/parameters?flash=payroll_done")
        } catch let error as ValidationErrors {
            return try await render(request, context, error: error, typed: typed)
        } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
            return try await render(request, context, error: error, typed: typed)
        }
    }
}
