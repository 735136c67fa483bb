import Foundation
import Kernel

/// A user's role in one company. A user may hold a different role in each company.
public enum Role: String, CaseIterable, Sendable, Codable, Comparable {
    case admin, accountant, hr, payroll, it, manager, employee, auditor

    public init(parsing text: String, field: String = "role") throws(DomainError) {
        guard let role = Role(rawValue: text.lowercased().trimmingCharacters(in: .whitespaces)) else {
            throw DomainError(
                "user.role", field: field,
                "You cannot use role '\(text)' because the roles are: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        self = role
    }

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A functional area of the product. Routes, menus and use cases each belong to one area.
public enum Area: String, CaseIterable, Sendable, Codable {
    /// Home page and the company's own facts.
    case home
    /// Company settings: create, edit, switch.
    case company
    /// Users, roles and API tokens of other users.
    case users
    /// The audit-log viewer.
    case audit
    /// Ledger, chart of accounts, reports.
    case accounting
    /// Customer invoices, supplier bills, payments, e-Factura.
    case invoicing
    /// Bank and cash.
    case banking
    /// Employees, contracts, leave, recruitment.
    case hr
    /// Payroll runs and payslips.
    case payroll
    /// Assets, licences, helpdesk.
    case it
    /// The user's own profile: password, 2FA, own tokens. Every role may use it.
    case profile
}

/// The level of access a role has to an area.
public enum Access: Int, Comparable, Sendable, Codable, CustomStringConvertible {
    case none = 0
    case read = 1
    case write = 2

    public static func < (lhs: Access, rhs: Access) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .none: return "-"
        case .read: return "R"
        case .write: return "RW"
        }
    }
}

/// The permission matrix (role × area → access), the one policy every route and use case consults.
/// docs/security.md shows the same table; a test checks that the two agree.
public enum Policy {
    public static let matrix: [Role: [Area: Access]] = [
        .admin: full(.write),
        .accountant: grant(
            [
                .home: .read, .company: .read, .accounting: .write, .invoicing: .write, .banking: .write, .payroll: .read,
                .profile: .write,
            ]),
        .hr: grant([.home: .read, .company: .read, .hr: .write, .payroll: .read, .profile: .write]),
        .payroll: grant(
            [.home: .read, .company: .read, .hr: .read, .payroll: .write, .accounting: .read, .profile: .write]),
        .it: grant([.home: .read, .company: .read, .it: .write, .profile: .write]),
        .manager: grant(
            [
                .home: .read, .company: .read, .accounting: .read, .invoicing: .read, .banking: .read, .it: .read,
                .audit: .read, .profile: .write,
            ]),
        .employee: grant([.home: .read, .profile: .write]),
        .auditor: full(.read).merging([.profile: .write]) { $1 },
    ]

    private static func full(_ access: Access) -> [Area: Access] {
        Dictionary(uniqueKeysWithValues: Area.allCases.map { ($0, access) })
    }

    private static func grant(_ granted: [Area: Access]) -> [Area: Access] {
        full(.none).merging(granted) { $1 }
    }

    public static func access(_ role: Role, _ area: Area) -> Access {
        matrix[role]?[area] ?? .none
    }

    public static func allows(_ role: Role, _ area: Area, _ needed: Access) -> Bool {
        access(role, area) >= needed
    }

    /// Throws a `forbidden` error naming the area when the role lacks the access.
    public static func require(_ role: Role, _ area: Area, _ needed: Access) throws(DomainError) {
        guard allows(role, area, needed) else {
            let verb = needed == .write ? "change" : "see"
            throw DomainError(
                "auth.forbidden", kind: .forbidden,
                "You cannot \(verb) \(area.rawValue) because your role '\(role.rawValue)' does not allow it.")
        }
    }
}
