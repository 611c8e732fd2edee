import Foundation

/// A command that could not do its work, as opposed to a mistake in how it was called: printed as
/// "Error: <reason>" without the usage text, exit status 1. (ArgumentParser's `ValidationError`, for
/// usage mistakes, prints the usage and exits 64.)
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    /// The file at `path`, open for reading; a failure saying why in words when it cannot be (a
    /// directory opens on Linux and fails only at the first read, with a raw Cocoa error).
    static func openForReading(_ path: String) throws -> FileHandle {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let handle = FileHandle(forReadingAtPath: path)
        else { throw unreadable(path) }
        return handle
    }

    /// Why `path` cannot be read as a file, in words: missing, a directory, or not readable.
    private static func unreadable(_ path: String) -> CommandFailure {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return CommandFailure("cannot read \(path): no such file")
        }
        if isDirectory.boolValue { return CommandFailure("cannot read \(path): it is a directory, not a file") }
        return CommandFailure("cannot read \(path): permission denied")
    }
}
