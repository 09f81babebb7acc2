using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Widgets.Tests.Trust;

/// <summary>
/// One hostile request: which endpoint, what is wrong with it, whether the gateway must refuse it (4xx) or may
/// accept it (hostile text in a free-text field is still text), and whether the endpoint is an HTML page.
/// </summary>
public sealed record Probe(string Endpoint, string Case, bool MustRefuse, HttpClient Client, Func<HttpRequestMessage> Build, bool Html = false);

/// <summary>What one probe got back; <paramref name="Path"/> is the escaped path it was sent to, for matching it to a route.</summary>
public sealed record ProbeResult(Probe Probe, string Method, string Path, string Target, int Status, string? MediaType, string Body, string? Failure);

/// <summary>The hostile values of the sweep: strings, numbers and bodies that have broken parsers and pages before.</summary>
public static class Hostile
{
    /// <summary>A script an attacker would like a page to run; it must never appear unencoded in HTML.</summary>
    public const string Script = "<script>alert('xss-sweep')</script>";

    /// <summary>Markup that breaks out of an attribute value.</summary>
    public const string AttributeBreakout = "\"><img src=x onerror=alert('xss-sweep')>";

    /// <summary>A secret a caller tries to choose for a client it creates (as an extra field).</summary>
    public const string ChosenSecret = "chosen-by-the-caller-0123456789";

    public static readonly string OneMegabyte = new('a', 1024 * 1024);

    /// <summary>Hostile text, each as (name, value). The 1 MB string is separate: it is refused everywhere.</summary>
    public static readonly IReadOnlyList<(string Name, string Value)> Texts =
    [
        ("control characters", "a\u0000b\u0007c\u001b[2Jd\r\ne\u007f\u0085\u2028"),
        ("control characters but NUL", "a\u0001b\u0007c\u001b[2Jd\r\ne\u007f\u0085\u2028"),
        ("emoji", "🍕🔥👩🏽‍💻🇯🇵"),
        ("right-to-left text", "\u202Egnp.exe\u202C مرحبا שלום"),
        ("SQL injection", "'; DROP TABLE OrleansStorage; --"),
        ("SQL tautology", "\" OR 1=1 --"),
        ("script tag", Script),
        ("attribute breakout", AttributeBreakout),
        ("path traversal", "../../../../etc/passwd"),
        ("format string", "{0}{1}%s%n%x${jndi:ldap://x}"),
        ("70 characters", new string('x', 70)),
        ("empty", ""),
        ("whitespace", " \t "),
        // A valid id but for its end: .NET's $ also matches before a final newline (\z does not).
        ("control characters: a trailing newline", "lane-7\n"),
        // Enum.TryParse and JsonStringEnumConverter read this as a flags combination, also for enums that are not [Flags].
        ("comma-joined names", "checkout,idle"),
    ];

    /// <summary>Number edge cases as raw JSON tokens.</summary>
    public static readonly IReadOnlyList<string> Numbers =
        ["-1", "0", "2147483648", "-2147483649", "1e309", "-1e309", "1.5", "99999999999999999999999", "\"NaN\"", "\"Infinity\"", "\"1e3\"", "\"abc\"", "\"\""];

    /// <summary>Bodies that are not JSON objects at all.</summary>
    public static readonly IReadOnlyList<(string Name, byte[] Bytes)> MalformedBodies =
    [
        ("empty body", []),
        ("lone brace", Utf8("{")),
        ("missing value", Utf8("{\"posLocationId\":}")),
        ("unterminated array", Utf8("[1,2")),
        ("truncated literal", Utf8("nul")),
        ("bare string", Utf8("\"text\"")),
        ("array", Utf8("[]")),
        ("number", Utf8("123")),
        ("null", Utf8("null")),
        ("trailing comma", Utf8("{\"a\":1,}")),
        ("single quotes", Utf8("{'a':'b'}")),
        ("comment", Utf8("{/* hi */}")),
        ("nested 5000 deep", Utf8(new string('[', 5000) + new string(']', 5000))),
        ("object nested 200 deep", Utf8(string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200))),
        ("invalid UTF-8", [(byte)'{', 0xC3, 0x28, 0xFF, (byte)'}']),
        ("NUL bytes", [0, 0, 0, 0]),
    ];

    /// <summary>String tokens that are not valid text: a lone UTF-16 surrogate, and bytes that are not UTF-8.</summary>
    public static readonly IReadOnlyList<(string Name, byte[] Token)> InvalidStrings =
    [
        ("lone surrogate", Utf8("\"a\\ud800b\"")),
        ("invalid UTF-8", [(byte)'"', (byte)'a', 0xC3, 0x28, 0xFF, 0xFE, (byte)'"']),
    ];

    private static readonly JsonSerializerOptions Raw = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A string as a raw JSON token, non-ASCII sent as UTF-8 rather than escaped.</summary>
    public static string Token(string value) => JsonSerializer.Serialize(value, Raw);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>
