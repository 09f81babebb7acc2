using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace Widgets.Gateway.Http;

/// <summary>
/// Reads a JSON request body and turns every way it can be wrong into a clear 4xx: minimal APIs' own binding
/// answers bad JSON with an empty 400, and ClearLine clients send <c>application/json-patch+json</c>.
/// </summary>
public static class JsonBody
{
    public const long MaxBytes = 64 * 1024;

    /// <summary>The media types every JSON endpoint accepts (ClearLine's own examples send the second).</summary>
    public static readonly string[] ContentTypes = ["application/json", "application/json-patch+json"];

    /// <summary>What reading or checking a body can refuse; every endpoint that takes one documents these.</summary>
    public static readonly ProblemCode[] Refusals =
        [ProblemCodes.ValidationFailed, ProblemCodes.InvalidJson, ProblemCodes.PayloadTooLarge, ProblemCodes.UnsupportedMediaType];

    public static async Task<(T? Value, ProblemHttpResult? Problem)> Read<T>(HttpRequest request)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problems.Of(ProblemCodes.UnsupportedMediaType));
        }

        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(new LimitedStream(request.Body, MaxBytes), WidgetsJson.Options, request.HttpContext.RequestAborted);
            if (value is null)
            {
                return (null, Problems.Of(ProblemCodes.InvalidJson, "The body must be a JSON object."));
            }

            var errors = new FieldErrors();
            (value as IValidatable)?.Validate(errors);
            return errors.Count > 0 ? (null, Problems.Validation(errors)) : (value, null);
        }
        catch (JsonException ex) when (ex.InnerException is not JsonException && ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal))
        {
            // Well-formed JSON with a field of the wrong type (e.g. "widgetId": "abc") or a value the field does not
            // take (an enum name that is not one) is a field validation error.
            return (null, Problems.Field(path[2..], ex is FieldValueException value ? value.Reason : "Has the wrong type for this field."));
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 2 } path ? $" at {path[2..]}" : "";
            return (null, Problems.Of(ProblemCodes.InvalidJson, $"The body is not valid for this endpoint{where}: {FirstLine(ex.Message)}"));
        }
        catch (LimitedStream.TooLargeException)
        {
            return (null, TooLarge());
        }
        catch (BadHttpRequestException bad)
        {
            // The body ended before its declared length (the client went away mid-request) or broke the server's own
            // limits: a refusal of this request, not a failure of the service, so it is answered here and not logged as one.
            return (null, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge() : Problems.Of(ProblemCodes.InvalidJson, $"The body could not be read: {bad.Message}"));
        }
    }

    /// <summary>Whether the request carries a body at all (a length, or chunked).</summary>
    public static bool IsPresent(HttpRequest request) => request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;

    /// <summary>Describes a JSON body of <paramref name="type"/> and its refusals to OpenAPI.</summary>
    public static void Describe(Type type, bool optional, EndpointBuilder builder)
    {
        builder.Metadata.Add(new AcceptsMetadata(ContentTypes, type, optional));
        builder.Metadata.Add(new ProblemsMetadata(Refusals));
    }

    private static ProblemHttpResult TooLarge() => Problems.Of(ProblemCodes.PayloadTooLarge, $"Bodies are limited to {MaxBytes / 1024} KB.");

    private static string FirstLine(string message)
    {
        var end = message.IndexOf(". Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] + "." : message;
    }
}

/// <summary>
/// A JSON request body, bound by <see cref="JsonBody.Read{T}"/> and checked by the body's own
/// <see cref="IValidatable.Validate"/>; a refused body is answered by <see cref="RefusalFilter"/> before the handler
/// runs. Declared nullable (<c>JsonBody&lt;T&gt;?</c>), the body may be left out.
/// </summary>
public sealed class JsonBody<T> : IBindableFromHttpContext<JsonBody<T>>, IEndpointParameterMetadataProvider, IRefusable
    where T : class
{
    /// <summary>Whether each handler parameter of this type is declared nullable, worked out once per parameter.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<ParameterInfo, bool> Optional = new();

    private JsonBody(T? value, ProblemHttpResult? refusal)
    {
        Body = value!;
        Refusal = refusal;
    }

    /// <summary>The body, read and valid; only the handler sees it, and only when nothing refused the request.</summary>
    public T Body { get; }

    public ProblemHttpResult? Refusal { get; }

    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        if (IsOptional(parameter) && !JsonBody.IsPresent(context.Request))
        {
            return null;
        }

        var (value, problem) = await JsonBody.Read<T>(context.Request);
        return new JsonBody<T>(value, problem);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) => JsonBody.Describe(typeof(T), IsOptional(parameter), builder);

    private static bool IsOptional(ParameterInfo parameter) =>
        Optional.GetOrAdd(parameter, p => new NullabilityInfoContext().Create(p).ReadState == NullabilityState.Nullable);
}
