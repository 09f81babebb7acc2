using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Widgets.Gateway.Http;

/// <summary>
/// A JSON body of <typeparamref name="T"/> serialized beforehand, answered as <c>TypedResults.Ok</c> answers: status
/// 200, the same Content-Type, the body streamed without a Content-Length. Describes itself to OpenAPI as a
/// <typeparamref name="T"/>.
/// </summary>
public sealed class JsonBytesResult<T>(byte[] utf8Json) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public const string ContentType = "application/json; charset=utf-8";

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext context)
    {
        context.Response.ContentType = ContentType;
        // No cancellation token: like TypedResults.Ok, a client that went away is not a failure to report.
        await context.Response.BodyWriter.WriteAsync(utf8Json);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}

/// <summary>304: the caller's cached copy (its If-None-Match) is still current.</summary>
public sealed class NotModified : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public static readonly NotModified Instance = new();

    public int? StatusCode => StatusCodes.Status304NotModified;

    public Task ExecuteAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status304NotModified;
        return Task.CompletedTask;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)));
}
