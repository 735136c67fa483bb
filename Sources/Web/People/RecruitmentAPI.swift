import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import People
import PeopleApp

struct OpeningDTO: Encodable {
    let id: String
    let title: String
    let department: String?
    let position: String?
    let corCode: String
    let headcount: Int
    let description: String?
    let state: String
    let createdAt: String
    let applicants: [String: Int]

    init(_ record: OpeningRecord) {
        id = record.id.description
        title = record.title
        department = record.department
        position = record.position
        corCode = record.corCode
        headcount = record.headcount
        description = record.description
        state = record.state.rawValue
        createdAt = record.createdAt
        applicants = Dictionary(uniqueKeysWithValues: record.counts.map { ($0.key.rawValue, $0.value) })
    }
}

struct ApplicantDTO: Encodable {
    struct InterviewDTO: Encodable {
        let seq: Int
        let at: String
        let interviewers: [String]
        let score: Int?
        let notes: String?
    }

    struct OfferDTO: Encodable {
        let salary: String
        let currency: String
        let start: String
        let normHours: Int
    }

    let id: String
    let opening: String
    let lastName: String
    let firstName: String
    let email: String?
    let phone: String?
    let source: String?
    let consentDate: String
    let retainUntil: String
    let stage: String
    let offer: OfferDTO?
    let employee: String?
    let averageScore: String?
    let interviews: [InterviewDTO]

    init(_ record: ApplicantRecord) {
        id = record.id.description
        opening = record.opening.description
        lastName = record.applicant.lastName
        firstName = record.applicant.firstName
        email = record.applicant.email
        phone = record.applicant.phone
        source = record.applicant.source
        consentDate = record.applicant.consentDate.iso
        retainUntil = record.applicant.retainUntil.iso
        stage = record.stage.rawValue
        offer = record.offer.map {
            OfferDTO(salary: $0.salary.decimalString, currency: $0.salary.currency.code, start: $0.start.iso, normHours: $0.normHours)
        }
        employee = record.employee
        averageScore = record.averageScore
        interviews = record.interviews.map {
            InterviewDTO(seq: $0.seq, at: $0.at, interviewers: $0.interviewers, score: $0.score, notes: $0.notes)
        }
    }
}

