using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Pos;

/// <summary>
/// The <c>Idempotency-Key</c> header of a start or send, read once per request. The key and its first answer live in
/// the session grain's state, so a retry through another gateway or after a failover still replays. A handler takes
/// it as <c>IdempotencyKey?</c>: null when the header is absent.
/// </summary>
public sealed class IdempotencyKey : IBindableFromHttpContext<IdempotencyKey>, IEndpointParameterMetadataProvider, IRefusable
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 64;

    private IdempotencyKey(string? value, ProblemHttpResult? refusal)
    {
        Value = value!;
        Refusal = refusal;
    }

    public string Value { get; }

    public ProblemHttpResult? Refusal { get; }

    public static ValueTask<IdempotencyKey?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        if (!context.Request.Headers.TryGetValue(Header, out var values))
        {
            return ValueTask.FromResult<IdempotencyKey?>(null);
        }

        var key = values.ToString();
        return ValueTask.FromResult<IdempotencyKey?>(values.Count == 1 && key.Length is > 0 and <= MaxLength && key.All(c => c is > ' ' and < '\x7f')
            ? new IdempotencyKey(key, null)
            : new IdempotencyKey(null, Problems.Of(ProblemCodes.InvalidIdempotencyKey)));
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        builder.Metadata.Add(new HeaderParameterMetadata(Header,
            $"Makes a retried call safe: the same key with the same body answers the first result again and acts once; the same key with another body is 422 `{ProblemCodes.IdempotencyKeyReused.Code}`. 1–{MaxLength} visible ASCII characters.",
            Required: false, MaxLength: MaxLength));
        builder.Metadata.Add(new ProblemsMetadata(ProblemCodes.InvalidIdempotencyKey, ProblemCodes.IdempotencyKeyReused));
    }

    /// <summary>The key with a hash of the request it came with (as parsed, so formatting differences are the same request).</summary>
    public RequestKey For<T>(string operation, T body) => new(Value, Fingerprint(operation, body));

    public static string Fingerprint<T>(string operation, T body) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(operation + "\n" + JsonSerializer.Serialize(body, WidgetsJson.Options))));

    /// <summary>The session id a keyed start maps to: the same client, location and key always give the same session.</summary>
    public string SessionIdFor(string clientId, LocationKey location) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"start\n{clientId}\n{location}\n{Value}")))[..32];
}
