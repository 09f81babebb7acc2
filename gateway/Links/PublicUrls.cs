using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Primitives;
using Widgets.Gateway.Http;
using Widgets.Hosting;

namespace Widgets.Gateway.Links;

/// <summary>
/// Where customer links point: <c>Widgets:PublicBaseUrl</c> when set; otherwise the request's own scheme and host,
/// but only a host this service is known to answer to (loopback, or one listed in <c>AllowedHosts</c>). A forged
/// <c>Host</c> header must never put someone else's site into a QR code, a text message or an email.
/// </summary>
public sealed class PublicUrls
{
    public static readonly ProblemCode HostNotAllowed = new("host_not_allowed", 400, "Host not allowed",
        "Links are built from the request's host only when it is loopback or listed in AllowedHosts; the operator sets Widgets:PublicBaseUrl.");

    private readonly string? configuredBase;
    private readonly List<StringSegment> allowedHosts;
    private readonly LinkTokens tokens;
    private readonly UnsubscribeTokens unsubscribeTokens;

    public PublicUrls(IConfiguration configuration, LinkTokens tokens, UnsubscribeTokens unsubscribeTokens)
    {
        configuredBase = WidgetsOptions.From(configuration).PublicBaseUrl?.TrimEnd('/');
        // AllowedHosts as ASP.NET Core's host filtering reads it; "*" names no host in particular.
        allowedHosts = (configuration["AllowedHosts"] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(h => h != "*")
            .Select(h => new StringSegment(h))
            .ToList();
        this.tokens = tokens;
        this.unsubscribeTokens = unsubscribeTokens;
    }

    public bool IsConfigured => configuredBase is not null;

    /// <summary>The base of this request's links, or null when its host may not be trusted with them.</summary>
    public string? Base(HttpRequest request)
    {
        if (configuredBase is not null)
        {
            return configuredBase;
        }

        var host = request.Host;
        return host.HasValue && (IsLoopback(host.Host) || HostString.MatchesAny(host.Host, allowedHosts))
            ? $"{request.Scheme}://{host}"
            : null;
    }

    public string Screen(string linkBase, string sessionId) => $"{linkBase}/s/{tokens.Issue(LinkKind.Screen, sessionId)}";

    public string Landing(string linkBase, string sessionId) => $"{linkBase}/w/{tokens.Issue(LinkKind.Landing, sessionId)}";

    /// <summary>The unsubscribe link of an email sent for a location whose language is <paramref name="locale"/>.</summary>
    public string Unsubscribe(string linkBase, string email, string? locale = null) => $"{linkBase}/u/{unsubscribeTokens.Issue(email, locale)}";

    /// <summary>Where the SMS provider reports delivery of this session's messages (the message id is appended).</summary>
    public string DeliveryCallback(string linkBase, string sessionId) => $"{linkBase}/webhooks/twilio/status/{sessionId}";

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}

/// <summary>
/// The customer links of one request (see <see cref="PublicUrls"/>); a request whose links cannot be trusted is
/// refused with 400 <c>host_not_allowed</c> by <see cref="RequestScopeFilter"/> before its handler runs.
/// </summary>
public sealed class PublicLinks : IBindableFromHttpContext<PublicLinks>, IEndpointParameterMetadataProvider, IRefusable
{
    private readonly PublicUrls urls;

    private PublicLinks(PublicUrls urls, string? linkBase, ProblemHttpResult? refusal)
    {
        this.urls = urls;
        Base = linkBase!;
        Refusal = refusal;
    }

    public string Base { get; }

    public ProblemHttpResult? Refusal { get; }

    public static ValueTask<PublicLinks?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var urls = context.RequestServices.GetRequiredService<PublicUrls>();
        var linkBase = urls.Base(context.Request);
        return ValueTask.FromResult<PublicLinks?>(new PublicLinks(urls, linkBase, linkBase is null
            ? Problems.Of(PublicUrls.HostNotAllowed, $"Host '{context.Request.Host}' is not one this service builds links for; set Widgets:PublicBaseUrl (or list the host in AllowedHosts).")
            : null));
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProblemsMetadata(PublicUrls.HostNotAllowed));

    public string Screen(string sessionId) => urls.Screen(Base, sessionId);

    public string Landing(string sessionId) => urls.Landing(Base, sessionId);

    public string Unsubscribe(string email, string? locale = null) => urls.Unsubscribe(Base, email, locale);

    public string DeliveryCallback(string sessionId) => urls.DeliveryCallback(Base, sessionId);
}
