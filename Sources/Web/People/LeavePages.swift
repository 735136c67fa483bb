import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import People
import PeopleApp

/// The leave calendar with its requests, and the monthly timesheets.
struct LeavePages: Sendable {
    let culise: Culise
    let views: Views
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.hr, .read).get("/people/leave", use: leave)
        protect(.hr, .write).post("/people/leave", use: request)
        protect(.hr, .write).post("/people/leave/{id}/decision", use: decide)
        protect(.hr, .read).get("/people/timesheets", use: timesheets)
        protect(.hr, .write).post("/people/timesheets", use: generate)
        protect(.hr, .read).get("/people/timesheets/{month}/{code}", use: timesheet)
        protect(.hr, .write).post("/people/timesheets/{month}/{code}", use: changeTimesheet)
    }

    func month(_ request: Request) -> YearMonth {
        request.uri.queryParameters["month"].flatMap { try? YearMonth(text: String($0)) } ?? YearMonth(culise.today)
    }

    // MARK: - Leave

    @Sendable func leave(_ request: Request, context: WebContext) async throws -> Response {
        try await renderLeave(request, context, month: month(request))
    }

    func renderLeave(
        _ request: Request, _ context: WebContext, month: YearMonth, values: [String: String] = [:], error: (any Error)? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let items = try await culise.leaveRequests(
            company: p.companyID, employee: nil, from: month.firstDay, to: month.lastDay, actor: .user(p))
        var dates: [LocalDate] = []
        var date = month.firstDay
        while date <= month.lastDay {
            dates.append(date)
            date = date.adding(days: 1)
        }
        let shown = items.filter { $0.state == .approved || $0.state == .requested }
        let rows: [[String: Any]] = Dictionary(grouping: shown, by: \.employee).sorted { $0.key < $1.key }.map { employee, requests in
            [
                "employee": employee,
                "cells": dates.map { day -> [String: Any] in
                    let taken = requests.first { $0.from <= day && day <= $0.to }
                    return [
                        "code": taken.map { WorkingDays.isWorkingDay(day) ? $0.type.code : "" } ?? "",
                        "pending": taken?.state == .requested, "off": !WorkingDays.isWorkingDay(day),
                    ]
                },
            ]
        }
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        let types = LeaveType.allCases.map { ($0.rawValue, "\($0.code) · \(t["leave_type_\($0.rawValue)"] ?? $0.rawValue)") }
        let fields = [
            Field(
                name: "employee", label: t["people_code", default: "code"], value: values["employee"] ?? "", error: errors["employee"],
                required: true),
            Field(
                name: "type", label: t["leave_type", default: "type"], value: values["type"] ?? "annual", error: errors["type"],
                choices: types),
            Field(name: "from", label: t["leave_from", default: "from"], type: "date", value: values["from"] ?? "", error: errors["from"]),
            Field(name: "to", label: t["leave_to", default: "to"], type: "date", value: values["to"] ?? "", error: errors["to"]),
            Field(
                name: "certificate", label: t["leave_certificate", default: "certificate"], value: values["certificate"] ?? "",
                error: errors["certificate"], hint: t["leave_certificate_hint"]),
        ]
        let previous = YearMonth(month.firstDay.adding(days: -1))
        let next = YearMonth(month.lastDay.adding(days: 1))
        let data: [String: Any] = [
            "month": month.description, "previous": previous.description, "next": next.description,
            "days": dates.map { ["day": String($0.day), "off": !WorkingDays.isWorkingDay($0)] }, "rows": rows, "has_rows": !rows.isEmpty,
            "requests": items.map { item in
                [
                    "id": item.id.description, "employee": item.employee, "type": item.type.code, "from": PageFormat.date(item.from),
                    "to": PageFormat.date(item.to), "days": String(item.days),
                    "state": t["leave_state_\(item.state.rawValue)"] ?? item.state.rawValue,
                    "can_decide": item.state == .requested, "can_cancel": item.state == .approved,
                ] as [String: Any]
            },
            "can_edit": Policy.allows(p.role, .hr, .write), "fields": fields.map(\.dictionary), "form_errors": problems?.summary ?? [],
            "has_errors": !(problems?.summary ?? []).isEmpty,
        ]
        return try await html.page("leave", "title_leave", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    @Sendable func request(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        let parts = (form["certificate"] ?? "").split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
        let certificate =
            parts.isEmpty
            ? nil
            : MedicalCertificate(series: parts[0], number: parts.count > 1 ? parts[1] : "", indemnityCode: parts.count > 2 ? parts[2] : "")
        do {
            let record = try await culise.requestLeave(
                company: p.companyID, employee: form["employee"] ?? "",
                LeaveInput(type: form["type"] ?? "", from: form["from"] ?? "", to: form["to"] ?? "", certificate: certificate),
                actor: .user(p))
            return redirect(to: "/people/leave?month=\(YearMonth(record.from))&flash=leave_requested")
        } catch let error as ValidationErrors {
            return try await renderLeave(request, context, month: month(request), values: form, error: error)
        } catch let error as DomainError where [.invalid, .conflict, .notFound].contains(error.kind) {
            return try await renderLeave(request, context, month: month(request), values: form, error: error)
        }
    }

    @Sendable func decide(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let id = context.parameters.get("id").flatMap({ LeaveID(string: $0) }),
            let action = context.form["action"].flatMap({ LeaveState.Action(rawValue: $0) })
        else { throw WebError.notFound }
        let record = try await culise.decideLeave(
            company: p.companyID, id: id, action, comment: context.form["comment"].flatMap { $0.isEmpty ? nil : $0 }, actor: .user(p))
        return redirect(to: "/people/leave?month=\(YearMonth(record.from))&flash=leave_decided")
    }

    // MARK: - Timesheets

    @Sendable func timesheets(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let month = month(request)
        let items = try await culise.timesheets(company: p.companyID, month: month, actor: .user(p))
        let rows: [[String: Any]] = items.map { sheet in
            [
                "employee": sheet.employee, "href": "/people/timesheets/\(month)/\(sheet.employee)", "hours": String(sheet.hours),
                "state": t["timesheet_state_\(sheet.state.rawValue)"] ?? sheet.state.rawValue,
                "codes": Timesheets.totals(sheet.days).byCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                    separator: ", "),
            ]
        }
        let data: [String: Any] = [
            "month": month.description, "rows": rows, "has_rows": !rows.isEmpty, "count": rows.count,
            "drafts": items.filter { $0.state == .draft }.count, "can_edit": Policy.allows(p.role, .hr, .write),
        ]
        return try await html.page("timesheets", "title_timesheets", data, request, context)
    }

    /// Generates the month's drafts, or approves every draft of the month (`action=approve_all`).
    @Sendable func generate(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        guard let month = try? YearMonth(text: form["month"] ?? "") else { throw WebError.notFound }
        if form["action"] == "approve_all" {
            _ = try await culise.approveTimesheets(company: p.companyID, month: month, actor: .user(p))
            return redirect(to: "/people/timesheets?month=\(month)&flash=timesheets_approved")
        }
        _ = try await culise.generateTimesheets(company: p.companyID, month: month, employee: nil, actor: .user(p))
        return redirect(to: "/people/timesheets?month=\(month)&flash=timesheets_generated")
    }

    @Sendable func timesheet(_ request: Request, context: WebContext) async throws -> Response {
        try await renderTimesheet(request, context)
    }

    func renderTimesheet(_ request: Request, _ context: WebContext, error: (any Error)? = nil) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        guard let code = context.parameters.get("code"), let month = context.parameters.get("month").flatMap({ try? YearMonth(text: $0) })
        else { throw WebError.notFound }
        let sheet = try await culise.timesheet(company: p.companyID, employee: code, month: month, actor: .user(p))
        let problems = error.flatMap { html.errors($0, context) }
        let data: [String: Any] = [
            "employee": sheet.employee, "month": month.description, "hours": String(sheet.hours),
            "state": t["timesheet_state_\(sheet.state.rawValue)"] ?? sheet.state.rawValue, "is_draft": sheet.state == .draft,
            "days": sheet.days.map { day in
                [
                    "date": PageFormat.date(day.date), "iso": day.date.iso, "hours": String(day.hours), "code": day.code,
                    "off": !WorkingDays.isWorkingDay(day.date),
                ] as [String: Any]
            },
            "can_edit": Policy.allows(p.role, .hr, .write), "form_errors": problems?.summary ?? [],
            "has_errors": !(problems?.summary ?? []).isEmpty,
        ]
        return try await html.page(
            "timesheet", "title_timesheets", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    /// Approves, reopens, or changes one day (`date`, `hours`, `code`).
    @Sendable func changeTimesheet(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let code = context.parameters.get("code"), let month = context.parameters.get("month").flatMap({ try? YearMonth(text: $0) })
        else { throw WebError.notFound }
        let form = context.form
        do {
            if let action = form["action"].flatMap({ TimesheetState.Action(rawValue: $0) }) {
                _ = try await culise.decideTimesheet(company: p.companyID, employee: code, month: month, action, actor: .user(p))
            } else {
                guard let hours = form["hours"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
                    throw ValidationErrors([
                        DomainError("timesheet.entry", field: "hours", "You cannot record hours that are not a whole number.")
                    ])
                }
                _ = try await culise.editTimesheet(
                    company: p.companyID, employee: code, month: month, date: try LocalDate(iso: form["date"] ?? "", field: "date"),
                    hours: hours,
                    code: (form["code"] ?? "").trimmingCharacters(in: .whitespaces).uppercased(), actor: .user(p))
            }
            return redirect(to: "/people/timesheets/\(month)/\(code)?flash=timesheet_saved")
        } catch let error as ValidationErrors {
            return try await renderTimesheet(request, context, error: error)
        } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
            return try await renderTimesheet(request, context, error: error)
        }
    }
}
