import HTTPTypes
import Hummingbird

/// Answers `HEAD` wherever `GET` is served, as HTTP asks of every server (RFC 9110 §9.3.2): the
/// request is handled as a `GET` and its answer sent without the body. Hummingbird's router
/// matches methods exactly (every `HEAD` was a 404, and uptime checkers use it), and it picks the
/// route before any middleware runs, so this wraps the router's responder instead.
struct HeadAnsweringResponder<Inner: HTTPResponder>: HTTPResponder {
    let inner: Inner

    func respond(to request: Request, context: Inner.Context) async throws -> Response {
        guard request.method == .head else { return try await inner.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        var response = try await inner.respond(to: Request(head: head, body: request.body), context: context)
        response.body = ResponseBody()
        return response
    }
}
