using System.Text.Json.Nodes;
using Widgets.Client.Http;
using Xunit;

namespace Widgets.Tests.Client;

/// <summary>
/// The OpenAPI check must be able to fail: a described document (3.1, as ASP.NET Core writes it: <c>$ref</c>s,
/// type arrays, numbers also as strings) that matches the client passes, and each kind of drift is reported.
/// </summary>
public sealed class OpenApiContractTests
{
    [Fact]
    public void A_described_document_that_matches_the_client_has_no_problems()
    {
        var contract = new OpenApiContract(Document());

        Assert.Empty(Compare(contract, ApiOperations.StartSession));
        Assert.Empty(Compare(contract, ApiOperations.GetSession));
    }

    [Theory]
    [InlineData("components.schemas.StartRequest.properties.terminalId", "rename:laneId", "request.terminalId: the client sends it, the document does not have it")]
    [InlineData("components.schemas.StartRequest.required", "add:storeNumber", "request.storeNumber: the document requires it, the client never sends it")]
    [InlineData("components.schemas.Started.properties.timeoutSeconds", "type:string", "data.timeoutSeconds: the client has integer (Int32?), the document says string")]
    [InlineData("components.schemas.Started.properties", "add:lane", "data.lane: the document has it, the client's StartedSession does not read it")]
    [InlineData("components.schemas.Session.allOf.0.properties.widgetId", "type:null,integer", "data.widgetId: the document allows null, the client's Int32 does not")]
    [InlineData("components.schemas.Session.allOf.1.properties.messages", "items:string", "data.messages[]: the client has an object (SentMessage), the document says string")]
    [InlineData("paths./v2/pos/{posSystemId}/widget/start.post.parameters", "clear", "header 'Idempotency-Key' the client sends is not documented")]
    [InlineData("paths./v2/pos/{posSystemId}/widget/start.post.responses.429.headers", "clear", "429: no Retry-After header documented")]
    [InlineData("components.schemas.Problem.properties", "remove:code", "404: the problem has no 'code'")]
    [InlineData("paths./v2/pos/{posSystemId}/widget/start.post.responses.200.content.application/json.schema.properties", "rename:result", "the 2xx answer has no 'data' envelope")]
    public void Drift_between_the_document_and_the_client_is_reported(string at, string change, string expected)
    {
        var document = Document();
        Change(document, at, change);

        var problems = Compare(new OpenApiContract(document), ApiOperations.StartSession).Concat(Compare(new OpenApiContract(document), ApiOperations.GetSession)).ToList();

        Assert.True(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)), $"Expected '{expected}' among:\n{string.Join("\n", problems)}");
    }

    private static IReadOnlyList<string> Compare(OpenApiContract contract, ApiOperation operation) =>
        contract.Compare(operation, contract.Find(operation.Method, operation.Route) ?? throw new InvalidOperationException($"{operation.Route} not in the test document"));

    /// <summary>Edits the document at a dotted path (keys containing dots are not used here).</summary>
    private static void Change(JsonNode document, string at, string change)
    {
        var node = at.Split('.').Aggregate(document, (n, key) => n is JsonArray array ? array[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)]! : n[key]!);
        var (verb, argument) = (change.Split(':')[0], change.Contains(':') ? change.Split(':')[1] : "");
        switch (verb)
        {
            case "rename" when node.Parent is JsonObject parent:
                var name = node.GetPropertyName();
                parent.Remove(name);
                parent[argument] = node;
                break;
            case "add" when node is JsonArray array:
                array.Add(argument);
                break;
            case "add":
                node[argument] = new JsonObject { ["type"] = "string" };
                break;
            case "remove":
                node.AsObject().Remove(argument);
                break;
            case "type":
                node["type"] = argument.Contains(',') ? new JsonArray(argument.Split(',').Select(t => (JsonNode?)t).ToArray()) : argument;
                break;
            case "items":
                node["items"] = new JsonObject { ["type"] = argument };
                break;
            case "clear" when node is JsonArray array:
                array.Clear();
                break;
            case "clear":
                node.AsObject().Clear();
                break;
            default:
                throw new ArgumentException($"Unknown change {change} at {at}");
        }
    }

    /// <summary>widget/start and GET session, described as the complete document will describe them.</summary>
    private static JsonNode Document() => JsonNode.Parse("""
        {
          "openapi": "3.1.1",
          "paths": {
            "/v2/pos/{posSystemId}/widget/start": {
              "post": {
                "operationId": "startSession",
                "parameters": [
                  { "name": "posSystemId", "in": "path", "required": true, "schema": { "type": "string" } },
                  { "name": "Idempotency-Key", "in": "header", "schema": { "type": "string", "maxLength": 64 } }
                ],
                "requestBody": { "content": {
                  "application/json": { "schema": { "$ref": "#/components/schemas/StartRequest" } },
                  "application/json-patch+json": { "schema": { "$ref": "#/components/schemas/StartRequest" } } } },
                "responses": {
                  "200": { "description": "OK", "content": { "application/json": { "schema": {
                    "type": "object", "required": ["data"], "properties": { "data": { "$ref": "#/components/schemas/Started" } } } } } },
                  "404": { "description": "terminal_not_found", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
                  "429": { "description": "rate_limited", "headers": { "Retry-After": { "schema": { "type": "integer" } } },
                    "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
                }
              }
            },
            "/v2/pos/{posSystemId}/widget/sessions/{sessionId}": {
              "get": {
                "operationId": "getSession",
                "responses": {
                  "200": { "description": "OK", "content": { "application/json": { "schema": {
                    "type": "object", "properties": { "data": { "$ref": "#/components/schemas/Session" } } } } } }
                }
              }
            }
          },
          "components": { "schemas": {
            "StartRequest": { "type": "object", "required": ["posLocationId", "terminalId", "widgetId"], "properties": {
              "posLocationId": { "type": "string" }, "terminalId": { "type": "string" },
              "widgetId": { "type": ["integer", "string"], "pattern": "^-?(?:0|[1-9]\\d*)$", "format": "int32" },
              "couponId": { "type": ["null", "string"] } } },
            "Started": { "type": "object", "properties": {
              "sessionId": { "type": "string" }, "qrCodePreviewHtmlLinkUrl": { "type": "string" },
              "expiresAt": { "type": "string", "format": "date-time" }, "timeoutSeconds": { "type": ["integer", "string"], "format": "int32" },
              "statusUrl": { "type": "string" }, "eventsUrl": { "type": "string" } } },
            "Message": { "type": "object", "properties": {
              "messageId": { "type": "string" }, "channel": { "type": "string", "enum": ["sms", "email"] }, "to": { "type": "string" },
              "status": { "type": "string" }, "reason": { "type": ["null", "string"] } } },
            "Session": { "allOf": [ { "type": "object", "properties": {
              "sessionId": { "type": "string" }, "widgetId": { "type": "integer" }, "terminalId": { "type": "string" },
              "state": { "type": "string", "enum": ["active", "completed", "timedOut", "cancelled", "superseded"] },
              "startedAt": { "type": "string", "format": "date-time" }, "lastInteractionAt": { "type": "string", "format": "date-time" },
              "expiresAt": { "type": "string", "format": "date-time" } } },
              { "properties": { "endedAt": { "type": ["null", "string"], "format": "date-time" }, "endReason": { "type": ["null", "string"] },
                "messages": { "type": "array", "items": { "$ref": "#/components/schemas/Message" } } } } ] },
            "Problem": { "type": "object", "properties": {
              "type": { "type": ["null", "string"] }, "title": { "type": "string" }, "status": { "type": "integer" },
              "detail": { "type": "string" }, "code": { "type": "string" } } }
          } }
        }
        """)!;
}