/// `/api/v1/openings…` and `/api/v1/applicants…`: recruitment from the opening to the hire.
struct RecruitmentAPI: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.hr, .read).get("/api/v1/openings", use: openings)
        protect(.hr, .write).post("/api/v1/openings", use: open)
        protect(.hr, .read).get("/api/v1/openings/{id}", use: opening)
        protect(.hr, .write).post("/api/v1/openings/{id}/decision", use: decideOpening)
        protect(.hr, .write).post("/api/v1/openings/{id}/applicants", use: apply)
        protect(.hr, .read).get("/api/v1/applicants/{id}", use: applicant)
        protect(.hr, .write).post("/api/v1/applicants/{id}/stage", use: move)
        protect(.hr, .write).post("/api/v1/applicants/{id}/interviews", use: interview)
        protect(.hr, .write).post("/api/v1/applicants/{id}/offer", use: offer)
        protect(.hr, .write).post("/api/v1/applicants/{id}/hire", use: hire)
    }

    @Sendable func openings(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(["items": try await culise.openings(company: p.companyID, actor: .user(p)).map(OpeningDTO.init)])
    }

    @Sendable func open(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(OpeningInput.self, from: buffer)
            return try APIRoutes.encoded(
                OpeningDTO(try await culise.openOpening(company: p.companyID, body, actor: .user(p))), status: .created)
        }
    }

    @Sendable func opening(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let (record, applicants) = try await culise.opening(
            company: p.companyID, id: try RecruitmentPages.openingID(context), actor: .user(p))
        struct Board: Encodable {
            let opening: OpeningDTO
            let applicants: [ApplicantDTO]
        }
        return try JSON.response(Board(opening: OpeningDTO(record), applicants: applicants.map(ApplicantDTO.init)))
    }

    struct ActionBody: Decodable {
        let action: String
    }

    @Sendable func decideOpening(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try RecruitmentPages.openingID(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(ActionBody.self, from: buffer)
            guard let action = OpeningState.Action(rawValue: body.action) else {
                throw ValidationErrors([
                    DomainError("opening.action", field: "action", "You cannot '\(body.action)' an opening; use close or reopen.")
                ])
            }
            return try APIRoutes.encoded(
                OpeningDTO(try await culise.decideOpening(company: p.companyID, id: id, action, actor: .user(p))), status: .ok)
        }
    }

    struct ApplyBody: Decodable {
        let lastName: String
        let firstName: String
        let email: String?
        let phone: String?
        let source: String?
        let consentDate: String
        let retainUntil: String?
        /// The CV, base64-encoded, with its file name.
        let cvFileName: String?
        let cvContent: String?
    }

    @Sendable func apply(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try RecruitmentPages.openingID(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context, limit: Limits.documentBytes / 3 * 4 + 65_536) {
            buffer in
            let body = try JSON.decode(ApplyBody.self, from: buffer)
            var cv: (name: String, data: Data)?
            if let content = body.cvContent {
                guard let data = Data(base64Encoded: content) else {
                    throw ValidationErrors([
                        DomainError("applicant.cv_content", field: "cv_content", "You cannot send a CV that is not valid base64.")
                    ])
                }
                cv = (body.cvFileName ?? "", data)
            }
            let record = try await culise.addApplicant(
                company: p.companyID, opening: id,
                ApplicantInput(
                    lastName: body.lastName, firstName: body.firstName, email: body.email, phone: body.phone, source: body.source,
                    consentDate: body.consentDate, retainUntil: body.retainUntil), cv: cv, actor: .user(p))
            return try APIRoutes.encoded(ApplicantDTO(record), status: .created)
        }
    }

    @Sendable func applicant(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(
            ApplicantDTO(try await culise.applicant(company: p.companyID, id: try RecruitmentPages.applicantID(context), actor: .user(p))))
    }

    @Sendable func move(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try RecruitmentPages.applicantID(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(ActionBody.self, from: buffer)
            guard let action = ApplicantStage.Action(rawValue: body.action) else {
                throw ValidationErrors([
                    DomainError(
                        "applicant.action", field: "action",
                        "You cannot '\(body.action)' an applicant here; use advance, back or reject (an offer and a hire carry their terms)."
                    )
                ])
            }
            return try APIRoutes.encoded(
                ApplicantDTO(try await culise.moveApplicant(company: p.companyID, id: id, action, actor: .user(p))), status: .ok)
        }
    }

    /// A JSON POST on one applicant that answers with the applicant.
    func applicantPOST<Body: Decodable & Sendable>(
        _ request: Request, _ context: WebContext, _ type: Body.Type, status: HTTPResponse.Status,
        _ perform: @escaping (Body, ApplicantID, Principal) async throws -> ApplicantRecord
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try RecruitmentPages.applicantID(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            try APIRoutes.encoded(ApplicantDTO(try await perform(try JSON.decode(Body.self, from: buffer), id, p)), status: status)
        }
    }

    @Sendable func interview(_ request: Request, context: WebContext) async throws -> Response {
        try await applicantPOST(request, context, InterviewInput.self, status: .created) { body, id, p in
            try await culise.recordInterview(company: p.companyID, applicant: id, body, actor: .user(p))
        }
    }

    @Sendable func offer(_ request: Request, context: WebContext) async throws -> Response {
        try await applicantPOST(request, context, OfferInput.self, status: .ok) { body, id, p in
            try await culise.makeOffer(company: p.companyID, applicant: id, body, actor: .user(p))
        }
    }

    @Sendable func hire(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try RecruitmentPages.applicantID(context)
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(HireInput.self, from: buffer)
            let record = try await culise.hireApplicant(company: p.companyID, applicant: id, body, actor: .user(p))
            return try APIRoutes.encoded(EmployeeDTO(record, asOf: culise.today), status: .created)
        }
    }
}
