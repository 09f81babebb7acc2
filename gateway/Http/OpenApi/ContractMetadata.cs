namespace Widgets.Gateway.Http;

// Endpoint metadata that the OpenAPI document is written from (see OpenApiSetup). Each piece sits next to what it
// describes: a bound request part adds its own, a route group adds what all its endpoints share.

/// <summary>The problem+json codes an endpoint can answer with; several entries on one endpoint add up.</summary>
public sealed record ProblemsMetadata(params ProblemCode[] Codes);

/// <summary>A request header the endpoint reads.</summary>
public sealed record HeaderParameterMetadata(string Name, string Description, bool Required = false, int? MaxLength = null);

/// <summary>A response header the endpoint sets on the given status.</summary>
public sealed record ResponseHeaderMetadata(int Status, string Name, string Description);

/// <summary>How callers authenticate: an OAuth2 scope (bearer token), HTTP Basic (client id and secret), or nothing.</summary>
public sealed record SecurityMetadata(string Scheme, params string[] Scopes)
{
    public const string OAuth2 = "oauth2";
    public const string ClientBasic = "clientBasic";

    public static readonly SecurityMetadata Public = new("");
}

/// <summary>Another media type the endpoint answers with on <paramref name="Status"/> (e.g. CSV beside JSON), as text.</summary>
public sealed record ResponseContentMetadata(int Status, string ContentType, string Description);

/// <summary>
/// A form body (<c>application/x-www-form-urlencoded</c>) of <paramref name="Type"/>'s fields, for the document only: routing
/// does not enforce it, so the endpoint answers a wrong media type in its own words.
/// </summary>
public sealed record FormBodyMetadata(Type Type);

/// <summary>A named example of the request body, per media type.</summary>
public sealed record RequestExampleMetadata(string Name, string Summary, string ContentType, object Value);

/// <summary>An example of the success response body.</summary>
public sealed record ResponseExampleMetadata(int Status, object Value);

public static class ContractMetadataExtensions
{
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params ProblemCode[] codes)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ProblemsMetadata(codes));

    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params DomainError[] errors)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ProblemsMetadata(errors.Select(ProblemCodes.For).ToArray()));

    public static TBuilder WithResponseHeader<TBuilder>(this TBuilder builder, int status, string name, string description)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ResponseHeaderMetadata(status, name, description));

    public static TBuilder WithRequestHeader<TBuilder>(this TBuilder builder, string name, string description)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new HeaderParameterMetadata(name, description));

    /// <summary>
    /// Describes a non-JSON answer (HTML, an image, an event stream). It replaces what the handler's result type says of
    /// the same status and content type (a <c>ServerSentEventsResult&lt;string&gt;</c> says "a JSON SseItem"), so
    /// the document gets no schema component that nothing uses.
    /// </summary>
    public static TBuilder WithResponseContent<TBuilder>(this TBuilder builder, int status, string contentType, string description)
        where TBuilder : IEndpointConventionBuilder
    {
        // Entry conventions run after the metadata inferred from the handler's return type.
        builder.Add(endpoint =>
        {
            var inferred = endpoint.Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>().Where(m => m.StatusCode == status && m.ContentTypes.Contains(contentType)).ToList();
            inferred.ForEach(m => endpoint.Metadata.Remove(m));
        });
        return builder.WithMetadata(new ResponseContentMetadata(status, contentType, description));
    }

    public static TBuilder RequiresScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new SecurityMetadata(SecurityMetadata.OAuth2, scope));

    public static TBuilder WithRequestExample<TBuilder>(this TBuilder builder, string name, string summary, object value, string contentType = "application/json")
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new RequestExampleMetadata(name, summary, contentType, value));

    public static TBuilder WithResponseExample<TBuilder>(this TBuilder builder, object value, int status = 200)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ResponseExampleMetadata(status, value));
}
