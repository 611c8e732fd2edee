import Foundation

/// Reads a file (or standard input) line by line in fixed-size chunks, so memory stays flat however
/// large the file is. Lines are numbered from 1; `\r\n` endings are accepted.
struct LineReader {
    private let handle: FileHandle
    private var buffer = Data()
    private var start = 0
    private var finished = false
    private(set) var lineNumber = 0
    private let chunkSize = 1 << 20

    init(handle: FileHandle) {
        self.handle = handle
    }

    mutating func next() throws -> Data? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = buffer[start..<end]
                start = newline + 1
                lineNumber += 1
                return Data(line)
            }
            if finished {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                lineNumber += 1
                return Data(line)
            }
            buffer.removeSubrange(0..<start)
            start = 0
            let chunk = try handle.read(upToCount: chunkSize) ?? Data()
            if chunk.isEmpty { finished = true } else { buffer.append(chunk) }
        }
    }
}
