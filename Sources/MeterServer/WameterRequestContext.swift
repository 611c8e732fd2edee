import Foundation
import Hummingbird
import MeterCore

/// The context of every route: Hummingbird's basic context with wameter's one JSON encoding
/// (`WireJSON`), so handlers return wire types (`ReportJSON`, `[AccountJSON]`) and the router
/// encodes them, with the same bytes as `wameter report --format json`.
public struct WameterRequestContext: AccessControlledContext {
    public var coreContext: CoreRequestContextStorage
    /// What the request's token (or dashboard session) may read; nil before authentication.
    public var access: AccessScope?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    public var responseEncoder: JSONEncoder { WireJSON.encoder() }
}

extension ReportJSON: ResponseEncodable {}
extension AccountJSON: ResponseEncodable {}
