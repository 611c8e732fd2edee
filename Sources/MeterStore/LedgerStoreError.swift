public enum LedgerStoreError: Error, CustomStringConvertible, Equatable {
    case unknownAccount(String)
    case unknownPortfolio(String)
    case invalidAccount(String, [String])
    case corruptArchive(id: Int64, reason: String)
    case tokenNameTaken(String)

    public var description: String {
        switch self {
        case .unknownAccount(let id): "unknown account \(id) (add it with `wameter accounts add`)"
        case .unknownPortfolio(let name):
            "no account is in portfolio \(name) (set one with `wameter accounts add ID --portfolio \(name)`)"
        case .invalidAccount(let id, let problems): "account \(id): " + problems.joined(separator: "; ")
        case .corruptArchive(let id, let reason): "archived body \(id) no longer decodes: \(reason)"
        case .tokenNameTaken(let name): "a token named \(name) exists already (choose another --name, or revoke it)"
        }
    }
}
