using Widgets.Hosting;

namespace Widgets.Gateway.Links;

/// <summary>Absolute URLs of the customer pages: <c>Widgets:PublicBaseUrl</c>, else the request's own scheme and host.</summary>
public sealed class PublicUrls(IConfiguration configuration, LinkTokens tokens)
{
    private readonly string? configuredBase = WidgetsOptions.From(configuration).PublicBaseUrl?.TrimEnd('/');

    public string Base(HttpRequest request) => configuredBase ?? $"{request.Scheme}://{request.Host}";

    public string Screen(HttpRequest request, string sessionId) => $"{Base(request)}/s/{tokens.Issue(LinkKind.Screen, sessionId)}";

    public string Landing(HttpRequest request, string sessionId) => $"{Base(request)}/w/{tokens.Issue(LinkKind.Landing, sessionId)}";
}
