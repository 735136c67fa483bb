import Crypto
import Foundation
import Kernel
import SQLKit
import Storage

/// One field's change in an audit row.
public struct FieldChange: Sendable, Equatable {
    public let field: String
    public let before: String?
    public let after: String?
    public let personal: Bool

    public init(_ field: String, before: String?, after: String?, personal: Bool = false) {
        self.field = field
        self.before = before
        self.after = after
        self.personal = personal
    }
}

/// The append-only, hash-chained audit log, written in the same transaction as the change it records.
///
/// Each row's hash is SHA-256 over the canonical serialisation (docs/audit.md): the fields
/// `seq, at, actor, user_id, company_id, action, entity, entity_id, diff, prev_hash`, each as UTF-8
/// text (absent values as the empty string), joined by the unit separator U+001F. `prev_hash` is the
/// previous row's hash, or 64 zeros for the first row. The `chain_heads` row `audit` holds the last
/// sequence number and hash; appending updates it first, which serialises writers on both engines.
public enum AuditLog {
    public static let genesisHash = String(repeating: "0", count: 64)
    package static let masked = "***"

    public static func append(
        _ db: any SQLDatabase, actor: Actor, company: CompanyID?, action: String, entity: String, entityID: String,
        changes: [FieldChange] = [], now: Date = Date()
    ) async throws {
        guard
            let head = try await db.raw(
                "UPDATE chain_heads SET seq = seq + 1 WHERE name = 'audit' RETURNING seq, hash"
            ).first()
        else { throw DomainError("audit.no_head", "You cannot write the audit log because its chain head is missing.") }
        let seq = try head.decode(column: "seq", as: Int64.self)
        let previous = try head.decode(column: "hash", as: String.self)
        let row = AuditRow(
            seq: seq, at: Timestamp.format(now), actor: actor.auditName, userID: actor.userID?.description,
            companyID: company?.description, action: action, entity: entity, entityID: entityID,
            diff: diffJSON(changes), prevHash: previous, hash: "")
        let hash = row.computedHash()
        try await db.raw(
            """
            INSERT INTO audit_log (seq, at, actor, user_id, company_id, action, entity, entity_id, diff, prev_hash, hash)
            VALUES (\(bind: seq), \(bind: row.at), \(bind: row.actor), \(bind: row.userID), \(bind: row.companyID),
                    \(bind: action), \(bind: entity), \(bind: entityID), \(bind: row.diff), \(bind: previous), \(bind: hash))
            """
        ).run()
        try await db.raw("UPDATE chain_heads SET hash = \(bind: hash) WHERE name = 'audit'").run()
    }

    /// `{"field":{"from":…,"to":…}}` with keys sorted; personal fields show `***`.
    package static func diffJSON(_ changes: [FieldChange]) -> String {
        var object: [String: [String: String?]] = [:]
        for change in changes {
            object[change.field] = [
                "from": change.personal && change.before != nil ? masked : change.before,
                "to": change.personal && change.after != nil ? masked : change.after,
            ]
        }
        return plainJSON(object) ?? encoderJSON(object)
    }

    /// What `JSONEncoder` with sorted keys writes for `object`, written directly when nothing in it could be written
    /// two ways: field names of lowercase letters only (every key order agrees on them) and values without control
    /// characters or line separators (so only `"` and `\` are escaped). Anything else: nil, and the encoder writes it.
    /// `AuditLogTests` checks the two agree. (The encoder took a tenth of a group commit's time.)
    package static func plainJSON(_ object: [String: [String: String?]]) -> String? {
        var text = "{"
        for (index, key) in object.keys.sorted().enumerated() {
            guard key.utf8.allSatisfy({ (0x61...0x7A).contains($0) }), !key.isEmpty, let value = object[key] else { return nil }
            text += index == 0 ? "\"" : ",\""
            text += key
            text += "\":{"
            for (inner, name) in value.keys.sorted().enumerated() {
                guard name.utf8.allSatisfy({ (0x61...0x7A).contains($0) }), !name.isEmpty, let field = value[name] else { return nil }
                text += inner == 0 ? "\"" : ",\""
                text += name
                text += "\":"
                guard let field else {
                    text += "null"
                    continue
                }
                text += "\""
                for scalar in field.unicodeScalars {
                    switch scalar.value {
                    case 0..<0x20, 0x7F, 0x2028, 0x2029: return nil
                    case 0x22: text += "\\\""
                    case 0x5C: text += "\\\\"
                    default: text.unicodeScalars.append(scalar)
                    }
                }
                text += "\""
            }
            text += "}"
        }
        return text + "}"
    }

