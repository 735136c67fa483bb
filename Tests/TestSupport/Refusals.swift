import Kernel
import Testing

/// Runs `body` and checks that it is refused with the error id `id` (a `DomainError`, or one of the problems of a
/// `ValidationErrors`). Tests assert ids, not only error types: the id is what the catalogue translates.
public func expectRefusal<T>(
    _ id: String, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        Issue.record("expected a refusal with id \(id), but nothing was refused", sourceLocation: sourceLocation)
    } catch let error as DomainError {
        #expect(error.id == id, "\(error)", sourceLocation: sourceLocation)
        if let field { #expect(error.field == field, "\(error)", sourceLocation: sourceLocation) }
    } catch let error as ValidationErrors {
        let matching = error.problems.filter { $0.id == id }
        #expect(!matching.isEmpty, "expected \(id) among: \(error)", sourceLocation: sourceLocation)
        if let field, !matching.isEmpty {
            #expect(matching.contains { $0.field == field }, "\(error)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a refusal with id \(id), got \(error)", sourceLocation: sourceLocation)
    }
}

/// Runs `body` once and checks that the one refusal names every id in `ids` (a whole document reports every problem).
public func expectRefusals<T>(
    _ ids: [String], sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        Issue.record("expected refusals \(ids), but nothing was refused", sourceLocation: sourceLocation)
    } catch let error as ValidationErrors {
        #expect(Set(ids).isSubset(of: Set(error.problems.map(\.id))), "\(error)", sourceLocation: sourceLocation)
    } catch let error as DomainError {
        #expect(ids == [error.id], "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected refusals \(ids), got \(error)", sourceLocation: sourceLocation)
    }
}
