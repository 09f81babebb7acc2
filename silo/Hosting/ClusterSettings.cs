using System.Net;
using Npgsql;

namespace Widgets.Hosting;

/// <summary>Configuration section <c>Orleans</c>: who the cluster is and where this silo listens.</summary>
public sealed class ClusterSettings
{
    public const string Section = "Orleans";

    /// <summary>A silo's pool limit, applied to <c>ConnectionStrings:Postgres</c> unless it sets one itself (docs: deploy/README.md, "PostgreSQL").</summary>
    public const int SiloMaxPoolSize = 20;

    /// <summary>
    /// A cluster-mode gateway's pool limit. A gateway uses PostgreSQL for two things, each one query at a time: reading
    /// the live silos from the membership table (every <see cref="GatewayListRefreshPeriod"/>) and its readiness probe
    /// (<c>StorageHealthCheck</c> runs one at a time). Four is twice that, and keeps a silo's 20 from being budgeted
    /// for every gateway in <c>max_connections</c>.
    /// </summary>
    public const int GatewayMaxPoolSize = 4;

    /// <summary>How many distinct statements a connection keeps prepared (the storage, reminder and journal queries are about 20).</summary>
    public const int DefaultMaxAutoPrepare = 32;

    public string ClusterId { get; set; } = "widgets";

    public string ServiceId { get; set; } = "widgets";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address other silos and gateways reach this silo at: an IP address or a host name (resolved at start).
    /// Unset, the silo advertises the first IPv4 address of an interface that is up (not loopback), which is what a
    /// container or a VM with one network wants. <c>0.0.0.0</c> is refused: it is where to listen, not an address
    /// anyone can reach.
    /// </summary>
    public string? AdvertisedIP { get; set; }

    /// <summary>Take endpoints and identity from the Kubernetes pod (Microsoft.Orleans.Hosting.Kubernetes).</summary>
    public bool Kubernetes { get; set; }

    /// <summary>How long a gateway waits for a grain before answering 503: a POS should not hang at checkout.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a gateway re-reads the live silos from the membership table (Orleans' default: 1 minute).</summary>
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Mutual TLS between silos and from gateways to silos; off unless configured.</summary>
    public ClusterTls Tls { get; set; } = new();

    public static ClusterSettings From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<ClusterSettings>() ?? new ClusterSettings();

    /// <summary>The address to advertise (see <see cref="AdvertisedIP"/>), or null for "pick this machine's interface address".</summary>
    public IPAddress? ResolveAdvertisedAddress()
    {
        if (string.IsNullOrWhiteSpace(AdvertisedIP))
        {
            return null;
        }

        var address = IPAddress.TryParse(AdvertisedIP, out var parsed)
            ? parsed
            : ResolveHostName(AdvertisedIP)
              ?? throw new InvalidOperationException($"Orleans:AdvertisedIP '{AdvertisedIP}' does not resolve to an IPv4 address. Set it to this machine's address as the other silos and gateways reach it.");
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            throw new InvalidOperationException(
                $"Orleans:AdvertisedIP={AdvertisedIP} is where to listen, not an address other silos can reach. Set it to this machine's address (e.g. 10.0.0.5), to a host name, or leave it unset to advertise the first non-loopback interface address; the silo listens on every address either way.");
        }

        return address;
    }

    /// <summary>The name's first IPv4 address; null when it has none or does not resolve (the caller names the setting).</summary>
    private static IPAddress? ResolveHostName(string name)
    {
        try
        {
            return Dns.GetHostAddresses(name).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    /// <summary>
    /// <c>ConnectionStrings:Postgres</c> with this service's connection settings added where the operator set none (see
    /// <see cref="WithRuntimeDefaults"/>). Every Orleans provider in a process and its readiness probe share this one
    /// pool (Npgsql pools by connection string); a silo's session journal opens a data source, so a pool, of its own.
    /// </summary>
    public static string PostgresConnectionString(IConfiguration configuration, PostgresPool pool) =>
        WithRuntimeDefaults(ConfiguredPostgres(configuration), pool);

    /// <summary>
    /// The connection string schema migrations use: <c>ConnectionStrings:PostgresMigrations</c> (a role that may run
    /// DDL), else <c>Postgres</c> as configured. Never with <see cref="WithRuntimeDefaults"/>: migration scripts may
    /// change session settings, and a pool without reset-on-close must never see them.
    /// </summary>
    public static string PostgresMigrationsConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("PostgresMigrations") is { Length: > 0 } cs ? cs : ConfiguredPostgres(configuration);

    private static string ConfiguredPostgres(IConfiguration configuration) =>
        configuration.GetConnectionString("Postgres") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "Cluster mode needs ConnectionStrings:Postgres (e.g. env ConnectionStrings__Postgres=\"Host=127.0.0.1;Port=5432;Database=widgets;Username=widgets_app;Password=…\").");

    /// <summary>
    /// The runtime pool's settings, each added only where the connection string does not set it itself
    /// (deploy/README.md, "Connections"):
    /// <list type="bullet">
    /// <item>at most <see cref="SiloMaxPoolSize"/> connections in a silo's pool, <see cref="GatewayMaxPoolSize"/> in a
    /// gateway's; idle ones closed after a minute, 5 s to connect;</item>
    /// <item><c>No Reset On Close</c>: a connection goes back to the pool without Npgsql's <c>DISCARD ALL</c>. Every
    /// storage call borrows a connection for one statement, so the reset was half of all statements PostgreSQL ran
    /// (11 of 22 per POS flow, logged with <c>log_statement=all</c>) and it threw away prepared statements. Nothing
    /// that uses this pool changes session state (no SET, temporary tables, LISTEN or session locks: the migrator
    /// has its own connection string and its lock its own unpooled connection);</item>
    /// <item><c>Max Auto Prepare</c>: Npgsql prepares a statement on the server once it has run a few times, so
    /// PostgreSQL stops parsing and planning Orleans' storage and reminder queries on every call.</item>
    /// </list>
    /// docs/PERFORMANCE.md, change 25.
    /// </summary>
    public static string WithRuntimeDefaults(string connectionString, PostgresPool pool)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new DbConnectionStringKeys(connectionString);
        if (!given.Has("Maximum Pool Size", "MaxPoolSize", "Max Pool Size"))
        {
            builder.MaxPoolSize = pool == PostgresPool.Gateway ? GatewayMaxPoolSize : SiloMaxPoolSize;
        }

        if (!given.Has("Connection Idle Lifetime", "ConnectionIdleLifetime"))
        {
            builder.ConnectionIdleLifetime = 60;
        }

        if (!given.Has("Timeout"))
        {
            builder.Timeout = 5;
        }

        if (!given.Has("No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!given.Has("Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        return builder.ConnectionString;
    }

    /// <summary>Which keys a connection string spells out itself (Npgsql's builder reports defaults as set).</summary>
    private sealed class DbConnectionStringKeys(string connectionString)
    {
        private readonly HashSet<string> keys = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }
            .Keys.Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);

        public bool Has(params string[] names) => names.Any(n => keys.Contains(n.Replace(" ", "", StringComparison.Ordinal)));
    }
}

/// <summary>Whose runtime pool a connection string is for; it decides the pool's default size.</summary>
public enum PostgresPool
{
    /// <summary>A silo: grain storage, reminders, membership and its readiness probe.</summary>
    Silo,

    /// <summary>A cluster-mode gateway: membership reads and its readiness probe only.</summary>
    Gateway,
}
