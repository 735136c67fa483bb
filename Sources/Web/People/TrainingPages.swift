import Application
import Foundation
import Hummingbird
import Identity
import Kernel
import People
import PeopleApp

/// Training: courses, sessions, the mandatory-training report; each session with its enrolments and attendance.
struct TrainingPages: Sendable {
    let culise: Culise
    let views: Views
    let html: HTMLRoutes

    func register(protect: (Area, Access) -> Protected) {
        protect(.hr, .read).get("/people/training", use: training)
        protect(.hr, .write).post("/people/training", use: change)
        protect(.hr, .read).get("/people/training/{id}", use: session)
        protect(.hr, .write).post("/people/training/{id}", use: changeSession)
        protect(.hr, .read).get("/people/skills", use: skills)
        protect(.hr, .write).post("/people/skills", use: changeSkills)
    }

    @Sendable func training(_ request: Request, context: WebContext) async throws -> Response {
        try await render(request, context)
    }

    func render(
        _ request: Request, _ context: WebContext, values: [String: String] = [:], error: (any Error)? = nil, form: String = ""
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let courses = try await culise.courses(company: p.companyID, actor: .user(p))
        let sessions = try await culise.trainingSessions(company: p.companyID, actor: .user(p))
        let compliance = try await culise.trainingCompliance(company: p.companyID, on: culise.today, actor: .user(p))
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        func value(_ name: String, _ fallback: String = "") -> String { values[name] ?? fallback }
        let courseFields = [
            Field(name: "code", label: t["policy_code", default: "code"], value: value("code"), error: errors["code"], required: true),
            Field(name: "title", label: t["policy_title", default: "title"], value: value("title"), error: errors["title"], required: true),
            Field(
                name: "validity_months", label: t["course_validity", default: "validity"], type: "number", value: value("validity_months"),
                error: errors["validity_months"], hint: t["course_validity_hint"]),
            Field(
                name: "mandatory", label: t["course_mandatory", default: "mandatory"], type: "checkbox", value: "on",
                checked: values["mandatory"] == "on"),
        ]
        let sessionFields = [
            Field(
                name: "course", label: t["session_course", default: "course"], value: value("course"), error: errors["course"],
                choices: courses.map { ($0.code, "\($0.code) · \($0.title)") }),
            Field(
                name: "date", label: t["session_date", default: "date"], type: "date", value: value("date"), error: errors["date"],
                required: true),
            Field(
                name: "trainer", label: t["session_trainer", default: "trainer"], value: value("trainer"), error: errors["trainer"],
                required: true),
            Field(name: "location", label: t["session_location", default: "location"], value: value("location"), error: errors["location"]),
            Field(
                name: "capacity", label: t["session_capacity", default: "capacity"], type: "number", value: value("capacity", "20"),
                error: errors["capacity"]),
        ]
        let data: [String: Any] = [
            "courses": courses.map { course in
                [
                    "code": course.code, "title": course.title, "mandatory": course.mandatory,
                    "validity": course.validityMonths.map { "\($0)" } ?? "—",
                ] as [String: Any]
            },
            "has_courses": !courses.isEmpty,
            "sessions": sessions.map { session in
                [
                    "id": session.id.description, "course": session.course, "date": PageFormat.date(session.date),
                    "trainer": session.trainer,
                    "places": "\(session.enrolments.filter { $0.state != .cancelled }.count) / \(session.capacity)",
                ]
            },
            "has_sessions": !sessions.isEmpty,
            "problems": compliance.filter { $0.status != .valid }.map { line in
                [
                    "employee": line.employee, "name": line.name, "course": line.course,
                    "status": t["certificate_\(line.status.rawValue)"] ?? line.status.rawValue,
                    "expires": line.expiresOn.map(PageFormat.date) ?? "",
                ]
            },
            "has_problems": compliance.contains { $0.status != .valid },
            "valid": "\(compliance.filter { $0.status == .valid }.count) / \(compliance.count)", "has_compliance": !compliance.isEmpty,
            "can_edit": Policy.allows(p.role, .hr, .write), "course_fields": courseFields.map(\.dictionary),
            "session_fields": sessionFields.map(\.dictionary), "form_errors": problems?.summary ?? [],
            "has_errors": !(problems?.summary ?? []).isEmpty, "course_form": form == "course", "session_form": form == "session",
        ]
        return try await html.page(
            "training", "title_training", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    @Sendable func change(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        let kind = form["form"] ?? ""
        do {
            switch kind {
            case "course":
                let months = (form["validity_months"] ?? "").isEmpty ? nil : Int(form["validity_months"] ?? "") ?? 0
                _ = try await culise.saveCourse(
                    company: p.companyID,
                    CourseInput(
                        code: form["code"] ?? "", title: form["title"] ?? "", mandatory: form["mandatory"] == "on", validityMonths: months),
                    actor: .user(p))
                return redirect(to: "/people/training?flash=course_saved")
            case "session":
                let record = try await culise.scheduleSession(
                    company: p.companyID,
                    SessionInput(
                        course: form["course"] ?? "", date: form["date"] ?? "", trainer: form["trainer"] ?? "", location: form["location"],
                        capacity: Int(form["capacity"] ?? "") ?? 0), actor: .user(p))
                return redirect(to: "/people/training/\(record.id)?flash=session_scheduled")
            case "remind":
                _ = try await culise.remindTraining(company: p.companyID, actor: .user(p))
                return redirect(to: "/people/training?flash=training_reminded")
            default: throw WebError.notFound
            }
        } catch let error as ValidationErrors {
            return try await render(request, context, values: form, error: error, form: kind)
        } catch let error as DomainError where [.invalid, .conflict, .notFound, .tooLarge].contains(error.kind) {
            return try await render(request, context, values: form, error: error, form: kind)
        }
    }

    @Sendable func session(_ request: Request, context: WebContext) async throws -> Response {
        try await renderSession(request, context, id: try TrainingAPI.sessionID(context))
    }

    func renderSession(
        _ request: Request, _ context: WebContext, id: SessionID, values: [String: String] = [:], error: (any Error)? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let session = try await culise.trainingSession(company: p.companyID, id: id, actor: .user(p))
        let problems = error.flatMap { html.errors($0, context) }
        let fields = [
            Field(
                name: "employees", label: t["session_employees", default: "employees"], value: values["employees"] ?? "",
                error: problems?.byField["employees"], required: true, hint: t["session_employees_hint"])
        ]
        let data: [String: Any] = [
            "id": id.description, "course": session.course, "date": PageFormat.date(session.date), "trainer": session.trainer,
            "location": session.location ?? "", "capacity": String(session.capacity),
            "enrolments": session.enrolments.map { enrolment in
                [
                    "employee": enrolment.employee, "state": t["enrolment_\(enrolment.state.rawValue)"] ?? enrolment.state.rawValue,
                    "expires": enrolment.expiresOn.map(PageFormat.date) ?? "", "open": enrolment.state == .enrolled,
                ] as [String: Any]
            },
            "has_enrolments": !session.enrolments.isEmpty, "can_edit": Policy.allows(p.role, .hr, .write),
            "fields": fields.map(\.dictionary),
            "form_errors": problems?.summary ?? [], "has_errors": !(problems?.summary ?? []).isEmpty,
        ]
        return try await html.page(
            "training_session", "title_training", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    @Sendable func changeSession(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id = try TrainingAPI.sessionID(context)
        let form = context.form
        if let action = form["action"].flatMap({ EnrolmentState.Action(rawValue: $0) }) {
            _ = try await culise.recordAttendance(
                company: p.companyID, session: id, employee: form["employee"] ?? "", action, actor: .user(p))
            return redirect(to: "/people/training/\(id)?flash=attendance_recorded")
        }
        do {
            _ = try await culise.enrol(
                company: p.companyID, session: id,
                employees: (form["employees"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init), actor: .user(p))
            return redirect(to: "/people/training/\(id)?flash=enrolled")
        } catch let error as ValidationErrors {
            return try await renderSession(request, context, id: id, values: form, error: error)
        } catch let error as DomainError where [.invalid, .conflict].contains(error.kind) {
            return try await renderSession(request, context, id: id, values: form, error: error)
        }
    }

    // MARK: - The skills matrix

    @Sendable func skills(_ request: Request, context: WebContext) async throws -> Response {
        try await renderSkills(request, context, department: request.uri.queryParameters["department"].map(String.init))
    }

    func renderSkills(
        _ request: Request, _ context: WebContext, department: String?, values: [String: String] = [:], error: (any Error)? = nil
    ) async throws -> Response {
        let p = try context.requirePrincipal()
        let t = html.t(context)
        let matrix = try await culise.skillsMatrix(company: p.companyID, department: department, actor: .user(p))
        let departments = try await culise.departments(company: p.companyID, actor: .user(p))
        let problems = error.flatMap { html.errors($0, context) }
        let errors = problems?.byField ?? [:]
        let skillFields = [
            Field(
                name: "code", label: t["policy_code", default: "code"], value: values["code"] ?? "", error: errors["code"], required: true),
            Field(
                name: "name", label: t["skill_name", default: "name"], value: values["name"] ?? "", error: errors["name"], required: true),
        ]
        let levelFields = [
            Field(
                name: "employee", label: t["people_code", default: "code"], value: values["employee"] ?? "", error: errors["employee"],
                required: true),
            Field(
                name: "skill", label: t["skill_skill", default: "skill"], value: values["skill"] ?? "", error: errors["skill"],
                choices: matrix.skills.map { ($0.code, "\($0.code) · \($0.name)") }),
            Field(
                name: "level", label: t["skill_level", default: "level"], value: values["level"] ?? "2", error: errors["level"],
                choices: [("0", "—")] + SkillInput.levels.map { (String($0), "\($0) · \(t["skill_level_\($0)"] ?? "")") }),
        ]
        let data: [String: Any] = [
            "department": department ?? "",
            "departments": departments.map {
                ["code": $0.code, "name": $0.name, "selected": $0.code == department?.uppercased()] as [String: Any]
            },
            "skills": matrix.skills.map { ["code": $0.code, "name": $0.name] },
            "rows": matrix.rows.map { row in
                [
                    "employee": row.employee, "name": row.name,
                    "cells": matrix.skills.map { ["level": row.levels[$0.code].map(String.init) ?? ""] },
                ] as [String: Any]
            },
            "has_rows": !matrix.rows.isEmpty && !matrix.skills.isEmpty, "has_skills": !matrix.skills.isEmpty,
            "can_edit": Policy.allows(p.role, .hr, .write), "skill_fields": skillFields.map(\.dictionary),
            "level_fields": levelFields.map(\.dictionary), "form_errors": problems?.summary ?? [],
            "has_errors": !(problems?.summary ?? []).isEmpty,
        ]
        return try await html.page("skills", "title_skills", data, request, context, status: problems == nil ? .ok : .unprocessableContent)
    }

    @Sendable func changeSkills(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let form = context.form
        do {
            if form["form"] == "level" {
                let level = Int(form["level"] ?? "") ?? -1
                try await culise.setSkillLevel(
                    company: p.companyID, employee: form["employee"] ?? "", skill: form["skill"] ?? "", level: level == 0 ? nil : level,
                    actor: .user(p))
            } else {
                _ = try await culise.saveSkill(
                    company: p.companyID, SkillInput(code: form["code"] ?? "", name: form["name"] ?? ""), actor: .user(p))
            }
            return redirect(to: "/people/skills?flash=skill_saved")
        } catch let error as ValidationErrors {
            return try await renderSkills(request, context, department: nil, values: form, error: error)
        } catch let error as DomainError where [.invalid, .conflict, .notFound, .tooLarge].contains(error.kind) {
            return try await renderSkills(request, context, department: nil, values: form, error: error)
        }
    }
}
