namespace Widgets.Grains.Privacy;

/// <summary>How retention runs (configuration section <c>Widgets:Privacy</c>); the period itself is each location's <c>retentionDays</c>.</summary>
public sealed class PrivacyOptions
{
    public const string Section = "Widgets:Privacy";

    /// <summary>How often each location's retention reminder erases what expired.</summary>
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Sessions (and, separately, conversions) erased per batch.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>Batches per run: what is left over (a backlog after lowering retentionDays) waits for the next run.</summary>
    public int MaxBatchesPerRun { get; set; } = 25;

    /// <summary>Sessions erased at once within a batch.</summary>
    public int Parallelism { get; set; } = 16;
}
