using System.Text.Json;

namespace Widgets.Gateway.Http;

/// <summary>
/// Reads a JSON request body and turns every way it can be wrong into a clear 4xx: minimal APIs' own binding
/// answers bad JSON with an empty 400, and ClearLine clients send <c>application/json-patch+json</c>.
/// </summary>
public static class JsonBody
{
    public const long MaxBytes = 64 * 1024;

    public static async Task<(T? Value, IResult? Problem)> Read<T>(HttpRequest request)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problems.Result(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Unsupported media type",
                "Send the body as application/json (application/json-patch+json is accepted too)."));
        }

        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(new LimitedStream(request.Body, MaxBytes), WidgetsJson.Options, request.HttpContext.RequestAborted);
            return value is null
                ? (null, Problems.Result(400, "invalid_json", "Invalid JSON", "The body must be a JSON object."))
                : (value, null);
        }
        catch (JsonException ex) when (ex.InnerException is not JsonException && ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal))
        {
            // Well-formed JSON with a field of the wrong type (e.g. "widgetId": "abc") is a field validation error.
            return (null, Problems.Field(path[2..], "Has the wrong type for this field."));
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 2 } path ? $" at {path[2..]}" : "";
            return (null, Problems.Result(400, "invalid_json", "Invalid JSON", $"The body is not valid for this endpoint{where}: {FirstLine(ex.Message)}"));
        }
        catch (LimitedStream.TooLargeException)
        {
            return (null, TooLarge());
        }
    }

    private static IResult TooLarge() =>
        Problems.Result(StatusCodes.Status413PayloadTooLarge, "payload_too_large", "Payload too large", $"Bodies are limited to {MaxBytes / 1024} KB.");

    private static string FirstLine(string message)
    {
        var end = message.IndexOf(". Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] + "." : message;
    }
}
