import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import People
import PeopleApp

/// Recruitment: the openings, each opening's board, and each applicant with interviews, offer and hire.
struct RecruitmentPages: Sendable {
    let culise: Culise
    let views: Views
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.hr, .read).get("/people/recruitment", use: openings)
        protect(.hr, .write).post("/people/recruitment", use: open)
        protect(.hr, .read).get("/people/recruitment/{id}", use: board)
        protect(.hr, .write).post("/people/recruitment/{id}", use: decideOpening)
        protect(.hr, .write).post("/people/recruitment/{id}/applicants", use: apply)
        protect(.hr, .read).get("/people/applicants/{id}", use: applicant)
        protect(.hr, .write).post("/people/applicants/{id}/stage", use: move)
        protect(.hr, .write).post("/people/applicants/{id}/interviews", use: interview)
        protect(.hr, .write).post("/people/applicants/{id}/offer", use: offer)
        protect(.hr, .write).post("/people/applicants/{id}/hire", use: hire)
    }

    static func form<T>(_ body: () async throws -> T) async throws -> Result<T, any Error> {
        do { return .success(try await body()) } catch let error as ValidationErrors {
            return .failure(error)
        } catch let error as DomainError where [.invalid, .conflict, .tooLarge].contains(error.kind) {
            return .failure(error)
        }
    }

    func stageName(_ stage: ApplicantStage, _ t: [String: String]) -> String { t["applicant_stage_\(stage.rawValue)"] ?? stage.rawValue }

    // MARK: - Openings

    @Sendable func openings(_ request: Request, context: WebContext) async throws -> Response {
        try await renderOpenings(request, context)
    }

    func renderOpenings(
        _ request: Request, _ context: WebContext, values: [String: String] = [:], error: (any Error)? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let items = try await culise.openings(company: p.companyID, actor: .user(p))
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        let fields = [
            Field(
                name: "title", label: t["opening_title", default: "title"], value: values["title"] ?? "", error: errors["title"],
                required: true),
            Field(
                name: "department", label: t["people_department", default: "department"], value: values["department"] ?? "",
                error: errors["department"]),
            Field(
                name: "position", label: t["opening_position", default: "position"], value: values["position"] ?? "",
                error: errors["position"],
                hint: t["opening_position_hint"]),
            Field(name: "cor_code", label: t["opening_cor", default: "COR"], value: values["cor_code"] ?? "", error: errors["cor_code"]),
            Field(
                name: "headcount", label: t["opening_headcount", default: "headcount"], type: "number", value: values["headcount"] ?? "1",
                error: errors["headcount"]),
            Field(
                name: "description", label: t["opening_description", default: "description"], value: values["description"] ?? "",
                error: errors["description"]),
        ]
        let data: [String: Any] = [
            "openings": items.map { item in
                [
                    "id": item.id.description, "title": item.title, "department": item.department ?? "",
                    "headcount": String(item.headcount),
                    "state": t["opening_state_\(item.state.rawValue)"] ?? item.state.rawValue, "open": item.state == .open,
                    "stages": ApplicantStage.board.compactMap { stage in item.counts[stage].map { "\(stageName(stage, t)) \($0)" } }.joined(
                        separator: " · "),
                ] as [String: Any]
            },
            "has_openings": !items.isEmpty, "can_edit": Policy.allows(p.role, .hr, .write), "fields": fields.map(\.dictionary),
            "form_errors": problems?.summary ?? [], "has_errors": !(problems?.summary ?? []).isEmpty,
        ]
        return try await html.page(
            "recruitment", "title_recruitment", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    @Sendable func open(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        let headcount = Int(form["headcount"] ?? "1") ?? 0
        switch try await Self.form({
            try await culise.openOpening(
                company: p.companyID,
                OpeningInput(
                    title: form["title"] ?? "", department: form["department"], position: form["position"], corCode: form["cor_code"],
                    headcount: headcount, description: form["description"]), actor: .user(p))
        }) {
        case .success(let record): return redirect(to: "/people/recruitment/\(record.id)?flash=opening_opened")
        case .failure(let error): return try await renderOpenings(request, context, values: form, error: error)
        }
    }

    static func openingID(_ context: WebContext) throws -> OpeningID {
        guard let id = context.parameters.get("id").flatMap({ OpeningID(string: $0) }) else { throw WebError.notFound }
        return id
    }

    static func applicantID(_ context: WebContext) throws -> ApplicantID {
        guard let id = context.parameters.get("id").flatMap({ ApplicantID(string: $0) }) else { throw WebError.notFound }
        return id
    }

    // MARK: - The board

    @Sendable func board(_ request: Request, context: WebContext) async throws -> Response {
        try await renderBoard(request, context, id: try Self.openingID(context))
    }

    func renderBoard(
        _ request: Request, _ context: WebContext, id: OpeningID, values: [String: String] = [:], error: (any Error)? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let (opening, applicants) = try await culise.opening(company: p.companyID, id: id, actor: .user(p))
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        let fields = [
            Field(
                name: "last_name", label: t["applicant_last_name", default: "last name"], value: values["last_name"] ?? "",
                error: errors["last_name"], required: true),
            Field(
                name: "first_name", label: t["applicant_first_name", default: "first name"], value: values["first_name"] ?? "",
                error: errors["first_name"], required: true),
            Field(
                name: "email", label: t["applicant_email", default: "e-mail"], type: "email", value: values["email"] ?? "",
                error: errors["email"]),
            Field(name: "phone", label: t["applicant_phone", default: "phone"], value: values["phone"] ?? "", error: errors["phone"]),
            Field(name: "source", label: t["applicant_source", default: "source"], value: values["source"] ?? "", error: errors["source"]),
            Field(
                name: "consent_date", label: t["applicant_consent", default: "consent"], type: "date",
                value: values["consent_date"] ?? culise.today.iso, error: errors["consent_date"], required: true),
            Field(
                name: "retain_until", label: t["applicant_retain", default: "retain until"], type: "date",
                value: values["retain_until"] ?? "",
                error: errors["retain_until"], hint: t["applicant_retain_hint"]),
        ]
        let data: [String: Any] = [
            "id": opening.id.description, "title": opening.title, "department": opening.department ?? "", "cor": opening.corCode,
            "headcount": String(opening.headcount), "description": opening.description ?? "",
            "state": t["opening_state_\(opening.state.rawValue)"] ?? opening.state.rawValue, "open": opening.state == .open,
            "columns": ApplicantStage.board.map { stage in
                [
                    "stage": stageName(stage, t),
                    "cards": applicants.filter { $0.stage == stage }.map { applicant in
                        [
                            "id": applicant.id.description, "name": applicant.name, "source": applicant.applicant.source ?? "",
                            "employee": applicant.employee ?? "", "hired": applicant.employee != nil,
                        ] as [String: Any]
                    },
                ] as [String: Any]
            },
            "can_edit": Policy.allows(p.role, .hr, .write), "fields": fields.map(\.dictionary), "form_errors": problems?.summary ?? [],
            "has_errors": !(problems?.summary ?? []).isEmpty,
        ]
        return try await html.page(
            "opening", "title_recruitment", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    @Sendable func decideOpening(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try Self.openingID(context)
        guard let action = context.form["action"].flatMap({ OpeningState.Action(rawValue: $0) }) else { throw WebError.notFound }
        _ = try await culise.decideOpening(company: p.companyID, id: id, action, actor: .user(p))
        return redirect(to: "/people/recruitment/\(id)?flash=opening_\(action.rawValue)")
    }

    @Sendable func apply(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try Self.openingID(context)
        let form = context.form
        switch try await Self.form({
            try await culise.addApplicant(
                company: p.companyID, opening: id,
                ApplicantInput(
                    lastName: form["last_name"] ?? "", firstName: form["first_name"] ?? "", email: form["email"], phone: form["phone"],
                    source: form["source"], consentDate: form["consent_date"] ?? "",
                    retainUntil: form["retain_until"]),
                cv: context.files.first.map { (name: $0.filename, data: $0.data) }, actor: .user(p))
        }) {
        case .success(let record): return redirect(to: "/people/applicants/\(record.id)?flash=applicant_added")
        case .failure(let error): return try await renderBoard(request, context, id: id, values: form, error: error)
        }
    }

    // MARK: - An applicant

    @Sendable func applicant(_ request: Request, context: WebContext) async throws -> Response {
        try await renderApplicant(request, context, id: try Self.applicantID(context))
    }

    func renderApplicant(
        _ request: Request, _ context: WebContext, id: ApplicantID, values: [String: String] = [:], error: (any Error)? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let record = try await culise.applicant(company: p.companyID, id: id, actor: .user(p))
        let (opening, _) = try await culise.opening(company: p.companyID, id: record.opening, actor: .user(p))
        let documents = try await culise.documents(
            company: p.companyID, owner: DocumentOwner(type: "applicant", id: id.description), actor: .user(p))
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        let interviewFields = [
            Field(
                name: "at", label: t["interview_at", default: "at"], type: "datetime-local", value: values["at"] ?? "", error: errors["at"],
                required: true),
            Field(
                name: "interviewers", label: t["interview_interviewers", default: "interviewers"], value: values["interviewers"] ?? "",
                error: errors["interviewers"], required: true, hint: t["interview_interviewers_hint"]),
            Field(
                name: "score", label: t["interview_score", default: "score"], value: values["score"] ?? "", error: errors["score"],
                choices: [("", "—")] + (1...5).map { (String($0), String($0)) }),
            Field(name: "notes", label: t["interview_notes", default: "notes"], value: values["notes"] ?? "", error: errors["notes"]),
        ]
        let offerFields = [
            Field(
                name: "salary", label: t["offer_salary", default: "salary"],
                value: values["salary"] ?? record.offer.map { PageFormat.amount($0.salary) } ?? "",
                error: errors["salary"], required: true),
            Field(
                name: "start", label: t["offer_start", default: "start"], type: "date",
                value: values["start"] ?? record.offer?.start.iso ?? "",
                error: errors["start"], required: true),
            Field(
                name: "norm_hours", label: t["offer_norm", default: "norm"], type: "number",
                value: values["norm_hours"] ?? record.offer.map { String($0.normHours) } ?? "8", error: errors["norm_hours"]),
        ]
        let hireFields = [
            Field(
                name: "code", label: t["people_code", default: "code"], value: values["code"] ?? "", error: errors["code"], required: true),
            Field(name: "cnp", label: "CNP", value: values["cnp"] ?? "", error: errors["cnp"], required: true),
            Field(
                name: "contract_number", label: t["people_contract_number", default: "contract"], value: values["contract_number"] ?? "",
                error: errors["contract_number"] ?? errors["number"], required: true),
            Field(name: "iban", label: "IBAN", value: values["iban"] ?? "", error: errors["iban"]),
        ]
        let stage = record.stage
        let data: [String: Any] = [
            "id": id.description, "name": record.name, "opening_id": opening.id.description, "opening": opening.title,
            "stage": stageName(stage, t), "email": record.applicant.email ?? "", "phone": record.applicant.phone ?? "",
            "source": record.applicant.source ?? "", "consent": PageFormat.date(record.applicant.consentDate),
            "retain": PageFormat.date(record.applicant.retainUntil), "employee": record.employee ?? "", "hired": stage == .hired,
            "score": record.averageScore ?? "", "has_score": record.averageScore != nil,
            "documents": documents.map { ["id": $0.id.description, "name": $0.fileName] }, "has_documents": !documents.isEmpty,
            "interviews": record.interviews.map { interview in
                [
                    "at": interview.at.replacingOccurrences(of: "T", with: " "),
                    "interviewers": interview.interviewers.joined(separator: ", "),
                    "score": interview.score.map(String.init) ?? "", "notes": interview.notes ?? "",
                ]
            },
            "has_interviews": !record.interviews.isEmpty,
            "offer": record.offer.map { "\(PageFormat.money($0.salary)) · \(PageFormat.date($0.start)) · \($0.normHours) h" } ?? "",
            "has_offer": record.offer != nil,
            "can_edit": Policy.allows(p.role, .hr, .write), "can_advance": stage.applying(.advance) != nil,
            "can_back": stage.applying(.back) != nil, "can_reject": stage.applying(.reject) != nil,
            "can_interview": [.screening, .interview, .offer].contains(stage), "can_offer": stage.applying(.offer) != nil,
            "can_hire": stage.applying(.hire) != nil,
            "interview_fields": interviewFields.map(\.dictionary), "offer_fields": offerFields.map(\.dictionary),
            "hire_fields": hireFields.map(\.dictionary), "form_errors": problems?.summary ?? [],
            "has_errors": !(problems?.summary ?? []).isEmpty,
        ]
        return try await html.page(
            "applicant", "title_recruitment", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    @Sendable func move(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try Self.applicantID(context)
        guard let action = context.form["action"].flatMap({ ApplicantStage.Action(rawValue: $0) }) else { throw WebError.notFound }
        _ = try await culise.moveApplicant(company: p.companyID, id: id, action, actor: .user(p))
        return redirect(to: "/people/applicants/\(id)?flash=applicant_moved")
    }

    @Sendable func interview(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try Self.applicantID(context)
        let form = context.form
        let score = form["score"].flatMap { $0.isEmpty ? nil : Int($0) ?? 0 }
        switch try await Self.form({
            try await culise.recordInterview(
                company: p.companyID, applicant: id,
                InterviewInput(
                    at: form["at"] ?? "", interviewers: (form["interviewers"] ?? "").split(separator: ",").map(String.init), score: score,
                    notes: form["notes"]), actor: .user(p))
        }) {
        case .success: return redirect(to: "/people/applicants/\(id)?flash=interview_recorded")
        case .failure(let error): return try await renderApplicant(request, context, id: id, values: form, error: error)
        }
    }

    @Sendable func offer(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try Self.applicantID(context)
        let form = context.form
        switch try await Self.form({
            try await culise.makeOffer(
                company: p.companyID, applicant: id,
                OfferInput(
                    salary: form["salary"] ?? "", start: form["start"] ?? "",
                    normHours: Int(form["norm_hours"] ?? "8") ?? 0), actor: .user(p))
        }) {
        case .success: return redirect(to: "/people/applicants/\(id)?flash=offer_made")
        case .failure(let error): return try await renderApplicant(request, context, id: id, values: form, error: error)
        }
    }

    @Sendable func hire(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try Self.applicantID(context)
        let form = context.form
        switch try await Self.form({
            try await culise.hireApplicant(
                company: p.companyID, applicant: id,
                HireInput(
                    code: form["code"] ?? "", cnp: form["cnp"] ?? "", contractNumber: form["contract_number"] ?? "", iban: form["iban"]),
                actor: .user(p))
        }) {
        case .success(let employee): return redirect(to: "/people/\(employee.employee.code)?flash=applicant_hired")
        case .failure(let error): return try await renderApplicant(request, context, id: id, values: form, error: error)
        }
    }
}
