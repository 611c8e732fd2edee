import HTTPTypes
import Hummingbird
import Logging

/// One structured log line per request: method, path, status, duration. Never the query string
/// (the handshake carries the verify token in it), headers (signatures, bearer tokens) or bodies
/// (message content).
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let start = ContinuousClock.now
        func log(_ status: HTTPResponse.Status) {
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
            context.logger.log(
                level: status.code >= 500 ? .error : (status.code >= 400 ? .notice : .info), "request",
                metadata: [
                    "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                    "status": .stringConvertible(status.code),
                    "duration_ms": .string(String(format: "%.2f", milliseconds)),
                ])
        }
        do {
            let response = try await next(request, context)
            log(response.status)
            return response
        } catch let error as any HTTPResponseError {
            log(error.status)
            throw error
        } catch {
            log(.internalServerError)
            throw error
        }
    }
}
