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
        protect(.payroll, .read).get("/api/v1/payroll/payslips/{month}/{employee}", use: payslipDocument)
        protect(.payroll, .read).get("/api/v1/payroll/runs/{month}/summary", use: summary)
        protect(.payroll, .read).get("/api/v1/payroll/parameters", use: parameters)
        protect(.payroll, .read).get("/api/v1/payroll/runs/{month}/payment-file", use: paymentFile)
        protect(.payroll, .read).get("/api/v1/payroll/runs/{month}/tax-file", use: taxFile)
        protect(.company, .write).put("/api/v1/payroll/parameters/{month}", use: setParameters)
        protect(.payroll, .write).post("/api/v1/payroll/runs/{month}/payslip-emails", use: emailPayslips)
    }

    /// One employee's payslip as a file: `?format=pdf` (default) or `html`; `?lang=en` for English.
    @Sendable func payslipDocument(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let month = try Self.month(context)
        guard let employee = context.parameters.get("employee") else { throw WebError.notFound }
        let format = request.uri.queryParameters["format"].map(String.init) ?? "pdf"
        let english = request.uri.queryParameters["lang"].map(String.init) == "en"
        let data = try await culise.payslipDocument(
            company: p.companyID, month: month, employee: employee, format: format, english: english, actor: .user(p))
        if format == "html" {
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return PayrollPages.pdfResponse(data, name: "fluturas_\(month)_\(employee)")
    }

    struct SummaryDTO: Encodable {
        let key: String?
        let name: String?
        let employees: Int
        let gross, cas, cass, tax, net, netToPay, mealVouchers, cam, cost: String
    }

    /// The month's latest run summed by department (default) or cost centre (`?by=cost_centre`).
    @Sendable func summary(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let month = try Self.month(context)
        let text = request.uri.queryParameters["by"].map(String.init) ?? "department"
        guard let grouping = Culise.PayrollGrouping(rawValue: text) else {
            throw ValidationErrors([
                DomainError("request.parameter", field: "by", "You cannot sum by '\(text.prefix(20))'; use department or cost_centre.")
            ])
        }
        let rows = try await culise.payrollSummary(company: p.companyID, month: month, by: grouping, actor: .user(p))
        return try JSON.response([
            "items": rows.map {
                SummaryDTO(
                    key: $0.key, name: $0.name, employees: $0.employees, gross: $0.gross.decimalString, cas: $0.cas.decimalString,
                    cass: $0.cass.decimalString, tax: $0.tax.decimalString, net: $0.net.decimalString, netToPay: $0.netToPay.decimalString,
                    mealVouchers: $0.mealVouchers.decimalString, cam: $0.cam.decimalString, cost: $0.cost.decimalString)
            }
        ])
    }

    struct ParametersDTO: Encodable {
        let from: String
        let source: String
        let setBy: String?
        let minimumWage, untaxedAmount, untaxedIncomeCeiling, mealVoucherMax, childInSchool: String
        let casPercent, cassPercent, incomeTaxPercent, camPercent: String
        let deductionPercents: [String]

        init(_ set: PayrollParameterSet) {
            let x = set.parameters
            from = x.from.iso
            source = set.source
            setBy = set.setBy
            (minimumWage, untaxedAmount, untaxedIncomeCeiling, mealVoucherMax, childInSchool) = (
                x.minimumWage.decimalString, x.untaxedAmount.decimalString, x.untaxedIncomeCeiling.decimalString,
                x.mealVoucherMax.decimalString, x.childInSchool.decimalString
            )
            (casPercent, cassPercent, incomeTaxPercent, camPercent) = (
                "\(x.casPercent)", "\(x.cassPercent)", "\(x.incomeTaxPercent)", "\(x.camPercent)"
            )
            deductionPercents = x.deductionPercents.map { "\($0)" }
        }
    }

    @Sendable func parameters(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let sets = try await culise.payrollParameterSets(company: p.companyID, actor: .user(p))
        return try JSON.response(["items": sets.map(ParametersDTO.init)])
    }

    struct ParametersBody: Decodable {
        let minimumWage, untaxedAmount, untaxedIncomeCeiling, mealVoucherMax, childInSchool: String?
        let casPercent, cassPercent, incomeTaxPercent, camPercent: String?
        let deductionPercents: [String]?
    }

    /// Sets the parameters from the first day of `{month}`: the values given over the set in force then.
    @Sendable func setParameters(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let month = try Self.month(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(ParametersBody.self, from: buffer)
            let sets = try await culise.payrollParameterSets(company: p.companyID, actor: .user(p))
            let base = try PayrollParameterTable.inForce(month, in: sets.map(\.parameters))
            let typed: [String: String] = [
                "minimum_wage": body.minimumWage, "untaxed_amount": body.untaxedAmount, "untaxed_income_ceiling": body.untaxedIncomeCeiling,
                "meal_voucher_max": body.mealVoucherMax, "child_in_school": body.childInSchool, "cas_percent": body.casPercent,
                "cass_percent": body.cassPercent, "income_tax_percent": body.incomeTaxPercent, "cam_percent": body.camPercent,
                "deduction_percents": body.deductionPercents?.joined(separator: " "),
            ].compactMapValues { $0 }
            let set = try await culise.setPayrollParameters(
                company: p.companyID, try PayrollParameterInput.apply(typed, to: base, from: month), actor: .user(p))
            return try APIRoutes.encoded(ParametersDTO(set), status: .ok)
        }
    }

    static func query(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The posted month's salary transfers: `?format=pain001` (default, with `account`, optional `bic` and `date`) or `csv`.
    @Sendable func paymentFile(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let month = try Self.month(context)
        let date = try Self.query(request, "date").map { try LocalDate(iso: $0, field: "date") } ?? culise.today
        if Self.query(request, "format") == "csv" {
            let csv = try await culise.salaryPaymentCSV(company: p.companyID, month: month, actor: .user(p))
            return Response(
                status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: csv)))
        }
        let xml = try await culise.salaryPaymentFile(
            company: p.companyID, month: month, debtorIBAN: Self.query(request, "account") ?? "", debtorBIC: Self.query(request, "bic"),
            executionDate: date, actor: .user(p))
        return Response(
            status: .ok, headers: [.contentType: "application/xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    /// The month's taxes per its D112 to the Treasury account `treasury`, from `account`, as pain.001.
    @Sendable func taxFile(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let month = try Self.month(context)
        let date = try Self.query(request, "date").map { try LocalDate(iso: $0, field: "date") } ?? culise.today
        let xml = try await culise.treasuryPaymentFile(
            company: p.companyID, month: month, debtorIBAN: Self.query(request, "account") ?? "",
            treasuryIBAN: Self.query(request, "treasury") ?? "", debtorBIC: Self.query(request, "bic"), executionDate: date,
            actor: .user(p))
        return Response(
            status: .ok, headers: [.contentType: "application/xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    struct MailingDTO: Encodable {
        let queued: Int
        let withoutEmail: [String]
    }

    @Sendable func emailPayslips(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let month = try Self.month(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            let mailing = try await culise.emailPayslips(company: p.companyID, month: month, actor: .user(p))
            return try APIRoutes.encoded(MailingDTO(queued: mailing.queued, withoutEmail: mailing.withoutEmail), status: .ok)
        }
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
