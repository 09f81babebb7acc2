using Microsoft.Extensions.DependencyInjection;
using Widgets.Client;
using Widgets.Tests.Infrastructure;

namespace Widgets.Tests.Client;

/// <summary>
/// A <see cref="IWidgetsClient"/> registered as an integrator registers it (<c>services.AddWidgetsClient</c>), with a
/// <see cref="WireLog"/> under the API calls and another under the token requests.
/// </summary>
internal sealed class ClientUnderTest : IDisposable
{
    private readonly ServiceProvider services;

    private ClientUnderTest(ServiceProvider services, WireLog wire, WireLog tokens)
    {
        this.services = services;
        Wire = wire;
        Tokens = tokens;
        Client = services.GetRequiredService<IWidgetsClient>();
    }

    public IWidgetsClient Client { get; }

    /// <summary>Every attempt of an API call, as it went over the wire (below the retries and the token handler).</summary>
    public WireLog Wire { get; }

    /// <summary>Every request to <c>/connect/token</c>.</summary>
    public WireLog Tokens { get; }

    /// <summary>The POS client of <paramref name="location"/>.</summary>
    /// <param name="location">The location whose POS client signs in.</param>
    /// <param name="configure">Changes to the options (retries, timeouts, a wrong secret).</param>
    /// <param name="register">Registers the client another way (e.g. from a configuration section) instead of from the location.</param>
    /// <param name="network">A handler between the client and the wire log, e.g. one that loses answers.</param>
    /// <param name="services">More registrations made first (e.g. a clock).</param>
    public static ClientUnderTest For(
        GatewayLocation location,
        Action<WidgetsClientOptions>? configure = null,
        Func<IServiceCollection, IHttpClientBuilder>? register = null,
        Func<DelegatingHandler>? network = null,
        Action<IServiceCollection>? services = null) =>
        For(location.Gateway.BaseAddress, location.PosClientId, location.PosClientSecret, location.PosSystemId, configure, register, network, services);

    public static ClientUnderTest For(
        Uri baseAddress,
        string clientId,
        string clientSecret,
        string posSystemId,
        Action<WidgetsClientOptions>? configure = null,
        Func<IServiceCollection, IHttpClientBuilder>? register = null,
        Func<DelegatingHandler>? network = null,
        Action<IServiceCollection>? services = null)
    {
        var wire = new WireLog();
        var tokens = new WireLog();
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        var api = register?.Invoke(collection) ?? collection.AddWidgetsClient(o =>
        {
            o.BaseAddress = baseAddress;
            o.ClientId = clientId;
            o.ClientSecret = clientSecret;
            o.PosSystemId = posSystemId;
            configure?.Invoke(o);
        });

        // The network's faults sit outside the log, so the log shows what the gateway really answered.
        if (network is not null)
        {
            api.AddHttpMessageHandler(network);
        }

        api.AddHttpMessageHandler(() => wire.Handler());
        collection.AddHttpClient(WidgetsClientServiceCollectionExtensions.TokenClientName).AddHttpMessageHandler(() => tokens.Handler());
        return new ClientUnderTest(collection.BuildServiceProvider(validateScopes: true), wire, tokens);
    }

    public void Dispose() => services.Dispose();
}
