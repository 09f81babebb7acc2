namespace Widgets.Gateway.Http;

/// <summary>
/// A JSON body serialized beforehand, answered as <c>TypedResults.Json</c> answers: status 200, the same
/// Content-Type, the body streamed without a Content-Length.
/// </summary>
public sealed class JsonBytesResult(byte[] utf8Json) : IResult
{
    public const string ContentType = "application/json; charset=utf-8";

    public async Task ExecuteAsync(HttpContext context)
    {
        context.Response.ContentType = ContentType;
        // No cancellation token: like TypedResults.Json, a client that went away is not a failure to report.
        await context.Response.BodyWriter.WriteAsync(utf8Json);
    }
}
