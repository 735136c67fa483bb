import Foundation
import Kernel

/// One day of a monthly timesheet (pontaj): the hours worked and a code. The codes: `""` a day worked (or a weekend
/// day, with 0 hours), `SL` a public holiday, a leave's code (`CO`, `CM`, `CFS`, …, `LeaveType.code`), `SUS` a day of a
/// suspended contract, `-` a day without a contract; HR may also write `AN` (unexcused absence) or `ON` (overtime).
public struct TimesheetDay: Hashable, Sendable, Codable {
    public var date: LocalDate
    public var hours: Int
    public var code: String

    public init(date: LocalDate, hours: Int, code: String) {
        self.date = date
        self.hours = hours
        self.code = code
    }
}

public enum TimesheetState: String, Sendable, Codable, CaseIterable {
    case draft, approved

    public enum Action: String, Sendable, Codable, CaseIterable { case approve, reopen }

    public func applying(_ action: Action) -> TimesheetState? {
        switch (self, action) {
        case (.draft, .approve): .approved
        case (.approved, .reopen): .draft
        default: nil
        }
    }
}

/// A leave taken, as a timesheet reads it.
public struct LeavePeriod: Hashable, Sendable {
    public var type: LeaveType
    public var from: LocalDate
    public var to: LocalDate

    public init(type: LeaveType, from: LocalDate, to: LocalDate) {
        self.type = type
        self.from = from
        self.to = to
    }
}

public enum Timesheets {
    public static let holidayCode = "SL"
    public static let suspendedCode = "SUS"
    public static let noContractCode = "-"
    /// The codes HR may type, besides the leave codes.
    public static let editableCodes: Set<String> = Set(
        ["", "AN", "ON", holidayCode, suspendedCode, noContractCode] + LeaveType.allCases.map(\.code))

    /// The month's days from the contract in force each day, the public holidays and the approved leave: a working day
    /// of an active contract holds the norm's hours; a working day on leave holds the leave's code and 0 hours.
    public static func generate(
        month: YearMonth, contract: (LocalDate) -> (terms: ContractTerms, state: ContractState)?, leave: [LeavePeriod]
    ) -> [TimesheetDay] {
        var days: [TimesheetDay] = []
        var date = month.firstDay
        while date <= month.lastDay {
            let weekday = WorkingDays.weekday(date)
            var day = TimesheetDay(date: date, hours: 0, code: "")
            if let (terms, state) = contract(date), state == .active || state == .suspended {
                if state == .suspended {
                    day.code = suspendedCode
                } else if let taken = leave.first(where: { $0.from <= date && date <= $0.to }), WorkingDays.isWorkingDay(date) {
                    day.code = taken.type.code
                } else if RomanianHolidays.isHoliday(date) && weekday < 5 {
                    day.code = holidayCode
                } else if weekday < 5 {
                    day.hours = terms.normHours
                }
            } else {
                day.code = noContractCode
            }
            days.append(day)
            date = date.adding(days: 1)
        }
        return days
    }

    /// Changes one day of a draft: 0–24 hours and a known code.
    public static func edit(
        _ days: inout [TimesheetDay], state: TimesheetState, date: LocalDate, hours: Int, code: String
    )
        throws(DomainError)
    {
        guard state == .draft else {
            throw DomainError(
                "timesheet.locked", kind: .conflict, "You cannot change an approved timesheet; reopen it first (the reopening is audited).")
        }
        guard let index = days.firstIndex(where: { $0.date == date }) else {
            throw DomainError("timesheet.day", field: "date", "You cannot change \(date.iso) because it is not a day of this timesheet.")
        }
        guard (0...24).contains(hours), editableCodes.contains(code) else {
            throw DomainError(
                "timesheet.entry", field: "hours",
                "You cannot record \(hours) hours with code '\(code)'; hours are 0 to 24 and the code one of \(editableCodes.sorted().joined(separator: ", "))."
            )
        }
        days[index].hours = hours
        days[index].code = code
    }

    /// Hours worked, and days per code.
    public static func totals(_ days: [TimesheetDay]) -> (hours: Int, byCode: [String: Int]) {
        var byCode: [String: Int] = [:]
        for day in days where !day.code.isEmpty { byCode[day.code, default: 0] += 1 }
        return (days.reduce(0) { $0 + $1.hours }, byCode)
    }
}
