import Foundation
import Kernel

/// The declarations Culise writes for ANAF. Each is filed for a period (a month here; quarterly D300/D406 file for
/// the quarter's last month) and falls due on a day of the next month.
public enum FilingForm: String, Sendable, Codable, CaseIterable {
    case d112, d300, d394, d390, d406

    /// The form's name as the accountant says it.
    public var title: String {
        switch self {
        case .d112: return "D112 Declarația unică"
        case .d300: return "D300 Decont de TVA"
        case .d394: return "D394 Declarație informativă"
        case .d390: return "D390 VIES"
        case .d406: return "D406 SAF-T"
        }
    }

    /// The day of the next month the form falls due before any shift: the 25th for D112, D300 and D390, the
    /// month's last day for D394 and D406 (shared reference §4, §5; issue 16 item 5).
    public func nominalDue(_ period: YearMonth) -> LocalDate {
        let next = period.lastDay.adding(days: 1)
        switch self {
        case .d112, .d300, .d390: return next.adding(days: 24)
        case .d394, .d406: return YearMonth(next).lastDay
        }
    }

    /// The due date: the nominal day, moved to the next working day when it is a Saturday, Sunday or public holiday.
    /// The shift follows ANAF's published calendars (the 2024 calendar moved D394 to 3 January, shared reference §5);
    /// the article that states it was not verified.
    public func due(_ period: YearMonth) -> LocalDate {
        var day = nominalDue(period)
        while !WorkingDays.isWorkingDay(day) { day = day.adding(days: 1) }
        return day
    }
}

/// The lifecycle every declaration shares (issue 16 item 1, issue 15 item 7): generated → validated (or invalid, every
/// problem listed) → filed (ANAF's registration number and date typed in) → accepted or rejected (with ANAF's message).
/// A filing is never edited: one that was filed and then rejected, or accepted and later found wrong, is followed by a
/// rectifying filing (the forms' "declarație rectificativă" flag) and becomes `rectified`; one not yet filed may be
/// discarded when the period is generated again.
public enum FilingState: String, Sendable, Codable, CaseIterable {
    case generated, invalid, validated, filed, accepted, rejected, rectified, discarded

    public enum Event: Sendable, Equatable {
        /// The checks ran; `problems` is how many they found.
        case validate(problems: Int)
        case file, accept, reject, rectify, discard

        public var name: String {
            switch self {
            case .validate: return "validate"
            case .file: return "file"
            case .accept: return "record as accepted"
            case .reject: return "record as rejected"
            case .rectify: return "rectify"
            case .discard: return "discard"
            }
        }

        /// One of each kind, for exhaustive transition tests.
        public static let all: [Event] = [.validate(problems: 0), .validate(problems: 1), .file, .accept, .reject, .rectify, .discard]
    }

    /// Filed with ANAF: it counts, and only a rectifying filing may follow it.
    public var isFiled: Bool { [.filed, .accepted, .rejected, .rectified].contains(self) }

    /// The transition table; every other pair is refused with the reason.
    public func apply(_ event: Event) throws(DomainError) -> FilingState {
        switch (self, event) {
        case (.generated, .validate(let problems)), (.invalid, .validate(let problems)), (.validated, .validate(let problems)):
            return problems == 0 ? .validated : .invalid
        case (.validated, .file): return .filed
        case (.filed, .accept): return .accepted
        case (.filed, .reject): return .rejected
        case (.accepted, .rectify), (.rejected, .rectify): return .rectified
        case (.generated, .discard), (.invalid, .discard), (.validated, .discard): return .discarded
        case (.generated, .file), (.invalid, .file):
            throw DomainError(
                "filing.illegal_transition", kind: .conflict, field: "action",
                "You cannot file a declaration that is \(rawValue) because only a validated declaration, without problems, may be filed."
            )
        case (.filed, .rectify):
            throw DomainError(
                "filing.illegal_transition", kind: .conflict, field: "action",
                "You cannot rectify a filed declaration before ANAF answers because a rectifying one follows an accepted or rejected filing; record ANAF's answer first."
            )
        case (.filed, .validate), (.accepted, .validate), (.rejected, .validate), (.rectified, .validate):
            throw DomainError(
                "filing.illegal_transition", kind: .conflict, field: "action",
                "You cannot validate a declaration that is \(rawValue) because it was filed and is never changed; generate a rectifying one."
            )
        default:
            throw DomainError(
                "filing.illegal_transition", kind: .conflict, field: "action",
                "You cannot \(event.name) a declaration that is \(rawValue).")
        }
    }
}

