namespace Widgets.Bench;

public sealed record TypeShare(string Type, double BytesPerSession, double ObjectsPerSession);

public sealed record MemoryResult(
    string Target,
    int Sessions,
    double StartRatePerSecond,
    long WorkingSetBytes,
    long ManagedBytes,
    long GcdumpBytes,
    double WorkingSetPerSession,
    double ManagedPerSession,
    double GcdumpPerSession,
    IReadOnlyList<TypeShare> TopTypes);

public sealed record TimeoutResult(
    string Target,
    int Sessions,
    double StartSeconds,
    double DeadlineWindowSeconds,
    double MinMs,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs,
    int LateOver2s,
    int NotEnded,
    int OtherState,
    double WithinTwoSecondsPercent,
    double RecheckedAfterSeconds,
    int[] Buckets);

public sealed record StartupResult(string Target, string Kind, int Run, double ReadyMs, double FirstListMs);

public sealed record CatalogueResult(string Target, int Locations, int WidgetsPerLocation, int AdminWrites, double SetupSeconds);

/// <summary>Everything one run measured, written to results.json and rendered into report.md and chart.svg.</summary>
public sealed class Results
{
    public string Profile { get; set; } = "";

    public DateTimeOffset StartedAt { get; set; }

    public double Minutes { get; set; }

    public Dictionary<string, string> Machine { get; set; } = [];

    public List<LoadResult> Load { get; set; } = [];

    public List<MemoryResult> Memory { get; set; } = [];

    public List<TimeoutResult> Timeouts { get; set; } = [];

    public List<StartupResult> Startup { get; set; } = [];

    public List<CatalogueResult> Catalogues { get; set; } = [];

    /// <summary>Sample responses per target and step, to check the baseline answers with the gateway's JSON.</summary>
    public Dictionary<string, Dictionary<string, string>> Samples { get; set; } = [];

    /// <summary>Scenarios that could not run, with why.</summary>
    public List<string> Problems { get; set; } = [];
}