/// A field of a JSON body the sweep attacks: where it is and what it holds; <paramref name="Names"/> are the words of a
/// closed set the field takes, which the sweep also sends comma-joined.
/// </summary>
public sealed record JsonField(string Path, FieldKind Kind, bool Required = false, string[]? Names = null);

public enum FieldKind
{
    /// <summary>An id (<c>[A-Za-z0-9._-]{1,64}</c>) or a closed set of words: any hostile string is refused.</summary>
    Id,

    /// <summary>Free text: hostile text may be accepted (it is only text), 1 MB is refused.</summary>
    Text,

    /// <summary>A POS profile field: free text, but control characters are refused.</summary>
    ProfileText,

    /// <summary>An id number that must be at least 1.</summary>
    PositiveInt,

    /// <summary>Any 32-bit integer.</summary>
    Int,

    Bool,
    Object,
    List,
}

/// <summary>Builds a JSON body with one field replaced by a raw JSON token, or removed.</summary>
public static class JsonBodies
{
    private const string Placeholder = "@@hostile-placeholder@@";

    public static byte[] With(JsonObject template, string path, string rawToken) => With(template, path, Hostile.Utf8(rawToken));

    /// <summary>The template with the value at <paramref name="path"/> replaced by these exact bytes (which need not be UTF-8).</summary>
    public static byte[] With(JsonObject template, string path, byte[] rawToken)
    {
        var body = (JsonObject)template.DeepClone();
        Set(body, path, JsonValue.Create(Placeholder));
        var parts = body.ToJsonString().Split($"\"{Placeholder}\"");
        return [.. Hostile.Utf8(parts[0]), .. rawToken, .. Hostile.Utf8(parts[1])];
    }

    public static byte[] Without(JsonObject template, string path)
    {
        var body = (JsonObject)template.DeepClone();
        var (parent, name) = Parent(body, path);
        ((JsonObject)parent!).Remove(name);
        return Hostile.Utf8(body.ToJsonString());
    }

    public static byte[] WithExtras(JsonObject template)
    {
        var body = (JsonObject)template.DeepClone();
        body["extra"] = "ignored";
        body["$type"] = "System.IO.FileInfo, System.IO.FileSystem";
        body["__proto__"] = new JsonObject { ["isAdmin"] = true };
        body["isAdmin"] = true;
        body["clientSecret"] = Hostile.ChosenSecret;
        body["secretHash"] = "00";
        body["scopes"] ??= new JsonArray("widgets_admin");
        body["id"] ??= 1;
        return Hostile.Utf8(body.ToJsonString());
    }

    private static void Set(JsonObject body, string path, JsonNode value)
    {
        var (parent, name) = Parent(body, path);
        if (parent is JsonArray array)
        {
            array[int.Parse(name, System.Globalization.CultureInfo.InvariantCulture)] = value;
        }
        else
        {
            parent![name] = value;
        }
    }

    /// <summary>The node holding the last step of <paramref name="path"/> (<c>a.b</c>, <c>a[0].b</c>) and that step.</summary>
    private static (JsonNode? Parent, string Name) Parent(JsonObject body, string path)
    {
        var steps = path.Replace("[", ".", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal).Split('.');
        JsonNode? node = body;
        foreach (var step in steps[..^1])
        {
            node = node is JsonArray a ? a[int.Parse(step, System.Globalization.CultureInfo.InvariantCulture)] : node![step];
        }

        return (node, steps[^1]);
    }
}

/// <summary>
/// Sends probes (a few at a time) and judges every answer: never a 5xx, a refused probe is a 4xx, every 4xx is
/// problem+json (an HTML page may answer with an HTML 4xx page), and no HTML answer holds hostile markup unencoded.
/// </summary>
public sealed class Sweep(ITestOutputHelper output)
{
    private readonly ConcurrentQueue<ProbeResult> results = new();

