namespace Widgets.Hosting;

public enum HostingMode
{
    /// <summary>The silo runs inside the gateway process on SQLite: one command, one machine.</summary>
    Embedded,

    /// <summary>Silos and gateways are separate processes sharing PostgreSQL.</summary>
    Cluster,
}

/// <summary>Configuration section <c>Widgets</c>.</summary>
public sealed class WidgetsOptions
{
    public const string Section = "Widgets";

    public HostingMode Mode { get; set; } = HostingMode.Embedded;

    public string DataDirectory { get; set; } = "./data";

    public string? PublicBaseUrl { get; set; }

    public string DataPath => Path.GetFullPath(DataDirectory);

    public string SqliteConnectionString => $"Data Source={Path.Combine(DataPath, "widgets.db")};Pooling=True";

    public string OutboxPath => Path.Combine(DataPath, "outbox");

    public static WidgetsOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<WidgetsOptions>() ?? new WidgetsOptions();
}
