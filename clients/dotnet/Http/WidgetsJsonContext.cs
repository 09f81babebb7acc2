using System.Text.Json;
using System.Text.Json.Serialization;

namespace Widgets.Client.Http;

/// <summary>The contract's envelope: every success body is <c>{ "data": … }</c>.</summary>
internal sealed record DataEnvelope<T>(T? Data);

/// <summary>The OAuth2 token response (plain, not enveloped).</summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string? Scope);

/// <summary>An RFC 9457 problem as the API writes it, with OAuth2's <c>error</c> members at the token endpoint.</summary>
internal sealed record ProblemBody(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    string? Code,
    Dictionary<string, string[]>? Errors,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription);

/// <summary>
/// The contract's JSON: camelCase names, numbers also read from strings, nulls not sent. Source-generated, so the
/// client needs no reflection (trimming and native AOT work) — and the OpenAPI check reads the same metadata.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ListWidgetsRequest))]
[JsonSerializable(typeof(StartSessionRequest))]
[JsonSerializable(typeof(ShowQrCodeRequest))]
[JsonSerializable(typeof(SendMessageRequest))]
[JsonSerializable(typeof(CarouselRequest))]
[JsonSerializable(typeof(DataEnvelope<IReadOnlyList<Widget>>))]
[JsonSerializable(typeof(DataEnvelope<StartedSession>))]
[JsonSerializable(typeof(DataEnvelope<QrCode>))]
[JsonSerializable(typeof(DataEnvelope<SentMessages>))]
[JsonSerializable(typeof(DataEnvelope<Session>))]
[JsonSerializable(typeof(DataEnvelope<CarouselLink>))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(ProblemBody))]
internal sealed partial class WidgetsJsonContext : JsonSerializerContext;
