namespace Widgets.Client.Http;

/// <summary>
/// One operation of the API the client calls: its route, the body it sends, the <c>data</c> it reads and the headers
/// it adds. The client builds every request from these, and the OpenAPI check compares the same table with the
/// gateway's document, so the two cannot drift apart unnoticed.
/// </summary>
/// <param name="Name">The client method that calls it.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Route">The route template as the OpenAPI document writes it.</param>
/// <param name="Request">The JSON body's type, or null.</param>
/// <param name="Response">The type of the success body's <c>data</c> (the whole body for the token endpoint).</param>
/// <param name="Headers">Request headers the client sends besides Authorization.</param>
internal sealed record ApiOperation(string Name, HttpMethod Method, string Route, Type? Request, Type Response, IReadOnlyList<string> Headers)
{
    /// <summary>The route with its parameters filled in (escaped), relative to the base address.</summary>
    public string Path(params (string Name, string Value)[] values)
    {
        var path = Route;
        foreach (var (name, value) in values)
        {
            path = path.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        return path.TrimStart('/');
    }
}

internal static class ApiOperations
{
    public const string IdempotencyKey = "Idempotency-Key";
    public const string IfNoneMatch = "If-None-Match";

    public static readonly ApiOperation Token =
        new(nameof(Token), HttpMethod.Post, "/connect/token", null, typeof(TokenResponse), []);

    public static readonly ApiOperation ListWidgets =
        new(nameof(IWidgetsClient.ListWidgetsAsync), HttpMethod.Post, "/v2/pos/{posSystemId}/widgets/list", typeof(ListWidgetsRequest), typeof(IReadOnlyList<Widget>), [IfNoneMatch]);

    public static readonly ApiOperation StartSession =
        new(nameof(IWidgetsClient.StartSessionAsync), HttpMethod.Post, "/v2/pos/{posSystemId}/widget/start", typeof(StartSessionRequest), typeof(StartedSession), [IdempotencyKey]);

    public static readonly ApiOperation ShowQrCode =
        new(nameof(IWidgetsClient.ShowQrCodeAsync), HttpMethod.Post, "/v2/pos/{posSystemId}/widget/showQrCode", typeof(ShowQrCodeRequest), typeof(QrCode), []);

    public static readonly ApiOperation SendMessage =
        new(nameof(IWidgetsClient.SendMessageAsync), HttpMethod.Post, "/v2/pos/{posSystemId}/widget/sendMessage", typeof(SendMessageRequest), typeof(SentMessages), [IdempotencyKey]);

    public static readonly ApiOperation GetSession =
        new(nameof(IWidgetsClient.GetSessionAsync), HttpMethod.Get, "/v2/pos/{posSystemId}/widget/sessions/{sessionId}", null, typeof(Session), []);

    public static readonly ApiOperation CancelSession =
        new(nameof(IWidgetsClient.CancelSessionAsync), HttpMethod.Post, "/v2/pos/{posSystemId}/widget/sessions/{sessionId}/cancel", null, typeof(Session), []);

    public static readonly ApiOperation Carousel =
        new(nameof(IWidgetsClient.GetCarouselAsync), HttpMethod.Post, "/v2/pos/{posSystemId}/carousel", typeof(CarouselRequest), typeof(CarouselLink), []);

    /// <summary>The token request's form fields (it is form-encoded, not JSON).</summary>
    public static readonly IReadOnlyList<string> TokenFormFields = ["grant_type", "scope"];

    /// <summary>Every operation the client calls.</summary>
    public static readonly IReadOnlyList<ApiOperation> All = [Token, ListWidgets, StartSession, ShowQrCode, SendMessage, GetSession, CancelSession, Carousel];
}
