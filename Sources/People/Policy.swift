import Kernel

/// An internal policy (internal regulation, GDPR notice, SSM instructions, IT use policy): versioned, addressed to
/// everyone or to some departments and positions; each employee acknowledges its current version once.
public struct PolicyInput: Sendable, Codable, Equatable {
    public var code: String
    public var title: String
    /// What changed in this version, shown to whoever acknowledges it.
    public var summary: String?
    public var audience: PolicyAudience

    public init(code: String, title: String, summary: String? = nil, audience: PolicyAudience = PolicyAudience()) {
        self.code = code
        self.title = title
        self.summary = summary
        self.audience = audience
    }

    /// Every problem at once; the code upper-cased, the texts trimmed.
    public func validated() throws(ValidationErrors) -> PolicyInput {
        var problems = ProblemCollector()
        let code = code.trimmingCharacters(in: .whitespaces).uppercased()
        problems.check(
            Policies.isCode(code),
            DomainError(
                "policy.code", field: "code",
                "You cannot name a policy '\(code.prefix(40))'; use 1 to 20 letters, digits or hyphens (e.g. RI, GDPR, SSM)."))
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        problems.check(
            !title.isEmpty && title.count <= 200,
            DomainError("policy.title", field: "title", "You cannot publish a policy without a title of 1 to 200 characters."))
        let summary = summary?.trimmingCharacters(in: .whitespacesAndNewlines)
        problems.check(
            (summary ?? "").count <= 2000,
            DomainError("policy.summary", field: "summary", "You cannot write a summary longer than 2000 characters."))
        let audience = audience.normalised
        problems.check(
            audience.departments.count <= Limits.policyAudience && audience.positions.count <= Limits.policyAudience,
            DomainError(
                "policy.audience", kind: .tooLarge, field: "departments",
                "You cannot address a policy to more than \(Limits.policyAudience) departments or positions; address it to everyone instead."
            ))
        try problems.throwIfAny()
        return PolicyInput(code: code, title: title, summary: summary?.isEmpty == true ? nil : summary, audience: audience)
    }
}

/// Who must acknowledge a policy: everyone when both lists are empty; otherwise the employees of these departments
/// (and of the departments under them) and the holders of these positions.
public struct PolicyAudience: Hashable, Sendable, Codable {
    public var departments: [String]
    public var positions: [String]

    public init(departments: [String] = [], positions: [String] = []) {
        self.departments = departments
        self.positions = positions
    }

    public var isEveryone: Bool { departments.isEmpty && positions.isEmpty }

    var normalised: PolicyAudience {
        func clean(_ codes: [String]) -> [String] {
            Array(Set(codes.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty })).sorted()
        }
        return PolicyAudience(departments: clean(departments), positions: clean(positions))
    }
}

public enum Policies {
    public static func isCode(_ code: String) -> Bool {
        !code.isEmpty && code.count <= 20 && code.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
    }

    /// Whether an employee of `department` holding `position` is addressed; `parents` maps each department to the
    /// one above it (a cycle or a depth beyond `Limits.departmentDepth` stops the walk).
    public static func addresses(
        _ audience: PolicyAudience, department: String?, position: String?, parents: [String: String]
    ) -> Bool {
        if audience.isEveryone { return true }
        if let position, audience.positions.contains(position) { return true }
        var current = department
        var steps = 0
        while let code = current, steps <= Limits.departmentDepth {
            if audience.departments.contains(code) { return true }
            current = parents[code]
            steps += 1
        }
        return false
    }
}
