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
    /// timeout fires after a silo crash while other silos run (after a restart, the start-up wake-up ends overdue
    /// sessions at once); otherwise the silo's deadline scheduler wakes the session on its deadline.
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often batched writes land: the widget list's "listed" counters, and the session journal's rows of live
    /// sessions (a session's final row is stored within a second, before it drops its reminder).
    /// </summary>
    public TimeSpan StatsFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a session nobody calls stays in memory. Then Orleans deactivates it: its state is stored, the silo's
    /// deadline scheduler still wakes it on its deadline (reading it back from storage) and its reminder still backs
    /// that up; the next call (the customer's page, the POS) reads it back too. A session spends most of its 30–60 s
    /// waiting for its customer, and in memory it costs ~3.7 KB, nearly all of it Orleans' own per-activation state;
    /// out of memory it costs its scheduler entry. At least 2 s. docs/DECISIONS.md, "Sessions and timeouts".
    /// </summary>
    public TimeSpan IdleInMemory { get; set; } = TimeSpan.FromSeconds(10);
}
