import Foundation
import HTTPTypes
import Hummingbird
import Kernel

/// Holds every `/api/` request to the published document (issue 10): a path the document knows with a method it does
/// not list answers 405 with `Allow`; path and query parameters must meet their declared type, range, length, pattern,
/// format and enumeration, or the request is refused with 422 naming the parameter, before any handler runs. The
/// document is the one `/api/openapi.json` serves, so what it promises and what the server enforces cannot drift.
struct OpenAPIGate: Sendable {
    struct Rule: Sendable, Hashable {
        var name: String
        var location: String
        var type: String
        var maxLength: Int?
        var pattern: String?
        var minimum: Int64?
        var maximum: Int64?
        var choices: [String]?
        var uuid: Bool
    }

    struct Route: Sendable {
        var segments: [String]
        var methods: [String: [Rule]]
    }

    let routes: [Route]

    init(document: Data?) {
        guard let document, let root = try? JSONSerialization.jsonObject(with: document) as? [String: Any],
            let paths = root["paths"] as? [String: Any]
        else {
            routes = []
            return
        }
        let components = (root["components"] as? [String: Any])?["parameters"] as? [String: Any] ?? [:]
        func resolve(_ parameter: [String: Any]) -> [String: Any] {
            guard let reference = parameter["$ref"] as? String else { return parameter }
            return components[String(reference.split(separator: "/").last ?? "")] as? [String: Any] ?? [:]
        }
        func rules(_ list: Any?) -> [Rule] {
            (list as? [[String: Any]] ?? []).compactMap { raw in
                let parameter = resolve(raw)
                guard let name = parameter["name"] as? String, let location = parameter["in"] as? String,
                    location == "query" || location == "path", let schema = parameter["schema"] as? [String: Any]
                else { return nil }
                return Rule(
                    name: name, location: location, type: schema["type"] as? String ?? "string",
                    maxLength: schema["maxLength"] as? Int, pattern: schema["pattern"] as? String,
                    minimum: (schema["minimum"] as? NSNumber)?.int64Value, maximum: (schema["maximum"] as? NSNumber)?.int64Value,
                    choices: schema["enum"] as? [String], uuid: schema["format"] as? String == "uuid")
            }
        }
        routes = paths.compactMap { path, value in
            guard let item = value as? [String: Any] else { return nil }
            let shared = rules(item["parameters"])
            var methods: [String: [Rule]] = [:]
            for (method, operation) in item where method != "parameters" {
                let own = rules((operation as? [String: Any])?["parameters"])
                methods[method.uppercased()] = own + shared.filter { rule in !own.contains { $0.name == rule.name } }
            }
            return Route(segments: path.split(separator: "/").map(String.init), methods: methods)
        }
    }

    /// The route whose template matches `path` (a literal segment beats a `{parameter}`), with the parameter values.
    func route(for path: String) -> (Route, [String: String])? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        var best: (Route, [String: String], Int)?
        for route in routes where route.segments.count == parts.count {
            var values: [String: String] = [:]
            var literals = 0
            var matches = true
            for (template, part) in zip(route.segments, parts) {
                if template.hasPrefix("{") && template.hasSuffix("}") {
                    guard !part.isEmpty else {
                        matches = false
                        break
                    }
                    values[String(template.dropFirst().dropLast())] = part.removingPercentEncoding ?? part
                } else if template == part {
                    literals += 1
                } else {
                    matches = false
                    break
                }
            }
            if matches, literals > best?.2 ?? -1 { best = (route, values, literals) }
        }
        return best.map { ($0.0, $0.1) }
    }

    /// Every problem with the parameters of one request, at once.
    static func problems(_ rules: [Rule], path: [String: String], query: [(String, String)]) -> [DomainError] {
        var problems: [DomainError] = []
        for rule in rules {
            let values = rule.location == "path" ? path[rule.name].map { [$0] } ?? [] : query.filter { $0.0 == rule.name }.map(\.1)
            for value in values {
                if let reason = reason(value, rule) {
                    problems.append(
                        DomainError(
                            "request.parameter", field: rule.name,
                            "You cannot use '\(value.prefix(40))' as \(rule.name) because it \(reason)."))
                    break
                }
            }
        }
        return problems
    }

    /// Why `value` breaks `rule`, or nil when it meets it.
    static func reason(_ value: String, _ rule: Rule) -> String? {
        switch rule.type {
        case "integer":
            guard value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 || $0 == 0x2D }), let number = Int64(value) else {
                return "must be a whole number"
            }
            if let minimum = rule.minimum, number < minimum { return "must be at least \(minimum)" }
            if let maximum = rule.maximum, number > maximum { return "must be at most \(maximum)" }
        case "boolean":
            guard value == "true" || value == "false" else { return "must be true or false" }
        default:
            if let choices = rule.choices, !choices.contains(value) {
                return "must be one of \(choices.joined(separator: ", "))"
            }
            if let maxLength = rule.maxLength, value.unicodeScalars.count > maxLength { return "is longer than \(maxLength) characters" }
            if value.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
                return "contains a control character"
            }
            if let pattern = rule.pattern, value.range(of: pattern, options: .regularExpression) == nil {
                return "does not have the required form (\(pattern))"
            }
            if rule.uuid, UUID(uuidString: value) == nil { return "must be an id such as 01a248af-0c30-7e04-858b-54611537ef54" }
        }
        return nil
    }
}

/// Router-wide: a known `/api/` path with a method the document does not list answers 405 with `Allow` (RFC 9110
/// §15.5.6). The document is public, so this tells an anonymous caller nothing it could not read there.
struct MethodGateMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let gate: OpenAPIGate

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/v1/"), let (route, _) = gate.route(for: request.uri.path) else {
            return try await next(request, context)
        }
        let method = request.method == .head ? "GET" : request.method.rawValue
        guard route.methods[method] == nil else { return try await next(request, context) }
        let allowed = route.methods.keys.sorted()
        var response = ErrorMapping.problemResponse(
            WebError(
                .methodNotAllowed, "request.method_not_allowed",
                "You cannot use \(request.method.rawValue) here; this address answers \(allowed.joined(separator: ", "))."),
            request: request, requestID: context.requestID)
        response.headers[.allow] = (allowed + (allowed.contains("GET") ? ["HEAD"] : [])).joined(separator: ", ")
        return response
    }
}

/// Per protected route, after authentication and the role check (so an anonymous or unauthorised caller learns
/// nothing from a 422): path and query parameters must meet the document, or the request is refused naming them.
struct ParameterGateMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let gate: OpenAPIGate

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/v1/"), let (route, values) = gate.route(for: request.uri.path),
            let rules = route.methods[request.method == .head ? "GET" : request.method.rawValue]
        else {
            return try await next(request, context)
        }
        let query = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let problems = OpenAPIGate.problems(rules, path: values, query: query)
        if !problems.isEmpty { throw ValidationErrors(problems) }
        return try await next(request, context)
    }
}
