import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import People
import PeopleApp

/// The people pages: the employee list with the add form, an employee with their contract and its events, the
/// organisation chart (SVG drawn on the server) and the REGES-ONLINE queue.
struct PeoplePages: Sendable {
    let culise: Culise
    let views: Views
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.hr, .read).get("/people", use: list)
        protect(.hr, .write).post("/people", use: create)
        protect(.hr, .read).get("/people/org-chart", use: orgChart)
        protect(.hr, .read).get("/people/reges", use: reges)
        protect(.hr, .write).post("/people/reges", use: regesTransmitted)
        protect(.hr, .read).get("/people/{code}", use: detail)
        protect(.hr, .write).post("/people/{code}/events", use: contractEvent)
        protect(.hr, .write).post("/people/{code}/record", use: update)
    }

    // MARK: - List and add

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response { try await renderList(request, context) }

    func renderList(
        _ request: Request, _ context: WebContext, values: [String: String] = [:], error: (any Error)? = nil
    ) async throws
        -> Response
    {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let department = request.uri.queryParameters["department"].map(String.init) ?? ""
        let page = (try? HTMLRoutes.pageRequest(request)) ?? .first
        let result = try await culise.employees(company: p.companyID, department: department, page: page, actor: .user(p))
        let departments = try await culise.departments(company: p.companyID, actor: .user(p))
        let positions = try await culise.positions(company: p.companyID, actor: .user(p))
        let departmentNames = Dictionary(departments.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
        let positionTitles = Dictionary(positions.map { ($0.code, $0.title) }, uniquingKeysWith: { first, _ in first })
        let rows: [[[String: Any]]] = result.items.map { item in
            [
                Table.cell(item.code, href: "/people/\(item.code)"), Table.cell(item.name),
                Table.cell(item.department.map { departmentNames[$0] ?? $0 } ?? ""),
                Table.cell(item.position.map { positionTitles[$0] ?? $0 } ?? ""), Table.cell(item.manager ?? ""),
            ]
        }
        let table = Table(
            caption: t["people_title", default: "people_title"],
            columns: ["col_number", "col_name", "people_department", "people_position", "people_manager"].map {
                Table.Column(label: t[$0] ?? $0)
            },
            rows: rows, basePath: "/people", query: ["department": department], sort: nil, descending: false, offset: result.offset,
            limit: result.limit, total: result.total)
        let problems = error.flatMap { html.errors($0, context) }
        let departmentChoices = [("", t["people_all_departments", default: "—"])] + departments.map { ($0.code, $0.name) }
        var data: [String: Any] = [
            "table": table.dictionary(t), "can_edit": Policy.allows(p.role, .hr, .write),
            "filter_fields": [
                Field(
                    name: "department", label: t["people_department", default: "department"], value: department, choices: departmentChoices
                )
                .dictionary
            ],
            "fields": addFields(t, values, problems?.byField ?? [:], departments: departments, positions: positions).map(\.dictionary),
            "form_errors": problems?.summary ?? [], "has_errors": !(problems?.summary ?? []).isEmpty,
        ]
        let dashboard = try await culise.hrDashboard(company: p.companyID, actor: .user(p))
        data["overdue"] = dashboard.regesOverdue
        data["dashboard"] = [
            "headcount": String(dashboard.headcount), "on_leave": String(dashboard.onLeaveToday), "leave": String(dashboard.leaveToDecide),
            "changes": String(dashboard.changesToDecide), "reges": String(dashboard.regesPending),
            "reges_overdue": String(dashboard.regesOverdue),
            "timesheets_draft": String(dashboard.timesheetsDraft), "timesheets_approved": String(dashboard.timesheetsApproved),
            "training_missing": String(dashboard.trainingMissing), "training_expired": String(dashboard.trainingExpired),
            "training_expiring": String(dashboard.trainingExpiring), "acknowledgements": String(dashboard.acknowledgementsMissing),
            "openings": String(dashboard.openOpenings), "applicants": String(dashboard.activeApplicants),
        ]
        return try await html.page("people", "title_people", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    func addFields(
        _ t: [String: String], _ values: [String: String], _ errors: [String: String], departments: [Department], positions: [Position]
    ) -> [Field] {
        func field(
            _ name: String, _ key: String, type: String = "text", required: Bool = false, choices: [(value: String, label: String)]? = nil
        )
            -> Field
        {
            Field(
                name: name, label: t[key] ?? key, type: type, value: values[name] ?? "", error: errors[name] ?? errors["contract." + name],
                required: required, choices: choices)
        }
        return [
            field("code", "people_code", required: true), field("last_name", "people_last_name", required: true),
            field("first_name", "people_first_name", required: true), field("cnp", "people_cnp", required: true),
            field("email", "field_email", type: "email"), field("phone", "people_phone"), field("iban", "people_iban"),
            field("department", "people_department", choices: [("", "—")] + departments.map { ($0.code, $0.name) }),
            field("position", "people_position", choices: [("", "—")] + positions.map { ($0.code, "\($0.title) (COR \($0.corCode))") }),
            field("manager", "people_manager"), field("contract_number", "people_contract_number"),
            field("start_date", "people_start_date", type: "date"), field("base_salary", "people_base_salary"),
            field("norm_hours", "people_norm_hours"),
        ]
    }

    @Sendable func create(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        func value(_ name: String) -> String? { form[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        let input = EmployeeInput(
            code: value("code") ?? "", lastName: value("last_name") ?? "", firstName: value("first_name") ?? "", cnp: value("cnp") ?? "",
            phone: value("phone"), email: value("email"), iban: value("iban"), department: value("department"),
            position: value("position"), manager: value("manager"))
        do {
            var terms: ContractTerms?
            if let number = value("contract_number") {
                let positions = try await culise.positions(company: p.companyID, actor: .user(p))
                let position = positions.first { $0.code == value("position")?.uppercased() }
                let body = ContractBody(
                    number: number, contractDate: nil, startDate: value("start_date") ?? "",
                    contractType: nil, normHours: value("norm_hours").flatMap { Int($0) }, baseSalary: value("base_salary") ?? "",
                    position: position?.code ?? "", corCode: position?.corCode ?? "", workplace: nil, leaveDays: nil, probationDays: nil)
                terms = try body.terms()
            }
            let record = try await culise.addEmployee(company: p.companyID, input, contract: terms, actor: .user(p))
            return redirect(to: "/people/\(record.employee.code)?flash=employee_added")
        } catch let error as ValidationErrors {
            return try await renderList(request, context, values: form, error: error)
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await renderList(request, context, values: form, error: error)
        }
    }

    // MARK: - One employee

    @Sendable func detail(_ request: Request, context: WebContext) async throws -> Response {
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await renderDetail(request, context, code: code)
    }

    func renderDetail(
        _ request: Request, _ context: WebContext, code: String, values: [String: String] = [:], error: (any Error)? = nil,
        editForm: Bool = false
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let record = try await culise.employee(company: p.companyID, code: code, actor: .user(p))
        let employee = record.employee
        let today = culise.today
        var facts: [[String: Any]] = [
            ["label": t["people_cnp", default: "CNP"], "value": employee.cnp],
            ["label": t["people_birth_date", default: "born"], "value": PageFormat.date(employee.birthDate)],
            ["label": t["people_sex", default: "sex"], "value": t["people_sex_\(employee.sex.rawValue)"] ?? employee.sex.rawValue],
            ["label": t["people_department", default: "department"], "value": employee.department ?? "—"],
            ["label": t["people_position", default: "position"], "value": employee.position ?? "—"],
            ["label": t["people_dependants", default: "dependants"], "value": String(employee.deductionDependants)],
        ]
        if let manager = employee.manager {
            facts.append(["label": t["people_manager", default: "manager"], "value": manager, "href": "/people/\(manager)"])
        }
        if let email = employee.email { facts.append(["label": t["field_email", default: "e-mail"], "value": email]) }
        if let iban = employee.iban { facts.append(["label": t["people_iban", default: "IBAN"], "value": iban]) }
        var contract: [[String: Any]] = []
        if let current = record.contract(on: today) {
            let terms = current.terms
            contract = [
                ["label": t["people_contract_number", default: "contract"], "value": terms.number],
                [
                    "label": t["people_state", default: "state"],
                    "value": t["people_state_\(current.state.rawValue)"] ?? current.state.rawValue,
                ],
                ["label": t["people_start_date", default: "start"], "value": PageFormat.date(terms.start)],
                ["label": t["people_duration", default: "duration"], "value": Self.duration(terms.duration, t)],
                ["label": t["people_norm_hours", default: "hours"], "value": String(terms.normHours)],
                ["label": t["people_base_salary", default: "salary"], "value": PageFormat.money(terms.baseSalary)],
                ["label": t["people_position", default: "position"], "value": "\(terms.position) · COR \(terms.corCode)"],
                ["label": t["people_leave_days", default: "leave"], "value": String(terms.leaveDays)],
            ]
        }
        let events: [[String: Any]] = record.contracts.flatMap { contract in
            zip(contract.contract.events, contract.reges).map { event, reges in
                [
                    "date": PageFormat.date(event.effective), "kind": t["people_event_\(event.kind.rawValue)"] ?? event.kind.rawValue,
                    "reason": event.reason ?? "", "change": Self.describe(event.change, t),
                    "reges": t["people_reges_\(reges.state.rawValue)"] ?? reges.state.rawValue, "deadline": PageFormat.date(reges.deadline),
                    "receipt": reges.receipt ?? "", "overdue": reges.state == .pending && reges.deadline < today,
                ]
            }
        }
        let problems = error.flatMap { html.errors($0, context) }
        let kinds: [(value: String, label: String)] = [ContractEvent.Kind.amendment, .suspension, .resumption, .termination].map {
            ($0.rawValue, t["people_event_\($0.rawValue)"] ?? $0.rawValue)
        }
        let errors = editForm ? [:] : problems?.byField ?? [:]
        let recordErrors = editForm ? problems?.byField ?? [:] : [:]
        let departments = try await culise.departments(company: p.companyID, actor: .user(p))
        let positions = try await culise.positions(company: p.companyID, actor: .user(p))
        let current = Self.recordValues(employee)
        let recordFields: [Field] = Self.recordFieldNames.map { name, key in
            var choices: [(value: String, label: String)]?
            switch name {
            case "department": choices = [("", "—")] + departments.map { ($0.code, $0.name) }
            case "position": choices = [("", "—")] + positions.map { ($0.code, "\($0.title) (COR \($0.corCode))") }
            case "education": choices = [("", "—")] + Education.allCases.map { ($0.rawValue, $0.rawValue) }
            default: choices = nil
            }
            return Field(
                name: name, label: t[key] ?? key, type: name == "email" ? "email" : "text",
                value: editForm ? values[name] ?? "" : current[name] ?? "",
                error: recordErrors[name] ?? recordErrors["emergency_contact." + name.replacingOccurrences(of: "emergency_", with: "")],
                required: ["last_name", "first_name", "cnp"].contains(name), choices: choices)
        }
        let eventFields = [
            Field(
                name: "kind", label: t["people_event", default: "event"], value: values["kind"] ?? "amendment", error: errors["kind"],
                choices: kinds),
            Field(
                name: "date", label: t["people_event_date", default: "date"], type: "date", value: values["date"] ?? "",
                error: errors["date"]),
            Field(
                name: "base_salary", label: t["people_base_salary", default: "salary"], value: values["base_salary"] ?? "",
                error: errors["base_salary"]),
            Field(
                name: "norm_hours", label: t["people_norm_hours", default: "hours"], value: values["norm_hours"] ?? "",
                error: errors["norm_hours"]),
            Field(
                name: "reason", label: t["people_reason", default: "reason"], value: values["reason"] ?? "",
                error: errors["reason"] ?? errors["article"], hint: t["people_reason_hint"]),
        ]
        let data: [String: Any] = [
            "code": employee.code, "heading": "\(employee.name) · \(employee.code)", "facts": facts, "contract": contract,
            "has_contract": !contract.isEmpty, "events": events, "can_edit": Policy.allows(p.role, .hr, .write),
            "event_fields": eventFields.map(\.dictionary), "record_fields": recordFields.map(\.dictionary), "errors_for_record": editForm,
            "form_errors": problems?.summary ?? [],
            "has_errors": !(problems?.summary ?? []).isEmpty,
        ]
        return try await html.page(
            "employee", "title_people", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    /// The record's form: field name and label key.
    static let recordFieldNames: [(String, String)] = [
        ("last_name", "people_last_name"), ("first_name", "people_first_name"), ("cnp", "people_cnp"),
        ("id_document", "change_field_id_document"), ("address_line", "change_field_address_line"), ("city", "change_field_city"),
        ("county", "change_field_county"), ("phone", "change_field_phone"), ("email", "change_field_email"),
        ("iban", "change_field_iban"), ("education", "change_field_education"), ("department", "people_department"),
        ("position", "people_position"), ("manager", "people_manager"), ("emergency_name", "change_field_emergency_name"),
        ("emergency_phone", "change_field_emergency_phone"), ("declared_dependants", "people_declared_dependants"),
    ]

    static func recordValues(_ employee: Employee) -> [String: String] {
        PersonalDataChange.current(employee).merging([
            "last_name": employee.lastName, "first_name": employee.firstName, "cnp": employee.cnp,
            "department": employee.department ?? "", "position": employee.position ?? "", "manager": employee.manager ?? "",
            "declared_dependants": String(employee.declaredDependants),
        ]) { _, new in new }
    }

    @Sendable func update(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let form = context.form
        var values: [String: String] = [:]
        for (name, _) in Self.recordFieldNames { values[name] = form[name] ?? "" }
        func value(_ name: String) -> String? { values[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        do {
            let declared = try value("declared_dependants").map { text throws(ValidationErrors) -> Int in
                guard let number = Int(text) else {
                    throw ValidationErrors([
                        DomainError(
                            "employee.dependants", field: "declared_dependants",
                            "You cannot declare '\(text.prefix(20))' dependants; write a number.")
                    ])
                }
                return number
            }
            let emergency = value("emergency_name").map { EmergencyContact(name: $0, phone: value("emergency_phone") ?? "") }
            let input = EmployeeInput(
                code: code, lastName: value("last_name") ?? "", firstName: value("first_name") ?? "", cnp: value("cnp") ?? "",
                idDocument: value("id_document"), addressLine: value("address_line"), city: value("city"), county: value("county"),
                phone: value("phone"), email: value("email"), iban: value("iban"), education: value("education"),
                department: value("department"), position: value("position"), manager: value("manager"), emergencyContact: emergency,
                dependants: nil, declaredDependants: declared ?? 0)
            _ = try await culise.updateEmployee(company: p.companyID, code: code, input, actor: .user(p))
            return redirect(to: "/people/\(code.uppercased())?flash=employee_updated")
        } catch let error as ValidationErrors {
            return try await renderDetail(request, context, code: code, values: values, error: error, editForm: true)
        } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
            return try await renderDetail(request, context, code: code, values: values, error: error, editForm: true)
        }
    }

    static func duration(_ duration: ContractDuration, _ t: [String: String]) -> String {
        switch duration {
        case .indefinite: t["people_indefinite", default: "indefinite"]
        case .fixed(let end): "\(t["people_fixed_until", default: "until"]) \(PageFormat.date(end))"
        }
    }

    static func describe(_ change: ContractChange?, _ t: [String: String]) -> String {
        guard let change else { return "" }
        var parts: [String] = []
        if let salary = change.baseSalary { parts.append("\(t["people_base_salary", default: "salary"]) \(PageFormat.money(salary))") }
        if let norm = change.normHours { parts.append("\(t["people_norm_hours", default: "hours"]) \(norm)") }
        if let position = change.position { parts.append("\(t["people_position", default: "position"]) \(position)") }
        if let cor = change.corCode { parts.append("COR \(cor)") }
        if let newDuration = change.duration { parts.append(Self.duration(newDuration, t)) }
        return parts.joined(separator: ", ")
    }

    @Sendable func contractEvent(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        let form = context.form
        func value(_ name: String) -> String? { form[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        do {
            guard let kind = ContractEvent.Kind(rawValue: value("kind") ?? ""), kind != .hire else {
                throw ValidationErrors([DomainError("contract.kind", field: "kind", "You cannot record this event on a contract.")])
            }
            var change: ContractChange?
            if kind == .amendment {
                var problems = ProblemCollector()
                let salary = problems.collect { () throws(DomainError) -> Money? in
                    guard let text = value("base_salary") else { return nil }
                    return Money(minorUnits: try Money.parseMinorUnits(text, digits: 2, field: "base_salary"), currency: .ron)
                }
                try problems.throwIfAny()
                change = ContractChange(baseSalary: salary ?? nil, normHours: value("norm_hours").flatMap { Int($0) })
            }
            _ = try await culise.recordContractEvent(
                company: p.companyID, employee: code,
                ContractEventInput(kind: kind, date: value("date") ?? "", change: change, reason: value("reason")),
                actor: .user(p))
            return redirect(to: "/people/\(code)?flash=contract_event_recorded")
        } catch let error as ValidationErrors {
            return try await renderDetail(request, context, code: code, values: form, error: error)
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            return try await renderDetail(request, context, code: code, values: form, error: error)
        }
    }

    // MARK: - REGES-ONLINE

    @Sendable func reges(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let items = try await culise.regesPending(company: p.companyID, actor: .user(p))
        let rows: [[String: Any]] = items.map { item in
            [
                "deadline": PageFormat.date(item.deadline), "overdue": item.overdue, "employee": item.employee, "name": item.employeeName,
                "cnp": item.cnp, "contract": item.contractNumber, "kind": t["people_event_\(item.kind.rawValue)"] ?? item.kind.rawValue,
                "effective": PageFormat.date(item.effective), "contract_id": item.contract.description, "seq": String(item.seq),
            ]
        }
        let data: [String: Any] = [
            "items": rows, "has_items": !rows.isEmpty, "count": rows.count, "overdue_count": items.filter(\.overdue).count,
            "can_edit": Policy.allows(p.role, .hr, .write),
        ]
        return try await html.page("reges", "title_reges", data, request, context)
    }

    @Sendable func regesTransmitted(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        guard let id = form["contract_id"].flatMap({ ContractID(string: $0) }), let seq = form["seq"].flatMap({ Int($0) }) else {
            throw WebError.notFound
        }
        do {
            try await culise.markRegesTransmitted(
                company: p.companyID, contract: id, seq: seq, receipt: form["receipt"] ?? "", actor: .user(p))
            return redirect(to: "/people/reges?flash=reges_transmitted")
        } catch let error as ValidationErrors {
            _ = error
            return redirect(to: "/people/reges?flash=reges_receipt_missing")
        }
    }

    // MARK: - Organisation chart

    @Sendable func orgChart(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let departments = try await culise.departments(company: p.companyID, actor: .user(p))
        var headcount: [String: Int] = [:]
        var managers: [String: String] = [:]
        var offset = 0
        while true {
            let page = try await culise.employees(
                company: p.companyID, department: nil, page: try PageRequest(limit: Limits.maxPageSize, offset: offset), actor: .user(p))
            for item in page.items { headcount[item.department ?? "", default: 0] += 1 }
            for department in departments where department.manager != nil {
                if let manager = page.items.first(where: { $0.code == department.manager }) { managers[department.code] = manager.name }
            }
            guard let next = page.nextOffset else { break }
            offset = next
        }
        let t = html.t(context)
        let svg = OrgChart.svg(
            departments: departments, headcount: headcount, managers: managers, title: t["title_org_chart", default: "org chart"],
            label: { count in "\(count) \(t[count == 1 ? "people_one_employee" : "people_employees", default: "employees"])" })
        return try await html.page("org-chart", "title_org_chart", ["svg": svg, "departments": departments.count], request, context)
    }
}

/// The organisation chart as SVG: departments as boxes in a tidy tree (leaves side by side, each parent centred over its
/// children), with the head count and the manager. Text is escaped here: the page inserts the SVG as it is.
enum OrgChart {
    static let width = 220
    static let height = 64
    static let gapX = 24
    static let gapY = 48

    static func svg(
        departments: [Department], headcount: [String: Int], managers: [String: String], title: String, label: (Int) -> String
    ) -> String {
        let codes = Set(departments.map(\.code))
        var children: [String: [Department]] = [:]
        var roots: [Department] = []
        for department in departments.sorted(by: { $0.name < $1.name }) {
            if let parent = department.parent, codes.contains(parent), parent != department.code {
                children[parent, default: []].append(department)
            } else {
                roots.append(department)
            }
        }
        var positions: [String: (x: Int, y: Int)] = [:]
        var nextLeaf = 0
        var visited: Set<String> = []
        func place(_ department: Department, depth: Int) -> Int {
            guard visited.insert(department.code).inserted, depth < Limits.departmentDepth else { return 0 }
            let kids = children[department.code] ?? []
            let x: Int
            if kids.isEmpty {
                x = nextLeaf * (width + gapX)
                nextLeaf += 1
            } else {
                let xs = kids.map { place($0, depth: depth + 1) }
                x = ((xs.min() ?? 0) + (xs.max() ?? 0)) / 2
            }
            positions[department.code] = (x, depth * (height + gapY))
            return x
        }
        for root in roots { _ = place(root, depth: 0) }
        let totalWidth = max(width, nextLeaf * (width + gapX) - gapX) + 2
        let totalHeight = (positions.values.map(\.y).max() ?? 0) + height + 2
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"\(escape(title))\" class=\"org-chart\" viewBox=\"0 0 \(totalWidth) \(totalHeight)\" width=\"\(totalWidth)\" height=\"\(totalHeight)\">"
        for department in departments {
            guard let parent = department.parent, let from = positions[parent], let to = positions[department.code] else { continue }
            out +=
                "<path d=\"M\(from.x + width / 2 + 1) \(from.y + height + 1) V\(from.y + height + gapY / 2) H\(to.x + width / 2 + 1) V\(to.y + 1)\" fill=\"none\" stroke=\"#64748b\"/>"
        }
        for department in departments {
            guard let at = positions[department.code] else { continue }
            let count = headcount[department.code] ?? 0
            out +=
                "<g><rect x=\"\(at.x + 1)\" y=\"\(at.y + 1)\" width=\"\(width)\" height=\"\(height)\" rx=\"6\" fill=\"#f8fafc\" stroke=\"#1e3a8a\"/>"
            out += "<text x=\"\(at.x + 12)\" y=\"\(at.y + 22)\" font-weight=\"bold\" font-size=\"14\">\(escape(department.name))</text>"
            out += "<text x=\"\(at.x + 12)\" y=\"\(at.y + 40)\" font-size=\"12\">\(escape(label(count)))</text>"
            if let manager = managers[department.code] {
                out += "<text x=\"\(at.x + 12)\" y=\"\(at.y + 56)\" font-size=\"12\">\(escape(manager))</text>"
            }
            out += "<title>\(escape(department.code))</title></g>"
        }
        return out + "</svg>"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
