import Foundation
import Kernel

/// Kinds of leave, each with the code a timesheet (pontaj) shows for it. The codes are the ones Romanian timesheets
/// commonly use; the law does not fix them, so a company may read them as labels.
public enum LeaveType: String, Sendable, Codable, CaseIterable {
    /// Paid annual leave (concediu de odihnă), counted against the entitlement.
    case annual
    /// Medical leave (concediu medical), with its certificate.
    case medical
    /// Unpaid leave (concediu fără salariu).
    case unpaid
    /// Paid days for family events (marriage, birth, death: Labour Code art. 152).
    case family
    /// Maternity leave and leave to raise a child.
    case maternity
    case childCare = "child_care"
    /// Study leave (Labour Code art. 155–157).
    case study

    /// The timesheet code.
    public var code: String {
        switch self {
        case .annual: "CO"
        case .medical: "CM"
        case .unpaid: "CFS"
        case .family: "EV"
        case .maternity: "M"
        case .childCare: "CIC"
        case .study: "CS"
        }
    }
}

/// A leave request's lifecycle: requested → approved or rejected; a requested or approved leave can be cancelled.
public enum LeaveState: String, Sendable, Codable, CaseIterable {
    case requested, approved, rejected, cancelled

    public enum Action: String, Sendable, Codable, CaseIterable { case approve, reject, cancel }

    /// The transition table; nil when the action is not allowed.
    public func applying(_ action: Action) -> LeaveState? {
        switch (self, action) {
        case (.requested, .approve): .approved
        case (.requested, .reject): .rejected
        case (.requested, .cancel), (.approved, .cancel): .cancelled
        default: nil
        }
    }
}

/// Who may decide a leave request. The employee's manager (anyone up the chain) or HR decides; the employee never
/// decides their own request, even when they hold a role that decides others' (approval needs a second person).
public enum LeaveApproval {
    /// `decider`: the employee linked to the deciding account, if any.
    public static func check(_ action: LeaveState.Action, employee: String, decider: String?) throws(DomainError) {
        guard action != .cancel, let decider, decider == employee else { return }
        throw DomainError(
            "leave.own_request", kind: .forbidden, field: "action",
            "You cannot \(action.rawValue) your own leave request because approval needs a second person: your manager or HR decides it.")
    }
}

/// A medical certificate (certificat de concediu medical): series, number and indemnity code (01–15, OUG 158/2005).
public struct MedicalCertificate: Hashable, Sendable, Codable {
    public var series: String
    public var number: String
    public var indemnityCode: String

    public init(series: String, number: String, indemnityCode: String) {
        self.series = series
        self.number = number
        self.indemnityCode = indemnityCode
    }
}

public enum LeaveRules {
    /// The working days a leave from `start` through `end` takes: weekends and public holidays do not count.
    public static func days(from start: LocalDate, through end: LocalDate) -> Int { WorkingDays.count(from: start, through: end) }

    /// The annual entitlement for the part of `year` the contract covers, rounded half up to whole days: `days ×
    /// calendar days employed in the year / days in the year` (Labour Code art. 145: leave in proportion to the
    /// activity in the year). A joiner on 1 April 2026 with 21 days: 21 × 275 / 365 = 15.82 → 16 days.
    public static func proratedEntitlement(days: Int, year: Int, employedFrom start: LocalDate, through end: LocalDate?) -> Int {
        guard let first = try? LocalDate(year: year, month: 1, day: 1), let last = try? LocalDate(year: year, month: 12, day: 31) else {
            return 0
        }
        let from = max(start, first)
        let to = min(end ?? last, last)
        guard from <= to else { return 0 }
        let employed = from.days(until: to) + 1
        let total = first.days(until: last) + 1
        return roundHalfUp(numerator: days * employed, denominator: total)
    }

    /// `numerator / denominator` rounded half up, for non-negative whole numbers (the entitlement's rounding rule).
    public static func roundHalfUp(numerator: Int, denominator: Int) -> Int {
        guard denominator > 0 else { return 0 }
        return (2 * numerator + denominator) / (2 * denominator)
    }

    /// Checks a request as a whole: dates in order and within a year's span, a working day in it, a medical
    /// certificate for medical leave; every problem at once.
    public static func check(type: LeaveType, from: LocalDate, to: LocalDate, certificate: MedicalCertificate?) -> [DomainError] {
        var problems = ProblemCollector()
        problems.check(
            from <= to && from.days(until: to) < 366,
            DomainError(
                "leave.dates", field: "to", "You cannot request leave ending before it starts, or longer than a year; split it by year."))
        problems.check(
            from > to || days(from: from, through: to) > 0 || type != .annual,
            DomainError("leave.no_working_day", field: "from", "You cannot request annual leave that holds no working day."))
        if type == .medical {
            let valid =
                certificate.map { certificate in
                    !certificate.series.trimmingCharacters(in: .whitespaces).isEmpty && certificate.series.count <= 10
                        && !certificate.number.trimmingCharacters(in: .whitespaces).isEmpty && certificate.number.count <= 20
                        && (Int(certificate.indemnityCode).map { (1...15).contains($0) } ?? false) && certificate.indemnityCode.count == 2
                } ?? false
            problems.check(
                valid,
                DomainError(
                    "leave.certificate", field: "certificate",
                    "To record medical leave, you must give the certificate's series, number and two-digit indemnity code (01–15)."))
        }
        return problems.problems
    }
}

public enum LeaveTag {}
public typealias LeaveID = ID<LeaveTag>
