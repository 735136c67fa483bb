/// What kind of rule a `DomainError` reports. The web layer alone maps a kind
/// to an HTTP status; the domain never speaks HTTP.
public enum ErrorKind: String, Sendable, Codable {
    /// Input breaks a validation rule (a field, a format, a limit).
    case invalid
    /// The thing asked for does not exist, or is not visible to the actor.
    case notFound
    /// The request conflicts with current state (duplicate, illegal transition).
    case conflict
    /// The actor is not allowed to do this.
    case forbidden
    /// The actor is not known (bad credentials, expired session).
    case unauthenticated
    /// Too many attempts in a time window.
    case rateLimited
    /// The input is larger than a stated limit.
    case tooLarge
}

/// One problem, with a stable id such as `company.cui_check_digit` and a message
/// of the form "You cannot X because Y" or "To X, you must Y".
public struct DomainError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public let id: String
    public let kind: ErrorKind
    public let message: String
    /// The input field the problem is about (`cui`, `address.county`, `lines[3].amount`).
    public let field: String?

    public init(_ id: String, kind: ErrorKind = .invalid, field: String? = nil, _ message: String) {
        self.id = id
        self.kind = kind
        self.field = field
        self.message = message
    }

    public var description: String {
        if let field { return "\(id) [\(field)]: \(message)" }
        return "\(id): \(message)"
    }
}

/// Every problem found in one document or request, reported at once.
public struct ValidationErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [DomainError]

    public init(_ problems: [DomainError]) {
        precondition(!problems.isEmpty, "ValidationErrors needs at least one problem")
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Collects problems while a document is validated, then throws them together.
public struct ProblemCollector: Sendable {
    public private(set) var problems: [DomainError] = []

    public init() {}

    public mutating func add(_ problem: DomainError) { problems.append(problem) }

    public mutating func check(_ condition: Bool, _ problem: @autoclosure () -> DomainError) {
        if !condition { problems.append(problem()) }
    }

    /// Runs `body`, recording a thrown `DomainError` or `ValidationErrors` instead of propagating it.
    public mutating func collect<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let error as DomainError {
            problems.append(error)
        } catch let error as ValidationErrors {
            problems.append(contentsOf: error.problems)
        } catch {
            problems.append(DomainError("internal.unexpected", "You cannot continue because of an unexpected error: \(error)"))
        }
        return nil
    }

    public var isEmpty: Bool { problems.isEmpty }

    public func throwIfAny() throws(ValidationErrors) {
        if !problems.isEmpty { throw ValidationErrors(problems) }
    }
}
