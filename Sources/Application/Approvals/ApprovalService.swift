import Approvals
import Foundation
import Identity
import Kernel
import SQLKit
import Storage

/// A request for approval as stored, with its decision.
public struct ApprovalRecord: Sendable, Codable, Equatable {
    public var id: ApprovalID
    public var documentType: String
    public var documentID: String
    public var documentLabel: String
    /// RON minor units.
    public var amount: Int64
    public var creator: String
    public var requestedBy: String
    public var state: ApprovalState
    public var decidedBy: String?
    public var decidedAt: String?
    public var comment: String?
    public var createdAt: String
}

extension Culise {
    /// Sets (or with a nil threshold removes) the approval rule of a document type.
    public func setApprovalRule(
        company: CompanyID, documentType: String, threshold: String?, approverRoles: [Role] = [.admin, .accountant],
        actor: Actor
    ) async throws {
        try actor.require(.company, .write, in: company)
        guard ["bill"].contains(documentType) else {
            throw DomainError(
                "approval.document_type", field: "document_type",
                "You cannot set approvals for '\(documentType.prefix(40))'; the types are: bill.")
        }
        var minor: Int64?
        if let threshold = threshold?.trimmingCharacters(in: .whitespaces), !threshold.isEmpty {
            let value = try Money.parseMinorUnits(threshold, digits: 2, field: "threshold")
            guard value >= 0 else {
                throw DomainError("approval.threshold", field: "threshold", "You cannot use a negative threshold; use 0 or more.")
            }
            minor = value
        }
        guard !approverRoles.isEmpty else {
            throw DomainError("approval.roles", field: "approver_roles", "To require approvals, you must name at least one approver role.")
        }
        let roles = approverRoles.map(\.rawValue).sorted().joined(separator: ",")
        let threshold = minor
        try await transaction { db in
            if let minor = threshold {
                try await db.raw(
                    """
                    INSERT INTO approval_rules (company_id, document_type, threshold, approver_roles, role_limits)
                    VALUES (\(bind: company.description), \(bind: documentType), \(bind: minor), \(bind: roles), '{}')
                    ON CONFLICT (company_id, document_type) DO UPDATE SET threshold = \(bind: minor), approver_roles = \(bind: roles)
                    """
                ).run()
            } else {
                try await db.raw(
                    "DELETE FROM approval_rules WHERE company_id = \(bind: company.description) AND document_type = \(bind: documentType)"
                ).run()
            }
            try await AuditLog.append(
                db, actor: actor, company: company, action: "approval.rule", entity: "approval_rule", entityID: documentType,
                changes: [
                    FieldChange("threshold", before: nil, after: threshold.map { Money(minorUnits: $0, currency: .ron).decimalString }),
                    FieldChange("approver_roles", before: nil, after: roles),
                ], now: self.now)
        }
    }

    public func approvalRule(company: CompanyID, documentType: String, actor: Actor) async throws -> ApprovalRule? {
        try actor.require(.company, .read, in: company)
        return try await read { db in try await Self.approvalRule(db, company: company, documentType: documentType) }
    }

    package static func approvalRule(_ db: any SQLDatabase, company: CompanyID, documentType: String) async throws -> ApprovalRule? {
        guard
            let row = try await db.raw(
                """
                SELECT threshold, approver_roles, role_limits FROM approval_rules
                WHERE company_id = \(bind: company.description) AND document_type = \(bind: documentType)
                """
            ).first()
        else { return nil }
        let limits =
            (try? JSONDecoder().decode([String: Int64].self, from: Data(try row.decode(column: "role_limits", as: String.self).utf8)))
            ?? [:]
        return ApprovalRule(
            documentType: documentType, thresholdMinorUnits: try row.decode(column: "threshold", as: Int64.self),
            approverRoles: Set(try row.decode(column: "approver_roles", as: String.self).split(separator: ",").map(String.init)),
            roleLimits: limits)
    }

    package static let approvalColumns =
        "id, document_type, document_id, document_label, amount, creator, requested_by, state, decided_by, decided_at, comment, created_at"

