import GRDB

/// Tells failures that may pass by themselves from failures that a body causes.
public enum StoreFailure {
    /// Whether `error` may go away if the same work is tried again later: a timeout, a busy or
    /// locked database, a full disk, an I/O error. The group committer answers these with 503 even
    /// for a body that failed alone, so that Meta re-sends it rather than a client giving up on it.
    public static func isTransient(_ error: any Error) -> Bool {
        if case PostgresStoreError.timedOut = error { return true }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_CANTOPEN, .SQLITE_NOMEM,
                .SQLITE_INTERRUPT:
                return true
            default:
                return false
            }
        }
        return false
    }
}
