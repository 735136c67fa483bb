import Foundation
import Kernel

/// Reads a text file line by line in 1 MiB chunks: memory stays bounded whatever the file size.
/// A line longer than `maxLineBytes` is an error naming its number.
public final class LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
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
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > position && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                lineNumber += 1
                if end - position > maxLineBytes { throw tooLong() }
                let line = String(decoding: buffer[position..<end], as: UTF8.self)
                position = newline + 1
                return line
            }
            if finished {
                guard position < buffer.count else { return nil }
                lineNumber += 1
                if buffer.count - position > maxLineBytes { throw tooLong() }
                let line = String(decoding: buffer[position...], as: UTF8.self)
                position = buffer.count
                return line
            }
            if buffer.count - position > maxLineBytes {
                lineNumber += 1
                throw tooLong()
            }
            // Drop what was consumed, then read the next chunk.
            buffer.removeSubrange(0..<position)
            position = 0
            let chunk = handle.readData(ofLength: 1 << 20)
            bytesRead += chunk.count
            if chunk.isEmpty { finished = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    private func tooLong() -> DomainError {
        DomainError(
            "import.line_too_long", kind: .tooLarge, field: "file",
            "You cannot import line \(lineNumber) because it is longer than \(maxLineBytes) bytes.")
    }
}
