using Widgets.Hosting;

namespace Widgets.Gateway.Links;

/// <summary>Absolute URLs of the customer pages: <c>Widgets:PublicBaseUrl</c>, else the request's own scheme and host.</summary>
public sealed class PublicUrls(IConfiguration configuration, LinkTokens tokens, UnsubscribeTokens unsubscribeTokens)
{
    private readonly string? configuredBase = WidgetsOptions.From(configuration).PublicBaseUrl?.TrimEnd('/');

    public string Base(HttpRequest request) => configuredBase ?? $"{request.Scheme}://{request.Host}";

    public string Screen(HttpRequest request, string sessionId) => $"{Base(request)}/s/{tokens.Issue(LinkKind.Screen, sessionId)}";

    public string Landing(HttpRequest request, string sessionId) => $"{Base(request)}/w/{tokens.Issue(LinkKind.Landing, sessionId)}";

    public string Unsubscribe(HttpRequest request, string email) => $"{Base(request)}/u/{unsubscribeTokens.Issue(email)}";

    /// <summary>Where the SMS provider reports delivery of this session's messages (the message id is appended).</summary>
    public string DeliveryCallback(HttpRequest request, string sessionId) => $"{Base(request)}/webhooks/twilio/status/{sessionId}";
}
