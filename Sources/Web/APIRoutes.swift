import Application
import Assembly
import BankingApp
import Companies
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

/// JSON bodies: snake_case keys, sorted for stable output.
enum JSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        stored(
            StoredResponse(
                status: status.code, contentType: "application/json", body: String(decoding: try encoder.encode(value), as: UTF8.self)))
    }

    /// A JSON response with its caching headers: a 200 may be kept by the caller (never by a shared cache: it is one
    /// user's data) and revalidated with its `ETag`, a strong validator over the exact body, so an unchanged list costs
    /// a 304 without a body (`ConditionalGetMiddleware`); anything else is not kept.
    static func stored(_ stored: StoredResponse) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = stored.contentType
        if stored.status == 200 {
            headers[.cacheControl] = "private, no-cache"
            headers[.eTag] = entityTag(stored.body)
        } else {
            headers[.cacheControl] = "no-store"
        }
        return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: stored.body)))
    }

    /// `"<first 32 hex digits of SHA-256 of the body>"`.
    static func entityTag(_ body: String) -> String {
        "\"" + SHA256.hash(data: Data(body.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
    }

    /// Decodes a bounded body. Malformed JSON is a 400; a missing or mistyped field a 422 naming it.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        let data = Data(buffer: buffer)
        // Control characters are refused in every text field, with the field's path (Kernel.TextRules).
        if TextRules.jsonMayHoldControl(data), let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) {
            let problems = TextRules.problems(inJSON: value)
            if !problems.isEmpty { throw ValidationErrors(problems) }
        }
        do {
            return try decoder.decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            let field = (context.codingPath + [key]).map(\.stringValue).map(snake).joined(separator: ".")
            throw DomainError("request.field_missing", field: field, "To send this request, you must include the field '\(field)'.")
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).map(snake).joined(separator: ".")
            throw DomainError(
                "request.field_type", field: field, "You cannot send field '\(field)' with this type: \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).map(snake).joined(separator: ".")
            throw DomainError("request.field_missing", field: field, "To send this request, you must give a value for '\(field)'.")
        } catch let error as DomainError {
            throw error
        } catch let error as ValidationErrors {
            throw error
        } catch {
            throw WebError(.badRequest, "request.malformed_json", "You cannot send this body because it is not valid JSON.")
        }
    }

    static func snake(_ key: String) -> String {
        var result = ""
        for character in key {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}

struct CompanyDTO: Codable {
    let id: String
    let legalName: String
    let cui: String
    let fiscalCode: String
    let tradeRegister: String?
    let address: Address
    let vatPayer: Bool
    let currency: String
    let fiscalYearStartMonth: Int
    let role: String?

    init(_ company: Company, role: Role? = nil) {
        id = company.id.description
        legalName = company.legalName
        cui = company.cui.digits
        fiscalCode = company.fiscalCode
        tradeRegister = company.tradeRegister?.value
        address = company.address
        vatPayer = company.vatPayer
        currency = company.functionalCurrency.code
        fiscalYearStartMonth = company.fiscalYearStartMonth
        self.role = role?.rawValue
    }
}

struct CompanyBody: Decodable {
    let legalName: String
    let cui: String
    let tradeRegister: String?
    let address: Address
    let vatPayer: Bool
    let fiscalYearStartMonth: Int?

    var input: CompanyInput {
        CompanyInput(
            legalName: legalName, cui: cui, tradeRegister: tradeRegister, address: address, vatPayer: vatPayer,
            fiscalYearStartMonth: fiscalYearStartMonth)
    }
}

struct ListDTO<Item: Encodable>: Encodable {
    let items: [Item]
    let total: Int
    let limit: Int
    let offset: Int
    let nextOffset: Int?

    init<Source>(_ page: Page<Source>, map: (Source) -> Item) {
        items = page.items.map(map)
        total = page.total
        limit = page.limit
        offset = page.offset
        nextOffset = page.nextOffset
    }
}

struct MemberDTO: Codable {
    let id: String
    let email: String
    let displayName: String
    let role: String
    let twoFactor: Bool
}

struct InvitedDTO: Codable {
    let email: String
    let role: String
    let state: String
}

struct InvitationDTO: Codable {
    let id: String
    let company: String
    let companyName: String
    let role: String
}

struct UserBody: Decodable {
    let email: String
    let displayName: String?
    let password: String?
    let role: String
}

struct RoleBody: Decodable { let role: String }
struct TokenBody: Decodable { let name: String }
struct CreatedToken: Encodable {
    let id: String
    let name: String
    let token: String
}

struct MeDTO: Encodable {
    let userId: String
    let email: String
    let displayName: String
    let companyId: String
    let role: String
}

struct AuditDTO: Encodable {
    let seq: Int64
    let at: String
    let actor: String
    let companyId: String?
    let action: String
    let entity: String
    let entityId: String
    let diff: String
    let hash: String
}

/// `/api/v1`: JSON in, JSON out, bearer tokens, the same policy as the pages.
struct APIRoutes: Sendable {
    let culise: Culise

    func register(protect: (Area, Access) -> Protected) {
        protect(.profile, .read).get("/api/v1/me", use: me)
        protect(.home, .read).get("/api/v1/company", use: currentCompany)
        protect(.company, .write).put("/api/v1/company", use: updateCompany)
        protect(.company, .read).get("/api/v1/companies", use: companies)
        protect(.company, .read).get("/api/v1/companies/{id}", use: companyByID)
        protect(.company, .write).post("/api/v1/companies", use: createCompany)
        protect(.users, .read).get("/api/v1/users", use: users)
        protect(.users, .write).post("/api/v1/users", use: addUser)
        protect(.users, .write).put("/api/v1/users/{id}/role", use: setRole)
        protect(.audit, .read).get("/api/v1/audit", use: audit)
        protect(.profile, .read).get("/api/v1/tokens", use: tokens)
        protect(.profile, .read).get("/api/v1/invitations", use: invitations)
        protect(.profile, .write).post("/api/v1/invitations/{id}/accept", use: acceptInvitation)
        protect(.profile, .write).post("/api/v1/invitations/{id}/decline", use: declineInvitation)
        protect(.profile, .write).post("/api/v1/tokens", use: createToken)
        protect(.profile, .write).delete("/api/v1/tokens/{id}", use: revokeToken)
    }

    /// Reads the body (bounded) and runs `perform` once per `Idempotency-Key`: a repeat of the same
    /// request gets the stored response; the same key with another body is refused.
    func idempotentPOST(
        _ request: Request, _ context: WebContext, limit: Int = Limits.requestBodyBytes,
        _ perform: (ByteBuffer) async throws -> StoredResponse
    ) async throws -> Response {
        var request = request
        let principal = try context.requirePrincipal()
        let buffer = try await Body.collect(&request, limit: limit)
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else { return JSON.stored(try await perform(buffer)) }
        let digest = SHA256.hash(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8) + Data(buffer: buffer))
        let hash = digest.map { String(format: "%02x", $0) }.joined()
        switch try await culise.beginIdempotent(user: principal.userID, company: principal.companyID, key: key, requestHash: hash) {
        case .replay(let stored):
            var response = JSON.stored(stored)
            response.headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
            return response
        case .proceed:
            do {
                let stored = try await perform(buffer)
                try await culise.completeIdempotent(user: principal.userID, company: principal.companyID, key: key, response: stored)
                return JSON.stored(stored)
            } catch {
                try? await culise.abandonIdempotent(user: principal.userID, company: principal.companyID, key: key)
                throw error
            }
        }
    }

    static func encoded(_ value: some Encodable, status: HTTPResponse.Status) throws -> StoredResponse {
        StoredResponse(
            status: status.code, contentType: "application/json", body: String(decoding: try JSON.encoder.encode(value), as: UTF8.self))
    }

    static func body(_ request: Request) async throws -> ByteBuffer {
        var request = request
        return try await Body.collect(&request, limit: Limits.requestBodyBytes)
    }

    @Sendable func me(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(
            MeDTO(
                userId: p.userID.description, email: p.email, displayName: p.displayName, companyId: p.companyID.description,
                role: p.role.rawValue))
    }

    @Sendable func currentCompany(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try JSON.response(CompanyDTO(try await culise.company(p.companyID, actor: .user(p)), role: p.role))
    }

    @Sendable func companyByID(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let id = context.parameters.get("id").flatMap(CompanyID.init(string:)) else { throw WebError.notFound }
        let found = try await culise.memberCompany(id, actor: .user(p))
        return try JSON.response(CompanyDTO(found.company, role: found.role ?? p.role))
    }

    @Sendable func updateCompany(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let body = try JSON.decode(CompanyBody.self, from: try await Self.body(request))
        return try JSON.response(CompanyDTO(try await culise.updateCompany(p.companyID, body.input, actor: .user(p)), role: p.role))
    }

    @Sendable func companies(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let memberships = try await culise.memberships(of: p.userID)
        let page = Page(
            items: memberships.map { CompanyDTO($0.company, role: $0.role) }, total: memberships.count, offset: 0,
            limit: max(memberships.count, 1))
        return try JSON.response(ListDTO(page) { $0 })
    }

    @Sendable func createCompany(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(CompanyBody.self, from: buffer)
            let company = try await culise.createCompany(body.input, actor: .user(p))
            return try Self.encoded(CompanyDTO(company, role: .admin), status: .created)
        }
    }

    @Sendable func users(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let query = request.uri.queryParameters
        let pageRequest = try PageRequest(
            limit: query["limit"].flatMap { Int(String($0)) }, offset: query["offset"].flatMap { Int(String($0)) })
        let sort = query["sort"].map(String.init) ?? "email"
        let page = try await culise.members(
            of: p.companyID, actor: .user(p), page: pageRequest, sort: sort, descending: query["dir"] == "desc")
        return try JSON.response(
            ListDTO(page) {
                MemberDTO(
                    id: $0.userID.description, email: $0.email, displayName: $0.displayName, role: $0.role.rawValue, twoFactor: $0.twoFactor
                )
            })
    }

    @Sendable func addUser(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(UserBody.self, from: buffer)
            let role = try Role(parsing: body.role)
            let id: UserID
            do {
                id = try await culise.addUser(
                    email: body.email, displayName: body.displayName ?? "", password: body.password, company: p.companyID, role: role,
                    actor: .user(p))
            } catch let invited as Invited {
                // An existing person: invited, not attached; nothing about them is returned (issue 10).
                return try Self.encoded(InvitedDTO(email: invited.email, role: role.rawValue, state: "invited"), status: .accepted)
            }
            let account = try await culise.user(id: id)
            return try Self.encoded(
                MemberDTO(
                    id: id.description, email: account.email, displayName: account.displayName, role: role.rawValue,
                    twoFactor: account.twoFactor),
                status: .created)
        }
    }

    @Sendable func invitations(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let list = try await culise.invitations(user: p.userID)
        return try JSON.response(
            list.map { InvitationDTO(id: $0.id, company: $0.companyID.description, companyName: $0.companyName, role: $0.role.rawValue) })
    }

    @Sendable func acceptInvitation(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let company = try await culise.answerInvitation(user: p.userID, id: context.parameters.get("id") ?? "", accept: true)
        return try JSON.response(["company": company.description, "state": "accepted"])
    }

    @Sendable func declineInvitation(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        _ = try await culise.answerInvitation(user: p.userID, id: context.parameters.get("id") ?? "", accept: false)
        return Response(status: .noContent)
    }

    @Sendable func setRole(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let user = context.parameters.get("id").flatMap(UserID.init(string:)) else { throw WebError.notFound }
        let body = try JSON.decode(RoleBody.self, from: try await Self.body(request))
        try await culise.setRole(user: user, company: p.companyID, role: try Role(parsing: body.role), actor: .user(p))
        return Response(status: .noContent)
    }

    @Sendable func audit(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let query = request.uri.queryParameters
        func text(_ key: String) -> String? { query[Substring(key)].map(String.init) }
        var problems = ProblemCollector()
        let from = text("from").flatMap { value in problems.collect { () throws(DomainError) in try LocalDate(iso: value, field: "from") } }
        let to = text("to").flatMap { value in problems.collect { () throws(DomainError) in try LocalDate(iso: value, field: "to") } }
        let pageRequest = problems.collect { () throws(ValidationErrors) in
            try PageRequest(limit: text("limit").flatMap { Int($0) }, offset: text("offset").flatMap { Int($0) })
        }
        try problems.throwIfAny()
        let page = try await culise.auditEntries(
            filter: AuditFilter(action: text("action"), entity: text("entity"), actor: text("actor"), from: from, to: to),
            page: pageRequest!, actor: .user(p))
        return try JSON.response(
            ListDTO(page) {
                AuditDTO(
                    seq: $0.seq, at: $0.at, actor: $0.actor, companyId: $0.companyID, action: $0.action, entity: $0.entity,
                    entityId: $0.entityID, diff: $0.diff, hash: $0.hash)
            })
    }

    @Sendable func tokens(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let tokens = try await culise.tokens(of: p.userID)
        return try JSON.response(ListDTO(Page(items: tokens, total: tokens.count, offset: 0, limit: max(tokens.count, 1))) { $0 })
    }

    @Sendable func createToken(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(TokenBody.self, from: buffer)
            let (id, token) = try await culise.createToken(user: p.userID, company: p.companyID, name: body.name, actor: .user(p))
            return try Self.encoded(CreatedToken(id: id.description, name: body.name, token: token), status: .created)
        }
    }

    @Sendable func revokeToken(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let id = context.parameters.get("id").flatMap(APITokenID.init(string:)) else { throw WebError.notFound }
        try await culise.revokeToken(id, actor: .user(p))
        return Response(status: .noContent)
    }
}
