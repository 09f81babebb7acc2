using Xunit;

namespace Widgets.Tests.Infrastructure;

/// <summary>
/// Polls with a deadline instead of sleeping: a test waits exactly as long as the system needs and fails
/// with the last value it saw when the deadline passes.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Calls <paramref name="probe"/> until <paramref name="done"/> holds; returns the value that satisfied it.</summary>
    public static async Task<T> Returns<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan within, string what)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                Assert.Fail($"Waited {within.TotalSeconds:0.#} s for {what}; the last value seen was {Describe(value)}.");
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task Holds(Func<Task<bool>> condition, TimeSpan within, string what) =>
        Returns(condition, ok => ok, within, what);

    /// <summary>
    /// Waits until the wall clock has passed <paramref name="moment"/>: for tests whose subject is time itself
    /// (a deadline), never as a stand-in for waiting on the system.
    /// </summary>
    public static async Task ClockPasses(DateTimeOffset moment)
    {
        while (DateTimeOffset.UtcNow <= moment)
        {
            var left = moment - DateTimeOffset.UtcNow;
            await Task.Delay(left < Interval ? left + TimeSpan.FromMilliseconds(1) : Interval);
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable items and not string => $"[{string.Join(", ", items.Cast<object?>())}]",
        _ => value.ToString() ?? "",
    };
}
