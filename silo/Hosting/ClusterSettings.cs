namespace Widgets.Hosting;

/// <summary>Configuration section <c>Orleans</c>: who the cluster is and where this silo listens.</summary>
public sealed class ClusterSettings
{
    public const string Section = "Orleans";

    public string ClusterId { get; set; } = "widgets";

    public string ServiceId { get; set; } = "widgets";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and gateways reach this silo at; loopback for a one-machine cluster.</summary>
    public string AdvertisedIP { get; set; } = "127.0.0.1";

    /// <summary>Take endpoints and identity from the Kubernetes pod (Microsoft.Orleans.Hosting.Kubernetes).</summary>
    public bool Kubernetes { get; set; }

    /// <summary>How long a gateway waits for a grain before answering 503: a POS should not hang at checkout.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public static ClusterSettings From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<ClusterSettings>() ?? new ClusterSettings();

    public static string PostgresConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("Postgres") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "Cluster mode needs ConnectionStrings:Postgres (e.g. env ConnectionStrings__Postgres=\"Host=127.0.0.1;Port=5432;Database=widgets;Username=postgres\").");
}
