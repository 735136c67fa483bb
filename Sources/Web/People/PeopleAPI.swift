import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import People
import PeopleApp

struct ContractTermsDTO: Codable {
    let number: String
    let contractDate: String
    let startDate: String
    let contractType: String
    let normHours: Int
    let baseSalary: String?
    let position: String
    let corCode: String
    let workplace: String?
    let schedule: String?
    let leaveDays: Int
    let probationDays: Int

    init(_ terms: ContractTerms, pay: Bool = true) {
        number = terms.number
        contractDate = terms.signed.iso
        startDate = terms.start.iso
        contractType = terms.duration.description
        normHours = terms.normHours
        baseSalary = pay ? terms.baseSalary.decimalString : nil
        position = terms.position
        corCode = terms.corCode
        workplace = terms.workplace
        schedule = terms.schedule
        leaveDays = terms.leaveDays
        probationDays = terms.probationDays
    }
}

/// A contract in a request: the terms of a hire, all problems reported at once.
struct ContractBody: Decodable {
    let number: String
    let contractDate: String?
    let startDate: String
    let contractType: String?
    let normHours: Int?
    let baseSalary: String
    let position: String
    let corCode: String
    let workplace: String?
    let leaveDays: Int?
    let probationDays: Int?

    func terms() throws -> ContractTerms {
        var problems = ProblemCollector()
        let start = problems.collect { () throws(DomainError) in try LocalDate(iso: startDate, field: "contract.start_date") }
        let signed = problems.collect { () throws(DomainError) in
            try LocalDate(iso: contractDate ?? startDate, field: "contract.contract_date")
        }
        let duration = problems.collect { () throws(DomainError) in
            try ContractDuration(parsing: contractType ?? "indefinite", field: "contract.contract_type")
        }
        let salary = problems.collect { () throws(DomainError) in
            Money(minorUnits: try Money.parseMinorUnits(baseSalary, digits: 2, field: "contract.base_salary"), currency: .ron)
        }
        let cor = problems.collect { () throws(DomainError) in try COR.code(corCode, field: "contract.cor_code") }
        try problems.throwIfAny()
        guard let start, let signed, let duration, let salary, let cor else { throw ValidationErrors(problems.problems) }
        return ContractTerms(
            number: number, signed: signed, start: start, duration: duration, normHours: normHours ?? 8, baseSalary: salary,
            position: position.uppercased(), corCode: cor, workplace: workplace, leaveDays: leaveDays ?? 21,
            probationDays: probationDays ?? 0)
    }
}

struct EmployeeDTO: Encodable {
    struct Event: Encodable {
        let seq: Int
        let kind: String
        let date: String
        let reason: String?
        let regesState: String
        let regesDeadline: String
        let regesReceipt: String?
    }

    let code: String
    let lastName: String
    let firstName: String
    let cnp: String?
    let sex: String?
    let birthDate: String?
    let idDocument: String?
    let addressLine: String?
    let city: String?
    let county: String?
    let phone: String?
    let email: String?
    let iban: String?
    let education: String?
    let department: String?
    let position: String?
    let manager: String?
    let emergencyContact: EmergencyContact?
    let dependants: [Dependant]?
    let deductionDependants: Int?
    let asOf: String
    let contractState: String?
    let contract: ContractTermsDTO?
    let contractId: String?
    let events: [Event]

    /// `visibility` leaves out what the reader may not see (`EmployeeVisibility`): a manager's report has no CNP,
    /// address, IBAN, dependants or salary; a reader without pay has no salary.
    init(_ record: EmployeeRecord, asOf date: LocalDate, visibility: EmployeeVisibility = .full) {
        let team = visibility == .team
        let employee = record.employee
        code = employee.code
        lastName = employee.lastName
        firstName = employee.firstName
        cnp = team ? nil : employee.cnp
        sex = team ? nil : employee.sex.rawValue
        birthDate = team ? nil : employee.birthDate.iso
        idDocument = team ? nil : employee.idDocument
        addressLine = team ? nil : employee.addressLine
        city = team ? nil : employee.city
        county = team ? nil : employee.county
        phone = employee.phone
        email = employee.email
        iban = team ? nil : employee.iban
        education = team ? nil : employee.education?.rawValue
        department = employee.department
        position = employee.position
        manager = employee.manager
        emergencyContact = team ? nil : employee.emergencyContact
        dependants = team ? nil : employee.dependants
        deductionDependants = team ? nil : employee.deductionDependants
        asOf = date.iso
        let current = record.contract(on: date)
        contractState = current?.state.rawValue
        contract = current.map { ContractTermsDTO($0.terms, pay: visibility == .full) }
        let latest = current?.record ?? record.contracts.last
        contractId = latest?.id.description
        events =
            latest.map { contract in
                zip(contract.contract.events, contract.reges).map { event, reges in
                    Event(
                        seq: reges.seq, kind: event.kind.rawValue, date: event.effective.iso, reason: event.reason,
                        regesState: reges.state.rawValue,
                        regesDeadline: reges.deadline.iso, regesReceipt: reges.receipt)
                }
            } ?? []
    }
}