/// A problem a cross-check found in a declaration, named so the accountant can look it up (`D112-412`: the CAS owed
/// must equal the insured persons' CAS).
public struct FilingProblem: Sendable, Equatable, Codable, Error {
    public var check: String
    public var message: String
    public var messageRO: String

    public init(check: String, message: String, messageRO: String) {
        self.check = check
        self.message = message
        self.messageRO = messageRO
    }
}

/// The arithmetic the declarations share.
public enum FilingMath {
    /// Whole lei for a declaration: minor units rounded half away from zero (the forms take whole lei, kit README §8;
    /// the rule that 50 bani and more round up follows ANAF's forms as other generators apply it: not verified).
    public static func lei(_ minorUnits: Int64) -> Int64 {
        if minorUnits == Int64.min { return -(Int64.max / 100) }
        return minorUnits >= 0 ? minorUnits / 100 + (minorUnits % 100 >= 50 ? 1 : 0) : -FilingMath.lei(-minorUnits)
    }
}

/// A declaration the company owes for a period, and when.
public struct FilingObligation: Sendable, Equatable {
    public var form: FilingForm
    /// The period's last month (a quarter's third month for a quarterly return).
    public var period: YearMonth
    public var quarterly: Bool
    public var due: LocalDate

    public init(form: FilingForm, period: YearMonth, quarterly: Bool) {
        self.form = form
        self.period = period
        self.quarterly = quarterly
        self.due = form.due(period)
    }
}

/// What a company files and when (issue 16 item 5), from its settings: D300 and D394 for the VAT period (monthly, or
/// the quarter's last month), D390 for the months with intra-Community operations, D406 monthly for a monthly VAT
/// period and quarterly otherwise (shared reference §4), D112 each month for an employer. Due dates as
/// `FilingForm.due` (the 25th or the next month's last day, moved to the next working day).
public enum FilingCalendar {
    public static func obligations(
        from: YearMonth, to: YearMonth, vatPayer: Bool, vatQuarterly: Bool, employer: Bool, saft: Bool,
        intraCommunity: Set<YearMonth> = []
    ) -> [FilingObligation] {
        var out: [FilingObligation] = []
        var month = from
        var steps = 0
        while month <= to && steps < 1_200 {
            let quarterEnd = month.month % 3 == 0
            if vatPayer && (!vatQuarterly || quarterEnd) {
                out.append(FilingObligation(form: .d300, period: month, quarterly: vatQuarterly))
                out.append(FilingObligation(form: .d394, period: month, quarterly: vatQuarterly))
            }
            if vatPayer && intraCommunity.contains(month) { out.append(FilingObligation(form: .d390, period: month, quarterly: false)) }
            let saftQuarterly = vatQuarterly || !vatPayer
            if saft && (!saftQuarterly || quarterEnd) { out.append(FilingObligation(form: .d406, period: month, quarterly: saftQuarterly)) }
            if employer { out.append(FilingObligation(form: .d112, period: month, quarterly: false)) }
            month = YearMonth(month.lastDay.adding(days: 1))
            steps += 1
        }
        return out.sorted { ($0.due, $0.form.rawValue) < ($1.due, $1.form.rawValue) }
    }
}
