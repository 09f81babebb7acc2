using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Widgets.Tests.Infrastructure;

/// <summary>
/// JSON over HTTP as a client of the contract sees it: bodies are built and read as plain JSON (never the
/// gateway's own types), and every assertion failure shows the response it was about.
/// </summary>
public static class GatewayJson
{
    public const string Json = "application/json";

    /// <summary>The content type ClearLine's own curl examples send.</summary>
    public const string JsonPatch = "application/json-patch+json";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static HttpContent Body(object body, string mediaType = Json) => Raw(JsonSerializer.Serialize(body, Options), mediaType);

    public static HttpContent Raw(string body, string mediaType)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, object body, string mediaType = Json) =>
        client.PostAsync(url, Body(body, mediaType));

    public static Task<HttpResponseMessage> PutJson(this HttpClient client, string url, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = Body(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request);
    }

    public static async Task<JsonNode> ReadJson(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonNode.Parse(text) ?? throw new JsonException("null");
        }
        catch (JsonException)
        {
            Assert.Fail($"{Describe(response)} is not JSON: {text}");
            throw;
        }
    }

    /// <summary>Asserts the status and the <c>{ "data": ... }</c> envelope; returns <c>data</c>.</summary>
    public static async Task<JsonNode> Data(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} from {Describe(response)}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(Json, response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.True(body.ContainsKey("data"), $"No data envelope in {text}");
        return body["data"]!;
    }

    /// <summary>
    /// Asserts an RFC 9457 problem: <c>application/problem+json</c> with <c>status</c>, <c>title</c>,
    /// <c>detail</c> and the stable <c>code</c>; returns the problem.
    /// </summary>
    public static async Task<JsonObject> Problem(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {code} from {Describe(response)}, got {(int)response.StatusCode}: {text}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"Expected application/problem+json, got '{response.Content.Headers.ContentType}': {text}");
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, problem["status"]?.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["title"]?.GetValue<string>()), $"No title in {text}");
        Assert.False(string.IsNullOrWhiteSpace(problem["detail"]?.GetValue<string>()), $"No detail in {text}");
        Assert.Equal(code, problem["code"]?.GetValue<string>());
        return problem;
    }

    /// <summary>Asserts a 400 <c>validation_failed</c> whose <c>errors</c> name <paramref name="fields"/>, each with a message.</summary>
    public static async Task<JsonObject> ValidationProblem(this HttpResponseMessage response, params string[] fields)
    {
        var problem = await response.Problem(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem["errors"]?.AsObject();
        Assert.True(errors is not null, $"No errors in {problem.ToJsonString()}");
        foreach (var field in fields)
        {
            var messages = errors[field]?.AsArray();
            Assert.True(messages is { Count: > 0 }, $"No error for '{field}' in {errors.ToJsonString()}");
            Assert.All(messages, m => Assert.False(string.IsNullOrWhiteSpace(m?.GetValue<string>())));
        }

        return problem;
    }

    public static string Text(this JsonNode? node, string property) =>
        node?[property]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"No string '{property}' in {node?.ToJsonString()}");

    public static int Int(this JsonNode? node, string property) =>
        node?[property]?.GetValue<int>() ?? throw new Xunit.Sdk.XunitException($"No number '{property}' in {node?.ToJsonString()}");

    public static long Long(this JsonNode? node, string property) =>
        node?[property]?.GetValue<long>() ?? throw new Xunit.Sdk.XunitException($"No number '{property}' in {node?.ToJsonString()}");

    public static DateTimeOffset Time(this JsonNode? node, string property) =>
        DateTimeOffset.Parse(node.Text(property), System.Globalization.CultureInfo.InvariantCulture);

    public static IReadOnlyList<string> Strings(this JsonNode? node, string property) =>
        node?[property]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? throw new Xunit.Sdk.XunitException($"No array '{property}' in {node?.ToJsonString()}");

    public static IReadOnlyList<string> Keys(this JsonNode? node) => node!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToList();

    private static string Describe(HttpResponseMessage response) =>
        $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}";
}