    package static func approvalRecord(_ row: any SQLRow) throws -> ApprovalRecord {
        ApprovalRecord(
            id: try ApprovalID(string: try row.decode(column: "id", as: String.self)).orThrow("approval id"),
            documentType: try row.decode(column: "document_type", as: String.self),
            documentID: try row.decode(column: "document_id", as: String.self),
            documentLabel: try row.decode(column: "document_label", as: String.self),
            amount: try row.decode(column: "amount", as: Int64.self),
            creator: try row.decode(column: "creator", as: String.self),
            requestedBy: try row.decode(column: "requested_by", as: String.self),
            state: ApprovalState(rawValue: try row.decode(column: "state", as: String.self)) ?? .pending,
            decidedBy: try row.decode(column: "decided_by", as: String?.self),
            decidedAt: try row.decode(column: "decided_at", as: String?.self),
            comment: try row.decode(column: "comment", as: String?.self), createdAt: try row.decode(column: "created_at", as: String.self))
    }

    /// The newest request for a document, if any.
    package static func latestApproval(
        _ db: any SQLDatabase, company: CompanyID, documentType: String, documentID: String
    ) async throws -> ApprovalRecord? {
        try await db.raw(
            """
            SELECT \(unsafeRaw: approvalColumns) FROM approval_requests
            WHERE company_id = \(bind: company.description) AND document_type = \(bind: documentType) AND document_id = \(bind: documentID)
            ORDER BY created_at DESC, id DESC LIMIT 1
            """
        ).first().map(approvalRecord)
    }

    /// What a document still needs before it may be posted: nil when no approval is needed or it was approved for
    /// at least this amount; otherwise the refusal to throw (`approval.pending` or `approval.required`).
    package static func approvalGate(
        _ db: any SQLDatabase, company: CompanyID, documentType: String, documentID: String, label: String, amount: Int64
    ) async throws -> (refusal: DomainError, rule: ApprovalRule, latest: ApprovalRecord?)? {
        guard let rule = try await approvalRule(db, company: company, documentType: documentType),
            rule.requiresApproval(amountMinorUnits: amount)
        else { return nil }
        let latest = try await latestApproval(db, company: company, documentType: documentType, documentID: documentID)
        if let latest, latest.state == .approved, latest.amount >= amount { return nil }
        let threshold = Money(minorUnits: rule.thresholdMinorUnits, currency: .ron).decimalString
        let value = Money(minorUnits: amount, currency: .ron).decimalString
        if let latest, latest.state == .pending {
            return (
                DomainError(
                    "approval.pending", kind: .conflict,
                    "You cannot post \(label) (\(value) RON) yet because its approval, asked by \(latest.requestedBy), is still pending."),
                rule, latest
            )
        }
        return (
            DomainError(
                "approval.required", kind: .conflict,
                "You cannot post \(label) (\(value) RON) yet because documents from \(threshold) RON need another person's approval; the approval has been requested."
            ),
            rule, latest
        )
    }

    /// Opens a pending request for a document and tells the approvers (everyone holding an approver role except the
    /// document's creator and the requester).
    package func requestApproval(
        _ db: any SQLDatabase, company: CompanyID, rule: ApprovalRule, documentType: String, documentID: String, label: String,
        amount: Int64,
        creator: String, actor: Actor
    ) async throws -> ApprovalID {
        let roles = Set(rule.approverRoles.compactMap(Role.init(rawValue:)))
        var approvers = try await members(db, company: company, roles: roles)
        let excluded = Set([creator, actor.auditName])
        let emails = try await db.raw("SELECT id, email FROM users WHERE id IN " + .list(approvers.map(\.description))).all()
            .reduce(into: [String: String]()) {
                $0[try $1.decode(column: "id", as: String.self)] = try $1.decode(column: "email", as: String.self)
            }
        approvers.removeAll { excluded.contains(emails[$0.description] ?? "") }
        return try await openApproval(
            db, company: company, documentType: documentType, documentID: documentID, label: label, amount: amount, creator: creator,
            approvers: approvers,
            facts: [
                "amount": MoneyFormat.amount(amount, locale: .ro) + " RON", "amount.en": MoneyFormat.amount(amount, locale: .en) + " RON",
            ], link: documentType == "bill" ? "/bills/\(documentID)" : nil, actor: actor)
    }

