import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import Payroll
import PayrollApp

/// `/api/v1/payroll…`: a month's runs with their lines, the run's next step, an employee's items for a month; and
/// `/api/v1/me/payslips`, the signed-in employee's own payslips.
struct PayrollAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.payroll, .read).get("/api/v1/payroll/runs/{month}", use: runs)
        protect(.payroll, .write).post("/api/v1/payroll/runs/{month}/actions", use: act)
        protect(.payroll, .write).put("/api/v1/payroll/items/{month}/{employee}", use: items)
        protect(.profile, .read).get("/api/v1/me/payslips", use: payslips)
    }

    struct LineDTO: Encodable {
        let code: String
        let amount: String
        let explanation: String
        let explanationRo: String
    }

    struct EmployeeDTO: Encodable {
        let employee: String
        let name: String
        let workedDays: Int
        let gross, untaxed, cas, cass, deduction, taxable, tax, net, mealVouchers, advance, garnishments, netToPay, cam, cost: String
        let lines: [LineDTO]

        init(_ line: PayrollLineRecord) {
            let r = line.result
            employee = line.employee
            name = line.name
            workedDays = line.workedDays
            (gross, untaxed, cas, cass, deduction) = (
                r.gross.decimalString, r.untaxed.decimalString, r.cas.decimalString, r.cass.decimalString, r.deduction.decimalString
            )
            (taxable, tax, net, mealVouchers) = (
                r.taxable.decimalString, r.tax.decimalString, r.net.decimalString, r.mealVouchers.decimalString
            )
            (advance, garnishments, netToPay, cam, cost) = (
                r.advance.decimalString, r.garnishments.decimalString, r.netToPay.decimalString, r.cam.decimalString,
                r.employerCost.decimalString
            )
            lines = r.lines.map {
                LineDTO(code: $0.code, amount: $0.amount.decimalString, explanation: $0.explanation, explanationRo: $0.explanationRO)
            }
        }
    }

    struct RunDTO: Encodable {
        let id: String
        let month: String
        let kind: String
        let state: String
        let computedBy: String?
        let decidedBy: String?
        let gross: String
        let netToPay: String
        let employerCost: String
        let employees: [EmployeeDTO]

        init(_ run: PayrollRunRecord) {
            id = run.id.description
            month = run.month.description
            kind = run.kind
            state = run.state.rawValue
            computedBy = run.computedBy
            decidedBy = run.decidedBy
            gross = run.total(\.gross).decimalString
            netToPay = run.total(\.netToPay).decimalString
            employerCost = run.total(\.employerCost).decimalString
            employees = run.lines.map(EmployeeDTO.init)
        }
    }

    static func month(_ context: WebContext) throws -> YearMonth {
        guard let text = context.parameters.get("month") else { throw WebError.notFound }
        do { return try YearMonth(text: text) } catch { throw ValidationErrors([error]) }
    }

    @Sendable func runs(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let runs = try await culise.payrollRuns(company: p.companyID, month: try Self.month(context), actor: .user(p))
        return try JSON.response(["items": runs.map(RunDTO.init)])
    }

    struct ActionBody: Decodable {
        let action: String
        let date: String?
        let comment: String?
    }

    @Sendable func act(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let month = try Self.month(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(ActionBody.self, from: buffer)
            let (company, actor) = (p.companyID, Actor.user(p))
            let run: PayrollRunRecord
            switch body.action {
            case "compute": run = try await culise.computePayroll(company: company, month: month, actor: actor)
            case "correct": run = try await culise.correctPayroll(company: company, month: month, actor: actor)
            case "approve", "reject":
                run = try await culise.decidePayroll(
                    company: company, month: month, approve: body.action == "approve", comment: body.comment, actor: actor)
            case "post": run = try await culise.postPayroll(company: company, month: month, actor: actor)
            case "pay":
                run = try await culise.payPayroll(
                    company: company, month: month, date: try LocalDate(iso: body.date ?? "", field: "date"), actor: actor)
            default:
                throw ValidationErrors([
                    DomainError(
                        "payroll.action", field: "action",
                        "You cannot '\(body.action.prefix(40))' a payroll run; use compute, correct, approve, reject, post or pay.")
                ])
            }
            return try APIRoutes.encoded(RunDTO(run), status: .ok)
        }
    }

    struct ItemsBody: Decodable {
        let bonuses: String?
        let overtimeHours: Int?
        let advance: String?
        let garnishments: String?
    }

    @Sendable func items(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let month = try Self.month(context)
        guard let employee = context.parameters.get("employee") else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(ItemsBody.self, from: buffer)
            var problems = ProblemCollector()
            func lei(_ text: String?, _ field: String) -> Money {
                problems.collect { () throws(DomainError) in .ron(try Money.parseMinorUnits(text ?? "0", digits: 2, field: field)) }
                    ?? .zero(.ron)
            }
            let items = PayrollItems(
                bonuses: lei(body.bonuses, "bonuses"), overtimeHours: body.overtimeHours ?? 0, advance: lei(body.advance, "advance"),
                garnishments: lei(body.garnishments, "garnishments"))
            try problems.throwIfAny()
            try await culise.setPayrollItems(company: p.companyID, month: month, employee: employee, items, actor: .user(p))
            return try APIRoutes.encoded(["saved": true], status: .ok)
        }
    }

    @Sendable func payslips(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let slips = try await culise.myPayslips(company: p.companyID, actor: .user(p))
        struct SlipDTO: Encodable {
            let month: String
            let state: String
            let payslip: EmployeeDTO
        }
        return try JSON.response([
            "items": slips.map { SlipDTO(month: $0.month.description, state: $0.run.state.rawValue, payslip: EmployeeDTO($0.line)) }
        ])
    }
}
