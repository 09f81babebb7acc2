using Orleans.Configuration;
using Orleans.Dashboard;
using Widgets.Hosting;

namespace Widgets.Gateway.Hosting;

/// <summary>The one switch between the modes: host a silo in this process, or connect to a cluster as a client.</summary>
public static class OrleansHosting
{
    public static WebApplicationBuilder AddWidgetsOrleans(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (DocumentGeneration.IsActive)
        {
            DocumentGeneration.AddPlaceholders(builder.Services);
        }
        else if (WidgetsOptions.From(configuration).Mode == HostingMode.Cluster)
        {
            var cluster = ClusterSettings.From(configuration);
            var connectionString = ClusterSettings.PostgresConnectionString(configuration);
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
                client.AddDashboard();
                client.UseConnectionRetryFilter<ClusterConnectionRetry>();
            });
        }
        else
        {
            builder.UseOrleans(silo => silo.UseWidgetsClustering(configuration).AddWidgetsSilo(configuration));
        }

        builder.Services.AddSingleton<StorageProbe>();
        return builder;
    }
}
