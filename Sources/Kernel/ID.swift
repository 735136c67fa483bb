import Foundation

/// A typed identifier. `Tag` is a phantom type naming the entity, so an
/// `ID<CompanyTag>` can never be passed where an `ID<UserTag>` is expected.
///
/// IDs are time-ordered UUIDs (version 7): sortable, unique across server
/// processes and across companies, and generated without a database round trip.
public struct ID<Tag>: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UUID

    public init(_ rawValue: UUID) { self.rawValue = rawValue }

    public init?(string: String) {
        guard let uuid = UUID(uuidString: string) else { return nil }
        self.rawValue = uuid
    }

    /// A new version-7 UUID: 48 bits of Unix milliseconds, then random bits.
    public static func generate(now: Date = Date()) -> ID {
        ID(UUIDv7.make(now: now))
    }

    public var description: String { rawValue.uuidString.lowercased() }

    public static func < (lhs: ID, rhs: ID) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let uuid = UUID(uuidString: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Not an id: \(text)")
        }
        self.rawValue = uuid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public enum UUIDv7 {
    public static func make(now: Date) -> UUID {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(index)))) }
        var generator = SystemRandomNumberGenerator()
        for index in 6..<16 { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}

// Entity tags. Modules refer to each other's entities only through these IDs.
public enum CompanyTag {}
public enum UserTag {}
public enum SessionTag {}
public enum APITokenTag {}

public typealias CompanyID = ID<CompanyTag>
public typealias UserID = ID<UserTag>
public typealias APITokenID = ID<APITokenTag>
