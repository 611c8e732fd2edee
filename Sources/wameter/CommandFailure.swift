import Foundation

/// A command that could not do its work, as opposed to a mistake in how it was called: printed as
/// "Error: <reason>" without the usage text, exit status 1. (ArgumentParser's `ValidationError`, for
/// usage mistakes, prints the usage and exits 64.)
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    /// Why `path` cannot be read as a file, in words: missing, a directory, or not readable.
    static func unreadable(_ path: String) -> CommandFailure {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return CommandFailure("cannot read \(path): no such file")
        }
        if isDirectory.boolValue { return CommandFailure("cannot read \(path): it is a directory, not a file") }
        return CommandFailure("cannot read \(path): permission denied")
    }
}
