namespace Widgets.Grains;

/// <summary>Session timing (configuration section <c>Widgets:Sessions</c>).</summary>
public sealed class SessionOptions
{
    public const string Section = "Widgets:Sessions";

    public int DefaultTimeoutSeconds { get; set; } = 45;

    public int MinTimeoutSeconds { get; set; } = 30;

    public int MaxTimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// How often the durable reminder re-checks a session whose activation is gone. It bounds how late a
    /// timeout fires after a silo crash; while the activation lives a grain timer fires on the deadline.
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often batched counters (the widget list's "listed", the day's stats) are written.</summary>
    public TimeSpan StatsFlushInterval { get; set; } = TimeSpan.FromSeconds(5);
}
