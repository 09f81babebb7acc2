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
using Widgets.Hosting.Telemetry;

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
            var connectionString = ClusterSettings.PostgresConnectionString(configuration, PostgresPool.Silo);
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
            else if (cluster.ResolveAdvertisedAddress() is { } advertised)
            {
                silo.ConfigureEndpoints(advertised, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
            }
            else
            {
                // Orleans picks the first IPv4 address of an interface that is up and not loopback, and listens on all.
                silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
            }

            silo.UseWidgetsTls(cluster.Tls);
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                TuneFailureDetection(o);
                configuration.GetSection(ClusterSettings.Section + ":Membership").Bind(o);
            });
        }
        else
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, null, cluster.ServiceId, cluster.ClusterId);

            // The directory cache remembers where grains owned by other silos live; one silo has none to remember, and
            // Orleans sizes the cache's table for CacheSize up front (1,000,000 by default: ~19 MB held from start).
            silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = 10_000);
        }

        return silo;
    }

    /// <summary>
    /// Failure detection for a checkout counter, where every second a lane waits is visible (measurements and the
    /// trade: deploy/README.md, "Failure detection"). Orleans' defaults declared a partitioned silo dead after 20–40 s,
    /// and even Orleans 10's adaptive probes keep a silo alive for MaxProbeTimeout × NumMissedProbesLimit after its
    /// last message (16 s with a 2 s probe), while every call routed to it waits out the gateway's 5 s timeout.
    /// Here: probes time out adaptively between 1 and 2 s (and come as often); after one missed direct probe the next
    /// goes through another silo, and a failed indirect probe carries both silos' votes, the two a death needs; no
    /// vote counts while the suspect's connection delivered a message in the last 4 s (2 s × 2). Votes expire after
    /// 30 s, so two unrelated stalls minutes apart never add up to an eviction; every silo re-reads the table every
    /// 15 s in case it missed a gossip message. The price: a silo that answers nothing for ~4 s (a long GC pause, a
    /// starved VM) is evicted and restarts. Any property can be overridden under <c>Orleans:Membership</c>.
    /// </summary>
    public static void TuneFailureDetection(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(2);
        o.MinProbeTimeout = TimeSpan.FromSeconds(1);
        o.MaxProbeTimeout = TimeSpan.FromSeconds(2);
        o.NumMissedProbesLimit = 2;
        o.NumVotesForDeathDeclaration = 2;
        o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
        o.TableRefreshTimeout = TimeSpan.FromSeconds(15);
    }

    /// <summary>Grain storage, reminders, the dashboard and the services grains need.</summary>
    public static ISiloBuilder AddWidgetsSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        var widgets = WidgetsOptions.From(configuration);
        string invariant, connectionString;
        if (widgets.Mode == HostingMode.Cluster)
        {
            (invariant, connectionString) = (PostgresInvariant, ClusterSettings.PostgresConnectionString(configuration, PostgresPool.Silo));
        }
        else
        {
            (invariant, connectionString) = (SqliteInvariant, widgets.SqliteConnectionString);
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
                new SqliteMigrationParticipant(connectionString, sp.GetRequiredService<ILogger<SqliteMigrationParticipant>>()));
        }

        var embedded = widgets.Mode != HostingMode.Cluster;
        const string storageName = BatchedStorage.InnerStorageName;
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
            silo.Services.AddSqliteRowWriter(connectionString);
            silo.Services.AddSingleton<IJournalStore>(sp =>
                new SqliteJournalStore(connectionString, sp.GetRequiredService<SqliteWriteGate>(), sp.GetRequiredService<IOptions<ClusterOptions>>()));
        }
        else
        {
            silo.Services.AddPostgresRowWriter(connectionString);
            silo.Services.AddSingleton<IJournalStore>(sp => new PostgresJournalStore(connectionString, sp.GetRequiredService<IOptions<ClusterOptions>>()));
        }

        silo.Services.AddBatchedStorage();

        var sessions = configuration.GetSection(SessionOptions.Section).Get<SessionOptions>() ?? new SessionOptions();
        if (sessions.ReminderPeriod < TimeSpan.FromMinutes(1))
        {
            // Only tests shorten the reminder period, to observe the durable path without waiting minutes.
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = sessions.ReminderPeriod);
        }

        // A session's reminder is first due its timeout (≥ MinTimeoutSeconds) after the start. Orleans keeps a reminder
        // in memory, with a timer, only when its next tick is within the loading window (default 10 minutes), so with
        // the default every session's reminder got a timer at its start, and stopping that timer when the session ended
        // threw and caught a TaskCanceledException: ~1,200 a second at 1,000 flows/s (dotnet-counters). A window shorter
        // than the shortest timeout keeps a reminder out of memory until a refresh finds it due soon; refreshing more
        // often than the window is long means every reminder is in memory before it is due, so ticks are as punctual
        // as before (the precise deadline is the silo's SessionDeadlines anyway). docs/PERFORMANCE.md, change 22.
        var window = TimeSpan.FromSeconds(Math.Max(10, sessions.MinTimeoutSeconds - 5));
        silo.Configure<ReminderOptions>(o =>
        {
            o.ReminderLoadingWindow = window;
            o.RefreshReminderListPeriod = window - TimeSpan.FromSeconds(5);
        });
        if (sessions.IdleInMemory < TimeSpan.FromSeconds(2))
        {
            throw new InvalidOperationException(
                $"{SessionOptions.Section}:IdleInMemory is {sessions.IdleInMemory}; it must be at least 00:00:02 (default 00:00:10).");
        }

        silo.Configure<GrainCollectionOptions>(o =>
        {
            // Orleans looks for idle activations once per quantum (default: a minute), so a session's short age needs
            // a quantum that fits in it; the other grains keep their ages, only checked more often.
            o.CollectionQuantum = TimeSpan.FromTicks(Math.Min(o.CollectionQuantum.Ticks, sessions.IdleInMemory.Ticks / 2));
            o.ClassSpecificCollectionAge[typeof(Widgets.Grains.Sessions.WidgetSessionGrain).FullName!] = sessions.IdleInMemory;
        });
        silo.AddDashboard();
        silo.AddWidgetsTracePropagation(configuration);
        silo.Services.AddWidgetsGrainServices(configuration);
        return silo;
    }
}
