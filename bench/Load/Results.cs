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
    IReadOnlyList<TypeShare> TopTypes,
    CpuUse? StartCpu = null);

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
    int[] Buckets,
    CpuUse? StartCpu = null);

public sealed record StartupResult(string Target, string Kind, int Run, double ReadyMs, double FirstListMs);

/// <summary>One wrk window of the fresh-start scenario: seconds since the host reported ready, rate, p99, who used the CPU.</summary>
public sealed record FreshStartWindow(double StartSeconds, double Seconds, long Ok, long Errors, double PerSecond, double P99Ms, double ServerCores, double LoadGeneratorCores, double OtherCores);

/// <summary>widgets/list from the moment a freshly started host reports ready, in consecutive wrk windows.</summary>
public sealed record FreshStartResult(string Target, int Connections, double ReadyMs, double FirstListMs, IReadOnlyList<FreshStartWindow> Windows)
{
    /// <summary>The rate over <paramref name="count"/> consecutive windows from window <paramref name="first"/> (a window lasts about 1 s).</summary>
    public double Rate(int first, int count)
    {
        var w = Windows.Skip(first).Take(count).ToList();
        return w.Count == 0 ? double.NaN : w.Sum(x => x.Ok) / w.Sum(x => x.Seconds);
    }

    /// <summary>The first and second half of the windows (2 × 5 s in the full profile): the rate a restarted gateway gives its first users.</summary>
    public (double First, double Second) Halves => (Rate(0, (Windows.Count + 1) / 2), Rate((Windows.Count + 1) / 2, Windows.Count / 2));
}

/// <summary>The resident memory (VmRSS) of a host before, during and after a load run, sampled while it idles afterwards.</summary>
public sealed record RssResult(
    string Target,
    long ReadyBytes,
    long SeededBytes,
    long PeakBytes,
    long LoadEndBytes,
    long AfterIdleBytes,
    double IdleSeconds,
    double LoadSeconds,
    double ListPerSecond,
    double FlowPerSecond,
    long Errors,
    IReadOnlyList<double[]> IdleSamples,
    double ListServerCores = 0);

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

    public List<FreshStartResult> FreshStarts { get; set; } = [];

    public List<RssResult> Rss { get; set; } = [];

    public List<ScreensResult> Screens { get; set; } = [];

    /// <summary>Sample responses per target and step, to check the baseline answers with the gateway's JSON.</summary>
    public Dictionary<string, Dictionary<string, string>> Samples { get; set; } = [];

    /// <summary>Scenarios that could not run, with why.</summary>
    public List<string> Problems { get; set; } = [];
}
