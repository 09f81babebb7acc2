using Microsoft.AspNetCore.Http.HttpResults;

namespace Widgets.Gateway.Http;

/// <summary>ClearLine's success envelope: every JSON answer but the OAuth2 token is <c>{ "data": … }</c>.</summary>
public sealed record DataEnvelope<T>(T Data);

public static class Envelope
{
    public static Ok<DataEnvelope<T>> Ok<T>(T data) => TypedResults.Ok(new DataEnvelope<T>(data));

    public static Created<DataEnvelope<T>> Created<T>(string location, T data) => TypedResults.Created(location, new DataEnvelope<T>(data));
}
