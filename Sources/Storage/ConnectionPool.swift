/// A small async pool of connections: lease one, use it, give it back. Waiters queue in order.
/// Used for SQLite, whose drivers have no async-native pool.
actor ConnectionPool<Connection: Sendable> {
    private var idle: [Connection]
    private var waiters: [CheckedContinuation<Connection, Never>] = []
    private(set) var size: Int
    private(set) var leased = 0
    private(set) var waitCount = 0

    init(_ connections: [Connection]) {
        self.idle = connections
        self.size = connections.count
    }

    func lease() async -> Connection {
        if let connection = idle.popLast() {
            leased += 1
            return connection
        }
        waitCount += 1
        let connection = await withCheckedContinuation { waiters.append($0) }
        return connection
    }

    func release(_ connection: Connection) {
        if waiters.isEmpty {
            idle.append(connection)
            leased -= 1
        } else {
            waiters.removeFirst().resume(returning: connection)
        }
    }

    func drain() -> [Connection] {
        let all = idle
        idle = []
        return all
    }

    var waiting: Int { waiters.count }
}
