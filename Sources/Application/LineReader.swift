import Foundation
import Kernel

/// Reads a text file line by line in 1 MiB chunks: memory stays bounded whatever the file size.
/// A line longer than `maxLineBytes` is an error naming its number.
public final class LineReader {
    private let handle: FileHandle
    private var buffer = Data()
    private var finished = false
    private let maxLineBytes: Int
    public private(set) var lineNumber = 0
    public private(set) var bytesRead = 0

    public init(path: String, maxLineBytes: Int = Limits.importRowBytes) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DomainError("import.file", kind: .notFound, field: "file", "You cannot import \(path) because it cannot be opened.")
        }
        self.handle = handle
        self.maxLineBytes = maxLineBytes
    }

    deinit { try? handle.close() }

    /// The next line without its line break, or nil at the end.
    public func next() throws -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let lineData = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                lineNumber += 1
                if lineData.count > maxLineBytes { throw tooLong() }
                var line = String(decoding: lineData, as: UTF8.self)
                if line.hasSuffix("\r") { line.removeLast() }
                return line
            }
            if finished {
                guard !buffer.isEmpty else { return nil }
                lineNumber += 1
                if buffer.count > maxLineBytes { throw tooLong() }
                let line = String(decoding: buffer, as: UTF8.self)
                buffer.removeAll()
                return line
            }
            if buffer.count > maxLineBytes { lineNumber += 1; throw tooLong() }
            let chunk = handle.readData(ofLength: 1 << 20)
            bytesRead += chunk.count
            if chunk.isEmpty { finished = true } else { buffer.append(chunk) }
        }
    }

    private func tooLong() -> DomainError {
        DomainError(
            "import.line_too_long", kind: .tooLarge, field: "file",
            "You cannot import line \(lineNumber) because it is longer than \(maxLineBytes) bytes.")
    }
}
