import Foundation
import Kernel

/// How long an employment contract (CIM) lasts: indefinite, or fixed with its last day (Labour Code art. 82–87).
public enum ContractDuration: Hashable, Sendable, Codable, CustomStringConvertible {
    case indefinite
    case fixed(end: LocalDate)

    /// `indefinite` or `fixed:YYYY-MM-DD`, as the import file and the API write it.
    public init(parsing text: String, field: String = "contract_type") throws(DomainError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "indefinite" {
            self = .indefinite
            return
        }
        guard trimmed.hasPrefix("fixed:"), let end = try? LocalDate(iso: String(trimmed.dropFirst(6))) else {
            throw DomainError(
                "contract.type", field: field,
                "You cannot use '\(text)' as a contract type; write indefinite, or fixed:YYYY-MM-DD with the contract's last day.")
        }
        self = .fixed(end: end)
    }

    public var description: String {
        switch self {
        case .indefinite: "indefinite"
        case .fixed(let end): "fixed:\(end.iso)"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The terms of an employment contract on one day: what the contract says after every event up to that day.
public struct ContractTerms: Hashable, Sendable, Codable {
    public var number: String
    /// The date the contract was signed (data contractului).
    public var signed: LocalDate
    /// The first day of work.
    public var start: LocalDate
    public var duration: ContractDuration
    /// Hours a day: 8 for a full-time norm, 1–7 for part time (Labour Code art. 103–104).
    public var normHours: Int
    /// Base gross monthly salary in lei.
    public var baseSalary: Money
    public var position: String
    public var corCode: String
    public var workplace: String?
    public var schedule: String?
    /// Paid annual leave in working days; at least 20 (Labour Code art. 145).
    public var leaveDays: Int
    /// Probation in calendar days (at most 90 for employees, art. 31).
    public var probationDays: Int

    public init(
        number: String, signed: LocalDate, start: LocalDate, duration: ContractDuration, normHours: Int, baseSalary: Money,
        position: String, corCode: String, workplace: String? = nil, schedule: String? = nil, leaveDays: Int = 21,
        probationDays: Int = 0
    ) {
        self.number = number
        self.signed = signed
        self.start = start
        self.duration = duration
        self.normHours = normHours
        self.baseSalary = baseSalary
        self.position = position
        self.corCode = corCode
        self.workplace = workplace
        self.schedule = schedule
        self.leaveDays = leaveDays
        self.probationDays = probationDays
    }

    /// Every rule a contract's terms must meet, all problems at once.
    public func problems() -> [DomainError] {
        var problems = ProblemCollector()
        problems.check(
            !number.trimmingCharacters(in: .whitespaces).isEmpty && number.count <= 30,
            DomainError(
                "contract.number", field: "contract_number", "To record a contract, you must give its number (at most 30 characters)."))
        problems.check(
            signed <= start,
            DomainError(
                "contract.signed_after_start", field: "contract_date",
                "You cannot date the contract \(signed.iso) because it must be signed before work starts on \(start.iso)."))
        if case .fixed(let end) = duration {
            problems.check(
                end >= start,
                DomainError(
                    "contract.end_before_start", field: "contract_type",
                    "You cannot end the contract on \(end.iso) because it starts on \(start.iso)."))
        }
        problems.check(
            (1...8).contains(normHours),
            DomainError(
                "contract.norm_hours", field: "norm_hours",
                "You cannot use \(normHours) hours a day; a norm is 8 hours full time or 1 to 7 hours part time."))
        problems.check(
            baseSalary.currency.isRON && baseSalary.minorUnits > 0 && baseSalary.minorUnits <= Limits.amountMinorUnits,
            DomainError("contract.salary", field: "base_salary", "You cannot record a base salary that is not a positive amount in lei."))
        problems.check(
            (20...60).contains(leaveDays),
            DomainError(
                "contract.leave_days", field: "leave_days",
                "You cannot grant \(leaveDays) days of annual leave; the law requires at least 20 working days (Labour Code art. 145), and Culise takes at most 60."
            ))
        problems.check(
            (0...90).contains(probationDays),
            DomainError(
                "contract.probation", field: "probation_days",
                "You cannot set a probation of \(probationDays) days; it is 0 to 90 calendar days (Labour Code art. 31)."))
        return problems.problems
    }
}

/// What changes in an amendment (act adițional); nil fields stay as they were.
public struct ContractChange: Hashable, Sendable, Codable {
    public var baseSalary: Money?
    public var normHours: Int?
    public var position: String?
    public var corCode: String?
    public var workplace: String?
    public var duration: ContractDuration?
    public var leaveDays: Int?

    public init(
        baseSalary: Money? = nil, normHours: Int? = nil, position: String? = nil, corCode: String? = nil, workplace: String? = nil,
        duration: ContractDuration? = nil, leaveDays: Int? = nil
    ) {
        self.baseSalary = baseSalary
        self.normHours = normHours
        self.position = position
        self.corCode = corCode
        self.workplace = workplace
        self.duration = duration
        self.leaveDays = leaveDays
    }

    public var isEmpty: Bool {
        baseSalary == nil && normHours == nil && position == nil && corCode == nil && workplace == nil && duration == nil
            && leaveDays == nil
    }

    func applied(to terms: ContractTerms) -> ContractTerms {
        var terms = terms
        if let baseSalary { terms.baseSalary = baseSalary }
        if let normHours { terms.normHours = normHours }
        if let position { terms.position = position }
        if let corCode { terms.corCode = corCode }
        if let workplace { terms.workplace = workplace }
        if let duration { terms.duration = duration }
        if let leaveDays { terms.leaveDays = leaveDays }
        return terms
    }
}

/// A contract's state on a day. Before its first day a contract is `signed`; after its end, `ended`.
public enum ContractState: String, Sendable, Codable, CaseIterable {
    case signed, active, suspended, ended
}

/// One dated event of a contract. Events are never edited: a change is a new event.
public struct ContractEvent: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case hire, amendment, suspension, resumption, termination
    }

    public var kind: Kind
    /// The day the event takes effect; for a termination, the contract's last day.
    public var effective: LocalDate
    /// The terms of a hire; the changes of an amendment.
    public var terms: ContractTerms?
    public var change: ContractChange?
    /// A suspension's legal ground (Labour Code art. 50–54), a termination's article (art. 55–81, e.g. `55 lit. b`).
    public var reason: String?

    public init(
        kind: Kind, effective: LocalDate, terms: ContractTerms? = nil, change: ContractChange? = nil, reason: String? = nil
    ) {
        self.kind = kind
        self.effective = effective
        self.terms = terms
        self.change = change
        self.reason = reason
    }

    /// The REGES-ONLINE deadline: the event must be in the register at the latest the working day before it takes
    /// effect (HG 295/2025, as the issue and the shared reference §7 state it for the start of work; applied to every
    /// event here, a parameter of this function until the rules for amendments are verified: docs/people.md).
    public var regesDeadline: LocalDate { WorkingDays.previous(before: effective) }
}

/// An employment contract as its events: the state machine and the terms on any day.
public struct Contract: Hashable, Sendable {
    public private(set) var events: [ContractEvent]