    /// Opens a pending request for a document whose context names its approvers (a leave request: the employee's
    /// manager, or HR), tells them and audits it. `facts` fill the notification (`amount`: what is asked, in words).
    package func openApproval(
        _ db: any SQLDatabase, company: CompanyID, documentType: String, documentID: String, label: String, amount: Int64,
        creator: String, approvers: [UserID], facts: [String: String], link: String?, actor: Actor
    ) async throws -> ApprovalID {
        let id = ApprovalID.generate(now: now)
        try await db.raw(
            """
            INSERT INTO approval_requests (company_id, id, document_type, document_id, document_label, amount, creator, requested_by, state, created_at)
            VALUES (\(bind: company.description), \(bind: id.description), \(bind: documentType), \(bind: documentID), \(bind: label),
                \(bind: amount), \(bind: creator), \(bind: actor.auditName), 'pending', \(bind: nowText))
            """
        ).run()
        try await notify(
            db, company: company, users: approvers, kind: "approval.requested",
            parameters: facts.merging([
                "document": label, "requester": actor.auditName,
                "kind": ApprovalKinds.name(documentType, language: "ro"), "kind.en": ApprovalKinds.name(documentType, language: "en"),
            ]) { _, new in new }, link: link)
        try await AuditLog.append(
            db, actor: actor, company: company, action: "approval.request", entity: documentType, entityID: documentID,
            changes: [FieldChange("approval", before: nil, after: id.description)], now: self.now)
        return id
    }

    /// Records the decision on a document's pending request, made by its own context's use case (which checked who may
    /// decide), and tells `requesters`. Nothing happens when the document has no pending request (one made before
    /// approvals were kept for its type).
    package func closeApproval(
        _ db: any SQLDatabase, company: CompanyID, documentType: String, documentID: String, event: ApprovalState.Event,
        comment: String?, requesters: [UserID], link: String?, actor: Actor
    ) async throws {
        guard let current = try await Self.latestApproval(db, company: company, documentType: documentType, documentID: documentID),
            current.state == .pending
        else { return }
        let next = try current.state.apply(event)
        try await db.raw(
            """
            UPDATE approval_requests SET state = \(bind: next.rawValue), decided_by = \(bind: actor.auditName), decided_at = \(bind: self.nowText),
                comment = \(bind: comment) WHERE company_id = \(bind: company.description) AND id = \(bind: current.id.description) AND state = 'pending'
            """
        ).run()
        try await AuditLog.append(
            db, actor: actor, company: company, action: "approval.\(event.rawValue)", entity: documentType, entityID: documentID,
            changes: [FieldChange("state", before: "pending", after: next.rawValue), FieldChange("comment", before: nil, after: comment)],
            now: self.now)
        guard event != .withdraw else { return }
        try await notify(
            db, company: company, users: requesters, kind: "approval.decided",
            parameters: [
                "document": current.documentLabel, "decision": event == .approve ? "aprobată" : "respinsă",
                "decision.en": event == .approve ? "approved" : "rejected",
                "kind": ApprovalKinds.name(documentType, language: "ro"), "kind.en": ApprovalKinds.name(documentType, language: "en"),
                "approver": actor.auditName, "comment": comment ?? "",
            ], link: link)
    }

    /// Pending requests the actor may decide (everything pending, for the approvals page; the policy is checked on decision).
    public func approvals(
        company: CompanyID, state: ApprovalState? = .pending, documentID: String? = nil, actor: Actor
    ) async throws
        -> [ApprovalRecord]
    {
        try actor.require(.invoicing, .read, in: company)
        // Bills only: a leave request or a change of personal data is decided, and read, in the people context.
        var condition: SQLQueryString = "company_id = \(bind: company.description) AND document_type = 'bill'"
        if let state { condition = condition + " AND state = \(bind: state.rawValue)" }
        if let documentID { condition = condition + " AND document_id = \(bind: documentID)" }
        let filter = condition
        return try await read { db in
            try await db.raw(
                "SELECT \(unsafeRaw: Self.approvalColumns) FROM approval_requests WHERE " + filter
                    + " ORDER BY created_at DESC, id DESC LIMIT 200"
            ).all().map(Self.approvalRecord)
        }
    }

