import Hummingbird
import NIOCore

/// `GET /openapi.json`: every route wameter serves, in OpenAPI 3.1, for client generators and for
/// checking the server against its description (`scripts/check-openapi.sh`). Written by hand next to
/// the routes; `OpenAPITests` checks that each path is served and that nothing served is missing.
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "wameter",
            "version": "1",
            "description": "A self-hosted meter for the WhatsApp Business Platform: Meta's webhooks in, an exact ledger of conversations, messages and their estimated cost out. Money is a decimal string in the account's currency. Every error is JSON {\"error\": \"reason\"}."
          },
          "servers": [{"url": "/"}],
          "components": {
            "securitySchemes": {
              "bearer": {"type": "http", "scheme": "bearer", "description": "WAMETER_API_TOKEN (every account) or a scoped token from `wameter tokens create` (its accounts only: others answer 404)"},
              "session": {"type": "apiKey", "in": "cookie", "name": "wameter_session", "description": "The dashboard's session, from POST /sign-in; accepted for GET /api/v1/* as well"}
            },
            "schemas": {
              "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
              "Account": {
                "type": "object",
                "required": ["id", "timezone", "currency"],
                "properties": {
                  "id": {"type": "string"}, "name": {"type": ["string", "null"]}, "timezone": {"type": "string"},
                  "currency": {"type": "string"}, "portfolio": {"type": ["string", "null"]},
                  "auto_created": {"type": "boolean"}
                }
              },
              "Report": {
                "type": "object",
                "description": "The month report, as `wameter report --format json` (docs/report.md). Fields are only ever added.",
                "required": ["account", "month", "timezone", "currency", "conversations", "messages", "by_market", "cost", "unrated"],
                "properties": {
                  "account": {"type": "string"}, "month": {"type": "string"}, "timezone": {"type": "string"},
                  "currency": {"type": "string"}, "conversations": {"type": "object"}, "messages": {"type": "object"},
                  "by_market": {"type": "object"}, "by_country": {"type": "object"}, "by_phone_number": {"type": "object"},
                  "cost": {"type": "object", "properties": {"total": {"type": "string"}, "currency": {"type": "string"}}},
                  "unrated": {"type": "object"}, "volume_tiers": {"type": "array"}, "webhook_priced": {"type": "object"},
                  "rate_cards": {"type": "array"}, "calls": {"type": "object", "description": "Voice calls of the month (docs/calls.md)"},
                  "forecast": {"type": "object", "description": "The month in progress only: month-end estimates with a range, free and volume tiers left (docs/report.md)"}
                }
              }
            },
            "responses": {
              "Error": {"description": "An error, with its reason", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
          },
          "paths": {
            "/webhook": {
              "get": {
                "summary": "Meta's verification handshake",
                "parameters": [
                  {"name": "hub.mode", "in": "query", "schema": {"type": "string"}},
                  {"name": "hub.verify_token", "in": "query", "schema": {"type": "string"}},
                  {"name": "hub.challenge", "in": "query", "schema": {"type": "string"}}
                ],
                "responses": {
                  "200": {"description": "hub.challenge, when the token matches", "content": {"text/plain": {"schema": {"type": "string"}}}},
                  "403": {"$ref": "#/components/responses/Error"}
                }
              },
              "post": {
                "summary": "A signed webhook delivery; 200 only once it is durably committed",
                "parameters": [{"name": "X-Hub-Signature-256", "in": "header", "required": true, "schema": {"type": "string"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {
                  "200": {"description": "Stored"},
                  "400": {"$ref": "#/components/responses/Error"},
                  "401": {"$ref": "#/components/responses/Error"},
                  "413": {"$ref": "#/components/responses/Error"},
                  "503": {"$ref": "#/components/responses/Error"}
                }
              }
            },
            "/health": {
              "get": {
                "summary": "Whether the database answers",
                "responses": {
                  "200": {"description": "Up", "content": {"application/json": {"schema": {"type": "object"}}}},
                  "503": {"description": "The database does not answer", "content": {"application/json": {"schema": {"type": "object"}}}}
                }
              }
            },
            "/api/v1/accounts": {
              "get": {
                "summary": "The accounts",
                "security": [{"bearer": []}, {"session": []}],
                "responses": {
                  "200": {"description": "Accounts", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Account"}}}}},
                  "401": {"$ref": "#/components/responses/Error"}
                }
              }
            },
            "/api/v1/accounts/{id}/report": {
              "get": {
                "summary": "An account's billing month",
                "security": [{"bearer": []}, {"session": []}],
                "parameters": [
                  {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                  {"name": "month", "in": "query", "required": true, "schema": {"type": "string", "pattern": "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])$", "description": "YYYY-MM, from 1970"}}
                ],
                "responses": {
                  "200": {"description": "The report", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}},
                  "400": {"$ref": "#/components/responses/Error"},
                  "401": {"$ref": "#/components/responses/Error"},
                  "404": {"$ref": "#/components/responses/Error"}
                }
              }
            },
            "/api/v1/insights": {
              "get": {
                "summary": "Counts and cost over any period and breakdown (docs/insights.md); filters are named by dimension (country=IN)",
                "security": [{"bearer": []}, {"session": []}],
                "parameters": [
                  {"name": "account", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, "explode": true},
                  {"name": "portfolio", "in": "query", "schema": {"type": "string"}},
                  {"name": "all", "in": "query", "schema": {"type": "boolean"}},
                  {"name": "from", "in": "query", "required": true, "description": "YYYY-MM-DD, or YYYY-MM for the month's first day; or a time on a half-hour, 2026-02-03T10:30+05:30 or …Z", "schema": {"type": "string", "pattern": "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])((-(0[1-9]|[12][0-9]|3[01]))(T([01][0-9]|2[0-3]):(00|30)(:00)?(Z|[+-][01][0-9]:[0-5][05]))?)?$"}},
                  {"name": "to", "in": "query", "description": "YYYY-MM-DD, or YYYY-MM for the month's last day; at most 3,660 days after from. A time (excluded, at most 31 days after from) when from is one", "schema": {"type": "string", "pattern": "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])((-(0[1-9]|[12][0-9]|3[01]))(T([01][0-9]|2[0-3]):(00|30)(:00)?(Z|[+-][01][0-9]:[0-5][05]))?)?$"}},
                  {"name": "granularity", "in": "query", "schema": {"type": "string", "enum": ["half_hour", "day", "month", "total"]}},
                  {"name": "by", "in": "query", "description": "Dimensions, comma-separated", "schema": {"type": "string", "pattern": "^((account|phone|country|market|category|pricing_type|direction|kind|tier)(,(account|phone|country|market|category|pricing_type|direction|kind|tier))*)?$"}},
                  {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"]}},
                  {"name": "forecast", "in": "query", "description": "Add each account's month-end forecast of its current month (JSON)", "schema": {"type": "boolean"}}
                ],
                "responses": {
                  "200": {"description": "The rows and totals", "content": {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}},
                  "400": {"$ref": "#/components/responses/Error"},
                  "401": {"$ref": "#/components/responses/Error"},
                  "404": {"$ref": "#/components/responses/Error"}
                }
              }
            },
            "/api/v1/reconciliations": {
              "get": {
                "summary": "Kept drift reports with Meta's analytics (serve's daily run, wameter reconcile --save), newest first (docs/reconcile.md)",
                "security": [{"bearer": []}, {"session": []}],
                "parameters": [
                  {"name": "account", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, "explode": true},
                  {"name": "month", "in": "query", "schema": {"type": "string", "pattern": "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])$", "description": "YYYY-MM"}},
                  {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 20}}
                ],
                "responses": {
                  "200": {"description": "{\"reconciliations\": [ …as wameter reconcile --format json ]}", "content": {"application/json": {"schema": {"type": "object", "properties": {"reconciliations": {"type": "array", "items": {"type": "object"}}}, "required": ["reconciliations"]}}}},
                  "400": {"$ref": "#/components/responses/Error"},
                  "401": {"$ref": "#/components/responses/Error"},
                  "404": {"$ref": "#/components/responses/Error"}
                }
              }
            },
            "/api/v1/alerts": {
              "get": {
                "summary": "Alerts raised (budgets, webhooks stopped, unrated units, reconciliation drift), newest first, with their deliveries (docs/budgets.md)",
                "security": [{"bearer": []}, {"session": []}],
                "parameters": [
                  {"name": "account", "in": "query", "schema": {"type": "string"}},
                  {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}}
                ],
                "responses": {
                  "200": {"description": "{\"alerts\": [ … ]}", "content": {"application/json": {"schema": {"type": "object", "properties": {"alerts": {"type": "array", "items": {"type": "object"}}}, "required": ["alerts"]}}}},
                  "400": {"$ref": "#/components/responses/Error"},
                  "401": {"$ref": "#/components/responses/Error"},
                  "404": {"$ref": "#/components/responses/Error"}
                }
              }
            },
            "/graph/{version}/{waba}": {
              "get": {
                "summary": "Meta's analytics, conversation_analytics and pricing_analytics, in Meta's request and response layout",
                "parameters": [
                  {"name": "version", "in": "path", "required": true, "schema": {"type": "string"}},
                  {"name": "waba", "in": "path", "required": true, "schema": {"type": "string"}},
                  {"name": "fields", "in": "query", "required": true, "schema": {"type": "string"}},
                  {"name": "access_token", "in": "query", "schema": {"type": "string"}}
                ],
                "security": [{"bearer": []}, {}],
                "responses": {
                  "200": {"description": "Meta's layout", "content": {"application/json": {"schema": {"type": "object"}}}},
                  "400": {"description": "Meta's error layout", "content": {"application/json": {"schema": {"type": "object"}}}},
                  "401": {"description": "Meta's error layout", "content": {"application/json": {"schema": {"type": "object"}}}}
                }
              }
            },
            "/metrics": {
              "get": {
                "summary": "Prometheus text format (docs/operations.md): webhook statuses, commits, events, connections, renders",
                "security": [{"bearer": []}],
                "responses": {
                  "200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}},
                  "401": {"$ref": "#/components/responses/Error"},
                  "403": {"description": "A token scoped to some accounts (metrics need the administrator token or an --all token)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                }
              }
            },
            "/openapi.json": {
              "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}
            },
            "/": {
              "get": {
                "summary": "Dashboard: every account this month (HTML)",
                "security": [{"session": []}, {}],
                "responses": {"200": {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}}, "303": {"description": "To /sign-in without a session"}}
              }
            },
            "/accounts/{id}": {
              "get": {
                "summary": "Dashboard: an account's month by day, or one day by half-hour (HTML)",
                "security": [{"session": []}, {}],
                "parameters": [
                  {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                  {"name": "month", "in": "query", "schema": {"type": "string", "pattern": "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])$", "description": "YYYY-MM, from 1970"}},
                  {"name": "day", "in": "query", "schema": {"type": "string", "pattern": "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", "description": "YYYY-MM-DD: that day by half-hour (month is then ignored)"}}
                ],
                "responses": {
                  "200": {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}},
                  "303": {"description": "To /sign-in without a session"},
                  "400": {"description": "A month that is not YYYY-MM"},
                  "404": {"description": "No such account"}
                }
              }
            },
            "/sign-in": {
              "get": {"summary": "The sign-in form (HTML)", "responses": {"200": {"description": "The form", "content": {"text/html": {"schema": {"type": "string"}}}}}},
              "post": {
                "summary": "Sign in with the API token or a scoped token; sets the session cookie",
                "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"token": {"type": "string"}}, "required": ["token"]}}}},
                "responses": {"303": {"description": "Signed in; Set-Cookie wameter_session"}, "401": {"description": "Not the API token (HTML form again)"}, "413": {"description": "Body over 8 KB"}}
              }
            },
            "/sign-in/once": {
              "get": {
                "summary": "Sign in once with a code (wameter demo's link)",
                "parameters": [
                  {"name": "code", "in": "query", "required": true, "schema": {"type": "string"}},
                  {"name": "next", "in": "query", "schema": {"type": "string"}}
                ],
                "responses": {"303": {"description": "Signed in"}, "401": {"description": "Used or expired"}}
              }
            },
            "/sign-out": {
              "post": {"summary": "End the session", "responses": {"303": {"description": "To /sign-in; the cookie cleared"}}}
            },
            "/dashboard/events": {
              "get": {
                "summary": "The ledger's version as server-sent events (event: version), which open pages listen to",
                "security": [{"session": []}],
                "responses": {"200": {"description": "An event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}}, "401": {"description": "No session"}, "503": {"description": "Too many open streams"}}
              }
            },
            "/dashboard/version": {
              "get": {
                "summary": "The ledger's version, which open pages poll",
                "security": [{"session": []}],
                "responses": {"200": {"description": "A number", "content": {"text/plain": {"schema": {"type": "string"}}}}, "401": {"description": "No session"}}
              }
            }
          }
        }
        """#

    static func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: json)))
        }
    }
}