    package static func encoderJSON(_ object: [String: [String: String?]]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(object)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// One audit row to append (see `AuditLog.appendMany`).
package struct AuditEvent: Sendable {
    package var actor: Actor
    package var company: CompanyID?
    package var action: String
    package var entity: String
    package var entityID: String
    package var changes: [FieldChange]

    package init(actor: Actor, company: CompanyID?, action: String, entity: String, entityID: String, changes: [FieldChange]) {
        self.actor = actor
        self.company = company
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.changes = changes
    }
}

extension AuditLog {
    /// Appends several rows to the chain with three statements, whatever their number (a group commit's audit trail),
    /// chained exactly as that many `append` calls would chain them.
    package static func appendMany(_ db: any SQLDatabase, _ events: [AuditEvent], now: Date) async throws {
        guard !events.isEmpty else { return }
        guard
            let head = try await db.raw(
                "UPDATE chain_heads SET seq = seq + \(bind: Int64(events.count)) WHERE name = 'audit' RETURNING seq, hash"
            ).first()
        else { throw DomainError("audit.no_head", "You cannot write the audit log because its chain head is missing.") }
        var seq = try head.decode(column: "seq", as: Int64.self) - Int64(events.count)
        var previous = try head.decode(column: "hash", as: String.self)
        var rows: [[SQLValue]] = []
        for event in events {
            seq += 1
            let row = AuditRow(
                seq: seq, at: Timestamp.format(now), actor: event.actor.auditName, userID: event.actor.userID?.description,
                companyID: event.company?.description, action: event.action, entity: event.entity, entityID: event.entityID,
                diff: diffJSON(event.changes), prevHash: previous, hash: "")
            let hash = row.computedHash()
            rows.append([
                .int(seq), .text(row.at), .text(row.actor), SQLValue(row.userID), SQLValue(row.companyID), .text(event.action),
                .text(event.entity),
                .text(event.entityID), .text(row.diff), .text(previous), .text(hash),
            ])
            previous = hash
        }
        try await SQLBulk.insert(
            db, into: "audit_log",
            columns: ["seq", "at", "actor", "user_id", "company_id", "action", "entity", "entity_id", "diff", "prev_hash", "hash"],
            values: rows)
        try await db.raw("UPDATE chain_heads SET hash = \(bind: previous) WHERE name = 'audit'").run()
    }
}

/// An audit row as stored.
public struct AuditRow: Sendable, Equatable, Codable {
    public var seq: Int64
    public var at: String
    public var actor: String
    public var userID: String?
    public var companyID: String?
    public var action: String
    public var entity: String
    public var entityID: String
    public var diff: String
    public var prevHash: String
    public var hash: String

    public static let separator = "\u{1F}"

    /// The canonical serialisation hashed into the chain (docs/audit.md).
    public var canonical: String {
        [
            String(seq), at, actor, userID ?? "", companyID ?? "", action, entity, entityID, diff, prevHash,
        ].joined(separator: AuditRow.separator)
    }

    public func computedHash() -> String {
        SHA256.hash(data: Data(canonical.utf8)).hexString
    }

    package static let columns = "seq, at, actor, user_id, company_id, action, entity, entity_id, diff, prev_hash, hash"

    package init(
        seq: Int64, at: String, actor: String, userID: String?, companyID: String?, action: String, entity: String,
        entityID: String, diff: String, prevHash: String, hash: String
    ) {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.userID = userID
        self.companyID = companyID
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.diff = diff
        self.prevHash = prevHash
        self.hash = hash
    }

    package init(row: any SQLRow) throws {
        self.seq = try row.decode(column: "seq", as: Int64.self)
        self.at = try row.decode(column: "at", as: String.self)
        self.actor = try row.decode(column: "actor", as: String.self)
        self.userID = try row.decode(column: "user_id", as: String?.self)
        self.companyID = try row.decode(column: "company_id", as: String?.self)
        self.action = try row.decode(column: "action", as: String.self)
        self.entity = try row.decode(column: "entity", as: String.self)
        self.entityID = try row.decode(column: "entity_id", as: String.self)
        self.diff = try row.decode(column: "diff", as: String.self)
        self.prevHash = try row.decode(column: "prev_hash", as: String.self)
        self.hash = try row.decode(column: "hash", as: String.self)
    }
}

extension Sequence where Element == UInt8 {
    package var hexString: String { Hex.encode(self) }
}

extension SHA256.Digest {
    package var hexString: String { Array(self).hexString }
}
