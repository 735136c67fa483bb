import Foundation
import Synchronization

/// A clock a test moves by hand: `Culise(…, clock: clock.now)`.
public final class ManualClock: Sendable {
    private let current: Mutex<Date>

    public init(_ iso: String) {
        current = Mutex(ISO8601DateFormatter().date(from: iso) ?? Date(timeIntervalSince1970: 0))
    }

    public var now: @Sendable () -> Date { { self.current.withLock { $0 } } }

    public func set(_ iso: String) {
        guard let date = ISO8601DateFormatter().date(from: iso) else { return }
        current.withLock { $0 = date }
    }

    public func advance(seconds: Int) { current.withLock { $0 = $0.addingTimeInterval(TimeInterval(seconds)) } }
}
