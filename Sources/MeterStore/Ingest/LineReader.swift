import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a file (or standard input) line by line in fixed-size chunks, so memory stays flat however
/// large the file is. Lines are numbered from 1; `\r\n` endings are accepted.
///
/// A class over a raw buffer searched with `memchr`: per-byte access through `Data` in an async
/// context costs more than the JSON parsing of the line.
public final class LineReader {
    private let handle: FileHandle
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var finished = false
    public private(set) var lineNumber = 0
    /// Bytes of the lines returned so far, endings included: how far through the file a reader is.
    public private(set) var bytesConsumed = 0

    public init(handle: FileHandle, chunkSize: Int = 1 << 20) {
        self.handle = handle
        buffer = .allocate(byteCount: chunkSize, alignment: 1)
    }

    deinit {
        buffer.deallocate()
    }

    /// The next line without its ending, or `nil` at the end of the file.
    public func next() throws -> Data? {
        while true {
            if start < end, let base = buffer.baseAddress,
                let found = memchr(base + start, Int32(UInt8(ascii: "\n")), end - start)
            {
                let newline = base.distance(to: found)
                var lineEnd = newline
                if lineEnd > start, buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                let line = Data(bytes: base + start, count: lineEnd - start)
                bytesConsumed += newline + 1 - start
                start = newline + 1
                lineNumber += 1
                return line
            }
            if finished {
                guard start < end, let base = buffer.baseAddress else { return nil }
                let line = Data(bytes: base + start, count: end - start)
                bytesConsumed += end - start
                start = end
                lineNumber += 1
                return line
            }
            try refill()
        }
    }

    /// Moves the unread tail to the front and reads more; grows the buffer for a line longer than it.
    private func refill() throws {
        let pending = end - start
        if pending == buffer.count {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 1)
            bigger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
            buffer.deallocate()
            buffer = bigger
        } else if start > 0 {
            if pending > 0, let base = buffer.baseAddress { memmove(base, base + start, pending) }
        }
        start = 0
        end = pending
        let chunk = try handle.read(upToCount: buffer.count - end) ?? Data()
        if chunk.isEmpty {
            finished = true
        } else {
            chunk.copyBytes(to: UnsafeMutableRawBufferPointer(rebasing: buffer[end..<(end + chunk.count)]))
            end += chunk.count
        }
    }
}
