using Orleans.Configuration;
using Orleans.Dashboard;
using Widgets.Hosting;
using Widgets.Hosting.Health;
using Widgets.Hosting.Telemetry;

namespace Widgets.Gateway.Hosting;

/// <summary>The one switch between the modes: host a silo in this process, or connect to a cluster as a client.</summary>
public static class OrleansHosting
{
    public static WebApplicationBuilder AddWidgetsOrleans(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;

        // Also while the build writes the OpenAPI document: the terminal screens' feeds listen to it.
        services.AddSingleton<ClusterConnection>();
        if (DocumentGeneration.IsActive)
        {
            DocumentGeneration.AddPlaceholders(services);
            return builder;
        }

        services.AddTransient<IStartupFilter, ClusterGate>();
        if (WidgetsOptions.From(configuration).Mode == HostingMode.Cluster)
        {
            var cluster = ClusterSettings.From(configuration);
            var connectionString = ClusterSettings.PostgresConnectionString(configuration, PostgresPool.Gateway);
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.ClusterId;
                    o.ServiceId = cluster.ServiceId;
                });
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = SiloConfiguration.PostgresInvariant;
                    o.ConnectionString = connectionString;
                });
                client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);

                // Silos the membership table declares dead leave this gateway's rotation within this period; until then
                // calls routed through a silo cut off by a partition wait out ResponseTimeout (docs: deploy/README.md).
                client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = cluster.GatewayListRefreshPeriod);
                client.AddDashboard();
                if (TelemetrySettings.From(configuration).Tracing)
                {
                    client.AddActivityPropagation();
                }

                client.UseConnectionRetryFilter<ClusterConnectionRetry>();
                client.UseWidgetsTls(cluster.Tls);
                client.Services.AddSingleton<IClusterConnectionStatusObserver>(sp => sp.GetRequiredService<ClusterConnection>());
                client.Services.AddSingleton<ILifecycleParticipant<IClusterClientLifecycle>>(sp => sp.GetRequiredService<ClusterConnection>());
            });
            services.AddHealthChecks().AddCheck<ClusterClientHealthCheck>("cluster", tags: [WidgetsHealth.ReadinessTag]);
            services.AddSingleton<LiveGatewayCensus>();
            services.AddSingleton<ILiveGateways>(sp => sp.GetRequiredService<LiveGatewayCensus>());
            services.AddHostedService(sp => sp.GetRequiredService<LiveGatewayCensus>());
        }
        else
        {
            EmbeddedInstanceGuard.Claim(services, configuration);
            builder.UseOrleans(silo =>
            {
                silo.UseWidgetsClustering(configuration).AddWidgetsSilo(configuration);
                silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ClusterConnection>());
            });
            services.AddHealthChecks().AddSiloMembershipCheck();
            services.AddSingleton<ILiveGateways, OneGateway>();
        }

        return builder;
    }
}
