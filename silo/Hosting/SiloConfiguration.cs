using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting.Kubernetes;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using Microsoft.Extensions.Options;
using Widgets.Grains;
using Widgets.Grains.Journal;
using Widgets.Hosting.Storage;

namespace Widgets.Hosting;

/// <summary>Configures a silo for either mode; the two differ only in clustering and the database behind storage.</summary>
public static class SiloConfiguration
{
    public const string SqliteInvariant = "System.Data.SQLite";
    public const string PostgresInvariant = "Npgsql";

    /// <summary>Membership: localhost in embedded mode, the PostgreSQL membership table in cluster mode.</summary>
    public static ISiloBuilder UseWidgetsClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        var cluster = ClusterSettings.From(configuration);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        if (WidgetsOptions.From(configuration).Mode == HostingMode.Cluster)
        {
            var connectionString = ClusterSettings.PostgresConnectionString(configuration);
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresInvariant;
                o.ConnectionString = connectionString;
            });
            if (cluster.Kubernetes)
            {
                // Pod IP, silo name and cluster identity come from the pod's environment (see deploy/k8s).
                silo.UseKubernetesHosting();
            }
            else
            {
                var advertised = IPAddress.Parse(cluster.AdvertisedIP);
                silo.ConfigureEndpoints(advertised, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
            }

            silo.Configure<ClusterMembershipOptions>(o =>
            {
                // A dead silo is declared dead after about ProbeTimeout × NumMissedProbesLimit; calls to its grains
                // wait (then fail with 503) until then. Orleans' defaults (5 s × 3) mean up to ~20 s of errors.
                o.ProbeTimeout = TimeSpan.FromSeconds(3);
                o.NumMissedProbesLimit = 2;
                configuration.GetSection(ClusterSettings.Section + ":Membership").Bind(o);
            });
        }
        else
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, null, cluster.ServiceId, cluster.ClusterId);
        }

        return silo;
    }

    /// <summary>Grain storage, reminders, the dashboard and the services grains need.</summary>
    public static ISiloBuilder AddWidgetsSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        var widgets = WidgetsOptions.From(configuration);
        string invariant, connectionString;
        if (widgets.Mode == HostingMode.Cluster)
        {
            (invariant, connectionString) = (PostgresInvariant, ClusterSettings.PostgresConnectionString(configuration));
        }
        else
        {
            (invariant, connectionString) = (SqliteInvariant, widgets.SqliteConnectionString);
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
                new SqliteMigrationParticipant(connectionString, sp.GetRequiredService<ILogger<SqliteMigrationParticipant>>()));
        }

        var embedded = widgets.Mode != HostingMode.Cluster;
        var storageName = embedded ? SqliteWrites.InnerStorageName : WidgetsStorage.Name;
        // Orleans picks a serializer registered under the provider's name over its JSON default.
        silo.Services.AddKeyedSingleton<IGrainStorageSerializer>(storageName, (sp, _) =>
            new BinaryStateFormat(sp.GetRequiredService<Serializer>(), sp.GetRequiredService<IGrainStorageSerializer>()));
        silo.AddAdoNetGrainStorage(storageName, o =>
        {
            o.Invariant = invariant;
            o.ConnectionString = connectionString;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = invariant;
            o.ConnectionString = connectionString;
        });
        if (embedded)
        {
            silo.Services.AddSqliteWriteGate(connectionString);
            silo.Services.AddSingleton<IJournalStore>(sp =>
                new SqliteJournalStore(connectionString, sp.GetRequiredService<SqliteWriteGate>(), sp.GetRequiredService<IOptions<ClusterOptions>>()));
        }
        else
        {
            silo.Services.AddSingleton<IJournalStore>(sp => new PostgresJournalStore(connectionString, sp.GetRequiredService<IOptions<ClusterOptions>>()));
        }

        var sessions = configuration.GetSection(SessionOptions.Section).Get<SessionOptions>() ?? new SessionOptions();
        if (sessions.ReminderPeriod < TimeSpan.FromMinutes(1))
        {
            // Only tests shorten the reminder period, to observe the durable path without waiting minutes.
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = sessions.ReminderPeriod);
        }

        silo.AddDashboard();
        silo.Services.AddWidgetsGrainServices(configuration);
        return silo;
    }
}
