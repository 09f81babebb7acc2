using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Widgets.Tests.Contract;

/// <summary>An answer that came through Prism, read whole.</summary>
public sealed record PrismAnswer(int Status, string Text, HttpResponseHeaders Headers)
{
    public JsonNode Json => JsonNode.Parse(Text) ?? throw new InvalidOperationException($"Not JSON: {Text}");

    public JsonNode Data => Json["data"] ?? throw new InvalidOperationException($"No data: {Text}");
}

/// <summary>
/// Sends requests through <see cref="PrismProxy"/> and keeps score: each answer that Prism let through (no violation)
/// counts as seen for its operation and status; each violation is kept with what caused it.
/// </summary>
public sealed class PrismRecorder(PrismProxy prism) : IDisposable
{
    private readonly HttpClient client = new(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
    {
        BaseAddress = prism.BaseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    private readonly Lock gate = new();

    public List<string> Violations { get; } = [];

    public HashSet<(string Operation, int Status)> Seen { get; } = [];

    public Uri BaseAddress => prism.BaseAddress;

    /// <summary>The same link through Prism (the gateway builds its links from the host it was asked on).</summary>
    public Uri Via(string link) => new(prism.BaseAddress, new Uri(link).PathAndQuery);

    public Task<PrismAnswer> Get(string operation, string path, string? token = null, IReadOnlyDictionary<string, string>? headers = null) =>
        Send(operation, HttpMethod.Get, path, token, null, headers);

    public Task<PrismAnswer> Delete(string operation, string path, string? token) => Send(operation, HttpMethod.Delete, path, token, null);

    public Task<PrismAnswer> Json(string operation, HttpMethod method, string path, string? token, object body, string mediaType = "application/json",
        IReadOnlyDictionary<string, string>? headers = null) =>
        Send(operation, method, path, token, Body(body, mediaType), headers);

    public static HttpContent Body(object body, string mediaType = "application/json")
    {
        var content = new StringContent(body is string raw ? raw : System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    public async Task<PrismAnswer> Send(string operation, HttpMethod method, string path, string? token, HttpContent? body,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        var violated = response.Headers.TryGetValues("sl-violations", out var violations) ? string.Join(' ', violations) : null;
        lock (gate)
        {
            if (violated is not null || text.Contains(PrismProxy.ErrorTypePrefix, StringComparison.Ordinal))
            {
                Violations.Add($"{operation} ({method} {path}) → {status}: {violated ?? text}");
            }
            else
            {
                Seen.Add((operation, status));
            }
        }

        return new PrismAnswer(status, text, response.Headers);
    }

    /// <summary>
    /// Sends bursts of <paramref name="count"/> copies of a request at once until one is refused with 429 (a loaded
    /// machine may spread one burst over more than a refill period), at most <paramref name="bursts"/> times.
    /// </summary>
    public async Task<bool> BurstUntilRefused(int count, Func<Task<PrismAnswer>> send, int bursts = 5)
    {
        for (var i = 0; i < bursts; i++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => send()));
            if (answers.Any(a => a.Status == 429))
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose() => client.Dispose();
}
