/// A parsed JSON document. Numbers keep their literal text so that ids, timestamps and money are read
/// exactly (no `Double` detour); objects keep their members in order, and lookups scan them, which
/// beats hashing for the handful of keys a webhook object has.
enum JSONValue {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members where member.key == key { return member.value }
        return nil
    }
}