    /// Approves or rejects a pending request. Only a signed-in user other than the document's creator and the
    /// requester, holding an approver role within its limit, may decide; the requester is told.
    public func decideApproval(
        company: CompanyID, id: ApprovalID, approve: Bool, comment: String?, actor: Actor
    ) async throws -> ApprovalRecord {
        guard case .user(let principal) = actor else {
            throw DomainError(
                "approval.person", kind: .forbidden,
                "You cannot decide an approval from the command line because it needs a signed-in person.")
        }
        try actor.require(.invoicing, .read, in: company)
        let comment = comment?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(500).description
        return try await transaction { db in
            guard
                let current = try await db.raw(
                    "SELECT \(unsafeRaw: Self.approvalColumns) FROM approval_requests WHERE company_id = \(bind: company.description) AND id = \(bind: id.description) AND document_type = 'bill'"
                ).first().map(Self.approvalRecord)
            else { throw DomainError("approval.not_found", kind: .notFound, "You cannot decide approval \(id) because it does not exist.") }
            let next = try current.state.apply(approve ? .approve : .reject)
            guard let rule = try await Self.approvalRule(db, company: company, documentType: current.documentType) else {
                throw DomainError(
                    "approval.no_rule", kind: .conflict,
                    "You cannot decide this request because approvals are no longer required for \(current.documentType)s.")
            }
            try ApprovalPolicy.check(
                rule, amountMinorUnits: current.amount, creator: current.creator, requester: current.requestedBy,
                decider: .init(name: principal.email, role: principal.role.rawValue))
            try await db.raw(
                """
                UPDATE approval_requests SET state = \(bind: next.rawValue), decided_by = \(bind: principal.email), decided_at = \(bind: self.nowText),
                    comment = \(bind: comment) WHERE company_id = \(bind: company.description) AND id = \(bind: id.description) AND state = 'pending'
                """
            ).run()
            try await AuditLog.append(
                db, actor: actor, company: company, action: approve ? "approval.approve" : "approval.reject", entity: current.documentType,
                entityID: current.documentID,
                changes: [
                    FieldChange("state", before: "pending", after: next.rawValue), FieldChange("comment", before: nil, after: comment),
                ],
                now: self.now)
            let requester = try await db.raw("SELECT id FROM users WHERE email = \(bind: current.requestedBy)").first()
                .flatMap { UserID(string: try $0.decode(column: "id", as: String.self)) }
            if let requester {
                try await self.notify(
                    db, company: company, users: [requester], kind: "approval.decided",
                    parameters: [
                        "document": current.documentLabel, "decision": approve ? "aprobată" : "respinsă",
                        "decision.en": approve ? "approved" : "rejected",
                        "kind": ApprovalKinds.name(current.documentType, language: "ro"),
                        "kind.en": ApprovalKinds.name(current.documentType, language: "en"),
                        "approver": principal.email, "comment": comment ?? "",
                    ], link: current.documentType == "bill" ? "/bills/\(current.documentID)" : nil)
            }
            var decided = current
            decided.state = next
            decided.decidedBy = principal.email
            decided.decidedAt = self.nowText
            decided.comment = comment
            return decided
        }
    }
}

/// What a person calls a document type that needs approval, in their language.
enum ApprovalKinds {
    static func name(_ documentType: String, language: String) -> String {
        switch (documentType, language) {
        case ("bill", "en"): "supplier bill"
        case ("bill", _): "factura de furnizor"
        case ("leave", "en"): "leave request"
        case ("leave", _): "cererea de concediu"
        case ("employee_change", "en"): "change of personal data"
        case ("employee_change", _): "modificarea datelor personale"
        case ("payroll", "en"): "payroll run"
        case ("payroll", _): "statul de plată"
        default: documentType
        }
    }
}
