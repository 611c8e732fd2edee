import MeterStore
import PostgresNIO

extension StoreBackend {
    /// Runs `body` with a client of its own on a test schema, for what the store offers no call
    /// for (triggers, the migrations table, raw statements). The client's run loop is started
    /// before the first query, as the store starts its own, so PostgresNIO has nothing to warn
    /// about, and it is ended when `body` returns.
    public static func withClient<T>(
        _ settings: PostgresSettings, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: try settings.clientConfiguration())
        let running = Task.immediate { await client.run() }
        do {
            let result = try await body(client)
            running.cancel()
            await running.value
            return result
        } catch {
            running.cancel()
            await running.value
            throw error
        }
    }
}