    /// The articles of the Labour Code under which a contract ends: 55 (by law, agreement or one party's will), 56 (by
    /// law), 61 and 65 (dismissal), 81 (resignation).
    public static let terminationArticles: Set<Int> = [55, 56, 61, 65, 81]

    public init(hire terms: ContractTerms) throws(ValidationErrors) {
        let problems = terms.problems()
        guard problems.isEmpty else { throw ValidationErrors(problems) }
        events = [ContractEvent(kind: .hire, effective: terms.start, terms: terms)]
    }

    /// Rebuilds a contract from stored events, checking each transition as it was made.
    public init(events stored: [ContractEvent]) throws(DomainError) {
        guard let first = stored.first, first.kind == .hire, let terms = first.terms else {
            throw DomainError("contract.no_hire", kind: .conflict, "You cannot read this contract because its first event is not the hire.")
        }
        events = [ContractEvent(kind: .hire, effective: terms.start, terms: terms)]
        for event in stored.dropFirst() { try append(event) }
    }

    public var hire: ContractTerms {
        // trap-safe: both initialisers put the hire with its terms first and `append` only adds after it
        events[0].terms!
    }

    /// The state after the last event.
    public var lastState: ContractState {
        events.reduce(ContractState.signed) { Self.next($0, $1.kind) ?? $0 }
    }

