/// A value from a request as an error message repeats it: at most 40 characters, so that a huge
/// value does not come back as a huge error (or a huge log line).
public func echoed(_ text: some StringProtocol) -> String {
    text.count <= 40 ? String(text) : String(text.prefix(40)) + "…"
}