    public IReadOnlyList<ProbeResult> Results => results.ToArray();

    public async Task Run(IEnumerable<Probe> probes)
    {
        await Parallel.ForEachAsync(probes, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (probe, cancellationToken) =>
        {
            using var request = probe.Build();
            if (request.Content?.Headers.ContentLength > 64 * 1024)
            {
                // A body over the limits is refused before it is read: a client that waits for "100 Continue" gets
                // the answer without sending it. One that sends it anyway may see the connection reset by Kestrel,
                // which cannot drain a body over its 1 MB cap; that is the transport's business, not the sweep's.
                request.Headers.ExpectContinue = true;
                request.Headers.ConnectionClose = true;
            }

            var target = request.RequestUri?.OriginalString ?? "";
            var path = new Uri(probe.Client.BaseAddress!, request.RequestUri!).AbsolutePath;
            try
            {
                using var response = await probe.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                var mediaType = response.Content.Headers.ContentType?.MediaType;
                var body = mediaType == "text/event-stream" ? "(event stream)" : await response.Content.ReadAsStringAsync(cancellationToken);
                results.Enqueue(new ProbeResult(probe, request.Method.Method, path, target, (int)response.StatusCode, mediaType, body, null));
            }
            catch (HttpRequestException ex)
            {
                results.Enqueue(new ProbeResult(probe, request.Method.Method, path, target, 0, null, "", $"no answer: {ex.Message} {ex.InnerException?.Message}"));
            }
        });
    }

    /// <summary>What is wrong with each answer, one line per violation.</summary>
    public IReadOnlyList<string> Violations()
    {
        var violations = new List<string>();
        foreach (var r in Results)
        {
            var where = $"{r.Probe.Endpoint} [{r.Probe.Case}] → {r.Status} {r.MediaType}";
            if (r.Failure is not null)
            {
                violations.Add($"{where}: {r.Failure}");
                continue;
            }

            if (r.Status >= 500)
            {
                violations.Add($"{where}: a server error: {Excerpt(r.Body)}");
            }

            if (r.Probe.MustRefuse && r.Status is < 400 or >= 500)
            {
                violations.Add($"{where}: must be refused with a 4xx: {Excerpt(r.Body)}");
            }

            if (r.Status >= 400)
            {
                if (r.MediaType == "application/problem+json")
                {
                    var problem = TryParse(r.Body);
                    if (problem?["status"]?.GetValue<int>() != r.Status || string.IsNullOrEmpty(problem["code"]?.GetValue<string>()))
                    {
                        violations.Add($"{where}: not a problem with this status and a code: {Excerpt(r.Body)}");
                    }
                }
                else if (!(r.Probe.Html && r.MediaType == "text/html"))
                {
                    violations.Add($"{where}: a {r.Status} that is not problem+json: {Excerpt(r.Body)}");
                }
            }

            if (r.MediaType == "text/html" && (r.Body.Contains(Hostile.Script, StringComparison.OrdinalIgnoreCase)
                || r.Body.Contains("<img src=x", StringComparison.OrdinalIgnoreCase)))
            {
                violations.Add($"{where}: hostile markup unencoded in the page");
            }
        }

        return violations;
    }

    /// <summary>Writes the sweep's numbers to the test output: requests, by phase and endpoint, and the status histogram.</summary>
    public void Report(string title)
    {
        var all = Results;
        output.WriteLine($"{title}: {all.Count} requests to {all.Select(r => r.Probe.Endpoint).Distinct().Count()} endpoints; "
            + $"{all.Count(r => r.Probe.MustRefuse)} must be refused, {all.Count(r => !r.Probe.MustRefuse)} may be accepted; "
            + $"5xx: {all.Count(r => r.Status >= 500)}, no answer: {all.Count(r => r.Failure is not null)}");
        output.WriteLine($"refused by Kestrel's parser before the gateway (%00 in the request target), answered as problem+json: {all.Count(r => r.Target.Contains("%00", StringComparison.Ordinal))}");
        output.WriteLine("status histogram: " + string.Join(", ", all.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}")));
        foreach (var endpoint in all.GroupBy(r => r.Probe.Endpoint).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {endpoint.Key}: {endpoint.Count()} ({string.Join(", ", endpoint.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"))})");
        }
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Excerpt(string body) => body.Length > 300 ? body[..300] + "…" : body;
}
