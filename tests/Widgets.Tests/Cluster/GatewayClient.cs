using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Cluster;

/// <summary>What one HTTP exchange returned: the status, the JSON body if any, and <c>Retry-After</c>.</summary>
internal sealed record GatewayReply(int Status, string Body, TimeSpan? RetryAfter)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>The <c>data</c> member of the contract's envelope.</summary>
    public JsonNode Data => JsonNode.Parse(Body)?["data"] ?? throw new InvalidOperationException($"No data in {Status}: {Body}");

    public override string ToString() => $"{Status}{(RetryAfter is { } r ? $" (Retry-After {r.TotalSeconds:0} s)" : "")}: {Body}";
}

/// <summary>
/// A client of a gateway of a process cluster, signed in with OAuth2 client credentials like a POS or an operator
/// tool. Every request has a <see cref="RequestTimeout"/>: a gateway that hangs fails the test.
/// </summary>
internal sealed class GatewayClient : IDisposable
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient http;

    private GatewayClient(Uri gateway, string token, TimeSpan timeout)
    {
        Gateway = gateway;
        http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = gateway,
            Timeout = timeout,
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Uri Gateway { get; }

    /// <summary>How long a request may go unanswered before it throws.</summary>
    public TimeSpan Timeout => http.Timeout;

    /// <summary>
    /// Gets a token at <c>POST /connect/token</c> (waiting for the client to exist, e.g. the demo seed); its requests
    /// give up after <paramref name="requestTimeout"/> (<see cref="RequestTimeout"/> by default).
    /// </summary>
    public static async Task<GatewayClient> SignInAsync(Uri gateway, string clientId, string secret, string scope, TimeSpan? requestTimeout = null)
    {
        using var anonymous = new HttpClient { BaseAddress = gateway, Timeout = RequestTimeout };
        var token = await Eventually.Returns(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = scope }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
            using var response = await anonymous.SendAsync(request);
            return response.StatusCode == HttpStatusCode.OK
                ? JsonNode.Parse(await response.Content.ReadAsStringAsync())?["access_token"]?.GetValue<string>()
                : null;
        }, t => t is not null, TimeSpan.FromSeconds(30), $"a token for {clientId}");
        return new GatewayClient(gateway, token!, requestTimeout ?? RequestTimeout);
    }

    public Task<GatewayReply> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<GatewayReply> PostAsync(string path, object? body) => SendAsync(HttpMethod.Post, path, body);

    public Task<GatewayReply> PutAsync(string path, object? body) => SendAsync(HttpMethod.Put, path, body);

    /// <summary>One exchange; a timeout or a refused connection throws (the caller decides what that means).</summary>
    public async Task<GatewayReply> SendAsync(HttpMethod method, string path, object? body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var retryAfter = response.Headers.RetryAfter is { } r ? r.Delta ?? (r.Date - DateTimeOffset.UtcNow) : null;
        return new GatewayReply((int)response.StatusCode, await response.Content.ReadAsStringAsync(), retryAfter);
    }

    /// <summary>A request that must succeed with <paramref name="status"/>; returns <c>data</c>.</summary>
    public async Task<JsonNode> DataAsync(HttpMethod method, string path, object? body = null, int status = 200)
    {
        var reply = await SendAsync(method, path, body);
        Assert.True(reply.Status == status, $"{method} {path}: expected {status}, got {reply}");
        return reply.Data;
    }

    public void Dispose() => http.Dispose();
}