/// `/api/v1/employees`, `/api/v1/departments`, `/api/v1/positions`, `/api/v1/reges`: people and their contracts.
struct PeopleAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.hr, .read).get("/api/v1/employees", use: list)
        protect(.hr, .write).post("/api/v1/employees", use: create)
        protect(.hr, .write).post("/api/v1/employees/import", use: importCSV)
        // Every role: the use case answers within the reader's scope (HR everyone; an employee themselves; a manager
        // their reports), "not found" outside it.
        protect(.profile, .read).get("/api/v1/employees/{code}", use: show)
        protect(.hr, .write).post("/api/v1/employees/{code}/contract-events", use: contractEvent)
        protect(.hr, .read).get("/api/v1/departments", use: departments)
        protect(.hr, .write).post("/api/v1/departments", use: addDepartment)
        protect(.hr, .read).get("/api/v1/positions", use: positions)
        protect(.hr, .write).post("/api/v1/positions", use: addPosition)
        protect(.hr, .read).get("/api/v1/reges/pending", use: regesPending)
        protect(.hr, .read).get("/api/v1/hr/dashboard", use: dashboard)
        protect(.hr, .write).put("/api/v1/employees/{code}", use: update)
        protect(.hr, .write).post("/api/v1/reges/transmitted", use: regesTransmitted)
    }

    struct Summary: Encodable {
        let code: String
        let name: String
        let department: String?
        let position: String?
        let manager: String?
    }

    @Sendable func update(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let input = try JSON.decode(EmployeeInput.self, from: buffer)
            let record = try await culise.updateEmployee(company: p.companyID, code: code, input, actor: .user(p))
            return try APIRoutes.encoded(EmployeeDTO(record, asOf: culise.today), status: .ok)
        }
    }

    @Sendable func dashboard(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let view = try await culise.hrDashboard(company: p.companyID, actor: .user(p))
        struct DashboardDTO: Encodable {
            let headcount, onLeaveToday, leaveToDecide, changesToDecide, regesPending, regesOverdue, timesheetsDraft,
                timesheetsApproved: Int
            let trainingMissing, trainingExpired, trainingExpiring, acknowledgementsMissing, openOpenings, activeApplicants: Int
        }
        return try JSON.response(
            DashboardDTO(
                headcount: view.headcount, onLeaveToday: view.onLeaveToday, leaveToDecide: view.leaveToDecide,
                changesToDecide: view.changesToDecide, regesPending: view.regesPending, regesOverdue: view.regesOverdue,
                timesheetsDraft: view.timesheetsDraft, timesheetsApproved: view.timesheetsApproved, trainingMissing: view.trainingMissing,
                trainingExpired: view.trainingExpired, trainingExpiring: view.trainingExpiring,
                acknowledgementsMissing: view.acknowledgementsMissing, openOpenings: view.openOpenings,
                activeApplicants: view.activeApplicants))
    }

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let page = LedgerAPI.page(request, &problems)
        try problems.throwIfAny()
        let result = try await culise.employees(
            company: p.companyID, department: LedgerAPI.query(request, "department"), page: page, actor: .user(p))
        return try JSON.response(
            ListDTO(result) { Summary(code: $0.code, name: $0.name, department: $0.department, position: $0.position, manager: $0.manager) }
        )
    }

    /// The employee's fields (`EmployeeInput`, snake_case in JSON) and, optionally, the contract of the hire.
    struct EmployeeBody: Decodable {
        let input: EmployeeInput
        let contract: ContractBody?

        enum Keys: String, CodingKey { case contract }

        init(from decoder: any Decoder) throws {
            input = try EmployeeInput(from: decoder)
            contract = try decoder.container(keyedBy: Keys.self).decodeIfPresent(ContractBody.self, forKey: .contract)
        }
    }

    @Sendable func create(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(EmployeeBody.self, from: buffer)
            let record = try await culise.addEmployee(
                company: p.companyID, body.input, contract: try body.contract?.terms(), actor: .user(p))
            return try APIRoutes.encoded(EmployeeDTO(record, asOf: culise.today), status: .created)
        }
    }

    @Sendable func importCSV(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            guard let text = String(validating: Data(buffer: buffer), as: UTF8.self) else {
                throw ValidationErrors([
                    DomainError("employee_import.encoding", field: "file", "You cannot import a file that is not UTF-8 text.")
                ])
            }
            let report = try await culise.importEmployees(company: p.companyID, csv: text, actor: .user(p))
            return try APIRoutes.encoded(
                [
                    "employees": "\(report.employees)", "departments_created": report.departmentsCreated.joined(separator: ","),
                    "positions_created": report.positionsCreated.joined(separator: ","),
                ], status: .created)
        }
    }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        var problems = ProblemCollector()
        let asOf = LedgerAPI.date(request, "as_of", &problems)
        try problems.throwIfAny()
        let view = try await culise.employeeView(company: p.companyID, code: code, actor: .user(p))
        return try JSON.response(EmployeeDTO(view.record, asOf: asOf ?? culise.today, visibility: view.visibility))
    }

    struct EventBody: Decodable {
        let kind: String
        let date: String
        let baseSalary: String?
        let normHours: Int?
        let position: String?
        let corCode: String?
        let workplace: String?
        let contractType: String?
        let leaveDays: Int?
        let reason: String?
        let article: String?
    }

    @Sendable func contractEvent(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw WebError.notFound }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(EventBody.self, from: buffer)
            guard let kind = ContractEvent.Kind(rawValue: body.kind), kind != .hire else {
                throw ValidationErrors([
                    DomainError(
                        "contract.kind", field: "kind",
                        "You cannot record '\(body.kind)' on a contract; use amendment, suspension, resumption or termination.")
                ])
            }
            var problems = ProblemCollector()
            let salary = problems.collect { () throws(DomainError) -> Money? in
                guard let text = body.baseSalary else { return nil }
                return Money(minorUnits: try Money.parseMinorUnits(text, digits: 2, field: "base_salary"), currency: .ron)
            }
            let duration = problems.collect { () throws(DomainError) -> ContractDuration? in
                guard let text = body.contractType else { return nil }
                return try ContractDuration(parsing: text)
            }
            try problems.throwIfAny()
            let change =
                kind == .amendment
                ? ContractChange(
                    baseSalary: salary ?? nil, normHours: body.normHours, position: body.position, corCode: body.corCode,
                    workplace: body.workplace, duration: duration ?? nil, leaveDays: body.leaveDays) : nil
            let record = try await culise.recordContractEvent(
                company: p.companyID, employee: code,
                ContractEventInput(kind: kind, date: body.date, change: change, reason: kind == .termination ? body.article : body.reason),
                actor: .user(p))
            let employee = try await culise.employee(company: p.companyID, code: record.employee, actor: .user(p))
            return try APIRoutes.encoded(EmployeeDTO(employee, asOf: culise.today), status: .created)
        }
    }

    @Sendable func departments(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(["items": try await culise.departments(company: p.companyID, actor: .user(p))])
    }

    @Sendable func addDepartment(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(Department.self, from: buffer)
            return try APIRoutes.encoded(try await culise.addDepartment(company: p.companyID, body, actor: .user(p)), status: .created)
        }
    }

    @Sendable func positions(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(["items": try await culise.positions(company: p.companyID, actor: .user(p))])
    }

    @Sendable func addPosition(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(Position.self, from: buffer)
            return try APIRoutes.encoded(try await culise.addPosition(company: p.companyID, body, actor: .user(p)), status: .created)
        }
    }

    struct PendingDTO: Encodable {
        let contractId: String
        let seq: Int
        let employee: String
        let employeeName: String
        let cnp: String
        let contractNumber: String
        let kind: String
        let effective: String
        let deadline: String
        let overdue: Bool
    }

    @Sendable func regesPending(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let items = try await culise.regesPending(company: p.companyID, actor: .user(p)).map {
            PendingDTO(
                contractId: $0.contract.description, seq: $0.seq, employee: $0.employee, employeeName: $0.employeeName, cnp: $0.cnp,
                contractNumber: $0.contractNumber, kind: $0.kind.rawValue, effective: $0.effective.iso, deadline: $0.deadline.iso,
                overdue: $0.overdue)
        }
        return try JSON.response(["items": items])
    }

    struct TransmittedBody: Decodable {
        let contractId: String
        let seq: Int
        let receipt: String
    }

    @Sendable func regesTransmitted(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(TransmittedBody.self, from: buffer)
            guard let id = ContractID(string: body.contractId) else {
                throw ValidationErrors([
                    DomainError("contract.id", field: "contract_id", "You cannot use '\(body.contractId)' as a contract id.")
                ])
            }
            try await culise.markRegesTransmitted(company: p.companyID, contract: id, seq: body.seq, receipt: body.receipt, actor: .user(p))
            return try APIRoutes.encoded(["contract_id": body.contractId, "seq": "\(body.seq)", "receipt": body.receipt], status: .ok)
        }
    }
}
