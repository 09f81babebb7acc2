using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Pos;

/// <summary>
/// Reads the Idempotency-Key header and fingerprints the request it came with. The key and its first answer
/// live in the session grain's state, so a retry through another gateway or after a failover still replays.
/// </summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    private const int MaxLength = 64;

    public static (string? Key, IResult? Problem) Read(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var values))
        {
            return (null, null);
        }

        var key = values.ToString();
        return values.Count == 1 && key.Length is > 0 and <= MaxLength && key.All(c => c is > ' ' and < '\x7f')
            ? (key, null)
            : (null, Problems.Result(400, "invalid_idempotency_key", "Invalid Idempotency-Key",
                $"Idempotency-Key must be one value of 1–{MaxLength} visible ASCII characters."));
    }

    /// <summary>A hash of the request as parsed, so formatting differences of the same request do not count as another body.</summary>
    public static string Fingerprint<T>(string operation, T body) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(operation + "\n" + JsonSerializer.Serialize(body, WidgetsJson.Options))));

    /// <summary>The session id a keyed start maps to: the same client, location and key always give the same session.</summary>
    public static string SessionIdFor(string clientId, LocationKey location, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"start\n{clientId}\n{location}\n{key}")))[..32];
}
