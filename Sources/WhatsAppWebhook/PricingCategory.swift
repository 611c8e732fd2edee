/// Spelling normalisation for `pricing.category` and `conversation.origin.type`.
///
/// Meta's own documents disagree on spellings (reference §12 C2, §13.10), so every value is folded
/// to lower-case snake case and known historic variants are mapped to one name. Unknown values pass
/// through (normalised) so they can be stored and reported, never rejected.
public enum PricingCategory {
    public static let marketing = "marketing"
    public static let marketingLite = "marketing_lite"
    public static let utility = "utility"
    public static let authentication = "authentication"
    public static let authenticationInternational = "authentication_international"
    public static let service = "service"
    public static let referralConversion = "referral_conversion"
    public static let businessInitiated = "business_initiated"
    public static let userInitiated = "user_initiated"

    public static func normalize(_ raw: String) -> String {
        // Fast path: already lower-case snake case (what Meta sends nearly always).
        if raw.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || ($0 >= 0x30 && $0 <= 0x39) }) {
            return canonical(raw)
        }
        var value = raw.trimmingCharactersInWhitespace().lowercased()
        value = String(value.map { $0 == "-" || $0 == " " ? "_" : $0 })
        return canonical(value)
    }

    private static func canonical(_ value: String) -> String {
        switch value {
        case "business_initated": businessInitiated  // typo in Meta's own Postman sample
        case "customer_initiated": userInitiated  // older Cloud API doc wording
        default: value
        }
    }
}

extension String {
    func trimmingCharactersInWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
