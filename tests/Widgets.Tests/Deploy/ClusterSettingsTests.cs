using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Widgets.Hosting;
using Xunit;

namespace Widgets.Tests.Deploy;

/// <summary>
/// What a silo advertises to the others (<c>Orleans:AdvertisedIP</c>), read from the endpoints a cluster-mode silo is
/// configured with, and the connection pool each kind of host opens on PostgreSQL (deploy/README.md, "Connections").
/// </summary>
public sealed class ClusterSettingsTests
{
    private const string Configured = "Host=db.example.com;Database=widgets;Username=widgets_app;Password=secret";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Unset_the_silo_advertises_this_machines_first_interface_address_and_listens_on_every_address(string? advertised)
    {
        var endpoints = SiloEndpoints(advertised);

        Assert.Equal(AddressFamily.InterNetwork, endpoints.AdvertisedIPAddress.AddressFamily);
        Assert.NotEqual(IPAddress.Any, endpoints.AdvertisedIPAddress);
        var reachable = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(a => a.Address))
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            .ToList();
        if (reachable.Count > 0)
        {
            // A machine with a network advertises an address the others can reach, never loopback.
            Assert.Contains(endpoints.AdvertisedIPAddress, reachable);
        }

        Assert.Equal(new IPEndPoint(IPAddress.Any, 11111), endpoints.SiloListeningEndpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 30000), endpoints.GatewayListeningEndpoint);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public void An_any_address_is_refused_at_start_with_a_message_naming_the_setting_and_the_fix(string advertised)
    {
        var refusal = Assert.Throws<InvalidOperationException>(() => SiloEndpoints(advertised));

        Assert.Contains($"Orleans:AdvertisedIP={advertised}", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("leave it unset", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_name_that_does_not_resolve_is_refused_with_a_message_naming_the_setting()
    {
        // .invalid never resolves (RFC 2606).
        var refusal = Assert.Throws<InvalidOperationException>(() => SiloEndpoints("silo-1.invalid"));

        Assert.Contains("Orleans:AdvertisedIP 'silo-1.invalid' does not resolve", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_address_is_advertised_as_given_and_the_silo_listens_on_every_address()
    {
        var endpoints = SiloEndpoints("10.0.0.5");

        Assert.Equal(IPAddress.Parse("10.0.0.5"), endpoints.AdvertisedIPAddress);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 11111), endpoints.SiloListeningEndpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 30000), endpoints.GatewayListeningEndpoint);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public void A_loopback_address_or_name_is_advertised_and_listened_on_alone(string advertised)
    {
        var endpoints = SiloEndpoints(advertised);

        Assert.Equal(IPAddress.Loopback, endpoints.AdvertisedIPAddress);
        Assert.Null(endpoints.SiloListeningEndpoint);
        Assert.Null(endpoints.GatewayListeningEndpoint);
    }

    [Theory]
    [InlineData(PostgresPool.Silo, 20)]
    [InlineData(PostgresPool.Gateway, 4)]
    public void A_connection_string_that_sets_no_pool_settings_gets_the_hosts_defaults(PostgresPool pool, int maxPoolSize)
    {
        var pooled = new NpgsqlConnectionStringBuilder(ClusterSettings.WithRuntimeDefaults(Configured, pool));

        Assert.Equal(maxPoolSize, pooled.MaxPoolSize);
        Assert.Equal(60, pooled.ConnectionIdleLifetime);
        Assert.Equal(5, pooled.Timeout);
        Assert.True(pooled.NoResetOnClose);
        Assert.Equal(32, pooled.MaxAutoPrepare);
        Assert.Equal(("db.example.com", "widgets", "widgets_app", "secret"), (pooled.Host, pooled.Database, pooled.Username, pooled.Password));
    }

    [Theory]
    [InlineData("Maximum Pool Size=50;Connection Idle Lifetime=300;Timeout=15;No Reset On Close=false;Max Auto Prepare=0")]
    [InlineData("MaxPoolSize=50;ConnectionIdleLifetime=300;Timeout=15;NoResetOnClose=false;MaxAutoPrepare=0")]
    public void Pool_settings_the_operator_wrote_are_kept_in_either_spelling(string settings)
    {
        foreach (var pool in Enum.GetValues<PostgresPool>())
        {
            var pooled = new NpgsqlConnectionStringBuilder(ClusterSettings.WithRuntimeDefaults($"{Configured};{settings}", pool));

            Assert.Equal(50, pooled.MaxPoolSize);
            Assert.Equal(300, pooled.ConnectionIdleLifetime);
            Assert.Equal(15, pooled.Timeout);
            Assert.False(pooled.NoResetOnClose);
            Assert.Equal(0, pooled.MaxAutoPrepare);
        }
    }

    /// <summary>The endpoints a cluster-mode silo would start with; nothing connects or listens.</summary>
    private static EndpointOptions SiloEndpoints(string? advertisedIp)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Widgets:Mode"] = "Cluster",
            ["ConnectionStrings:Postgres"] = Configured,
            ["Orleans:AdvertisedIP"] = advertisedIp,
        }).Build();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.UseOrleans(silo => silo.UseWidgetsClustering(configuration));
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
    }
}
