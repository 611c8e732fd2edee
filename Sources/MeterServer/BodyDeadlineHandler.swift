import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request body has not arrived in full within `limit` of the request's
/// head: a client that sends a body a byte at a time would otherwise hold a connection, a handler
/// and a share of the body memory budget for as long as it likes. Hummingbird's idle timeout covers
/// the time before a head is complete; this covers the body.
final class BodyDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let limit: TimeAmount
    private var deadline: Scheduled<Void>?
    /// A request's head has come and its end has not.
    private var awaitingEnd = false

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            awaitingEnd = true
        case .body:
            break
        case .end:
            awaitingEnd = false
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    /// The timer is set only when a read ends with a request still incomplete: most requests
    /// arrive whole in one read, and then no timer is scheduled at all (this is the hot path).
    func channelReadComplete(context: ChannelHandlerContext) {
        if awaitingEnd, deadline == nil {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            deadline = context.eventLoop.scheduleTask(in: limit) {
                loopBound.value.close(promise: nil)
            }
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}
