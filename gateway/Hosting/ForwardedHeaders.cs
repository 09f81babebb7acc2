using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Widgets.Gateway.Hosting;

/// <summary>
/// Configuration section <c>Http:ForwardedHeaders</c>: which reverse proxies (TLS terminators, load balancers,
/// ingress controllers) this gateway believes about the client. A request from one of them has its
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> applied, hop by hop from the right, as long as each hop is
/// trusted: rate limits then key on the real client's address, and a request that reached the proxy over HTTPS is
/// HTTPS here (the landing page's CSRF cookie gets <c>Secure</c>). From anyone else the headers are ignored, so a
/// client cannot pick its own address. Nothing is trusted by default, not even loopback.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    public const string Section = "Http:ForwardedHeaders";

    /// <summary>Addresses of trusted proxies, e.g. <c>["10.0.0.10"]</c> (env <c>Http__ForwardedHeaders__KnownProxies__0=10.0.0.10</c>).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, e.g. <c>["10.42.0.0/16"]</c> (a Kubernetes pod network).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public static ForwardedHeadersSettings From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<ForwardedHeadersSettings>() ?? new ForwardedHeadersSettings();

    public static IServiceCollection AddWidgetsForwardedHeaders(IServiceCollection services, IConfiguration configuration)
    {
        var settings = From(configuration);
        var proxies = settings.KnownProxies.Select(p => Parse<IPAddress>(p, IPAddress.TryParse, "an IP address such as 10.0.0.10")).ToList();
        var networks = settings.KnownNetworks.Select(n => Parse<System.Net.IPNetwork>(n, System.Net.IPNetwork.TryParse, "a CIDR network such as 10.42.0.0/16")).ToList();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            proxies.ForEach(o.KnownProxies.Add);
            networks.ForEach(o.KnownIPNetworks.Add);

            // Every hop must be a known proxy; the walk stops at the first that is not, however many there are.
            o.ForwardLimit = null;
        });
        if (proxies.Count + networks.Count > 0)
        {
            services.AddTransient<IStartupFilter, ForwardedHeadersFirst>();
        }

        return services;
    }

    private delegate bool TryParse<T>(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? value);

    private static T Parse<T>(string text, TryParse<T> parse, string expected) =>
        parse(text.Trim(), out var value) && value is not null
            ? value
            : throw new InvalidOperationException($"{Section}: '{text}' is not {expected}.");

    /// <summary>Applies the forwarded headers before any other middleware (limits, auth, errors) looks at the request.</summary>
    private sealed class ForwardedHeadersFirst : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseForwardedHeaders();
            next(app);
        };
    }
}