    /// The transition table: the state an event leads to, or nil when the event is not allowed in that state.
    public static func next(_ state: ContractState, _ kind: ContractEvent.Kind) -> ContractState? {
        switch (state, kind) {
        case (.signed, .hire): .active
        case (.active, .amendment): .active
        case (.suspended, .amendment): .suspended
        case (.active, .suspension): .suspended
        case (.suspended, .resumption): .active
        case (.active, .termination), (.suspended, .termination): .ended
        default: nil
        }
    }

    /// Adds an event after checking it: allowed in the contract's state, dated on or after the last event (REGES-ONLINE
    /// takes events in chronological order), and complete.
    public mutating func append(_ event: ContractEvent) throws(DomainError) {
        guard events.count < Limits.contractEvents else {
            throw DomainError(
                "contract.too_many_events", kind: .tooLarge, "You cannot record more than \(Limits.contractEvents) events on one contract.")
        }
        let state = lastState
        guard event.kind != .hire, Self.next(state, event.kind) != nil else {
            throw DomainError(
                "contract.illegal_transition", kind: .conflict, field: "kind",
                "You cannot record a \(event.kind.rawValue) on a contract that is \(state.rawValue).")
        }
        let last = events[events.count - 1].effective
        guard event.effective >= last else {
            throw DomainError(
                "contract.event_order", kind: .conflict, field: "date",
                "You cannot record a \(event.kind.rawValue) on \(event.effective.iso) because the contract already has an event on \(last.iso); events go in date order."
            )
        }
        switch event.kind {
        case .amendment:
            guard let change = event.change, !change.isEmpty else {
                throw DomainError("contract.empty_amendment", field: "change", "To amend a contract, you must change at least one term.")
            }
            let problems = change.applied(to: terms(on: last)?.terms ?? hire).problems()
            if let first = problems.first { throw first }
        case .suspension:
            guard let reason = event.reason?.trimmingCharacters(in: .whitespaces), !reason.isEmpty, reason.count <= 200 else {
                throw DomainError(
                    "contract.suspension_reason", field: "reason",
                    "To suspend a contract, you must give its legal ground (Labour Code art. 50–54), in at most 200 characters.")
            }
        case .termination:
            let number = event.reason.flatMap { Int($0.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber }) }
            guard let number, Self.terminationArticles.contains(number), (event.reason ?? "").count <= 60 else {
                throw DomainError(
                    "contract.article", field: "article",
                    "To end a contract, you must give the Labour Code article it ends under: 55, 56, 61, 65 or 81, like \"55 lit. b\".")
            }
        case .hire, .resumption: break
        }
        events.append(event)
    }

    /// The terms and state in force on `date` (events that took effect on or before it); nil before the first day.
    /// A fixed-term contract is `ended` after its last day even without a termination event.
    public func terms(on date: LocalDate) -> (terms: ContractTerms, state: ContractState)? {
        guard date >= hire.start else { return nil }
        var terms = hire
        var state = ContractState.active
        // A termination's date is the contract's last day: it is ended from the day after.
        for event in events.dropFirst() where event.effective < date || (event.effective == date && event.kind != .termination) {
            if let change = event.change, event.kind == .amendment { terms = change.applied(to: terms) }
            state = Self.next(state, event.kind) ?? state
        }
        if case .fixed(let end) = terms.duration, date > end { state = .ended }
        return (terms, state)
    }
}

public enum ContractTag {}
public typealias ContractID = ID<ContractTag>
