using Microsoft.Extensions.Options;
using Widgets.Analytics;
using Widgets.Grains.Telemetry;

namespace Widgets.Gateway.Pos;

/// <summary>
/// The "listed" funnel counter of the lists this gateway served from its pushed copy (<see cref="PushedListings"/>):
/// one count per request in memory, expanded to one per listed widget and handed to the location's day of stats
/// (<see cref="IWidgetStatsGrain"/>) and to the <c>widgets.funnel.steps</c> metric every
/// <see cref="Grains.SessionOptions.StatsFlushInterval"/>, and when the gateway stops. Best effort, as the location's own
/// batching was: a crash loses the last interval's lists.
/// </summary>
public sealed class ListedCounts(IGrainFactory grains, TimeProvider clock, IOptions<Grains.SessionOptions> options, ILogger<ListedCounts> logger) : BackgroundService
{
    private readonly Lock gate = new();
    private Dictionary<Served, long> pending = [];

    /// <summary>One list served: its widgets count as listed on <paramref name="terminalId"/> ("" when the POS named none).</summary>
    public void Add(LocationKey location, string? terminalId, WidgetContext? context, WidgetListing listing)
    {
        if (listing.Widgets.Count == 0)
        {
            return;
        }

        var served = new Served(location, terminalId ?? "", context, listing);
        lock (gate)
        {
            pending[served] = pending.GetValueOrDefault(served) + 1;
        }
    }

    /// <summary>Stops the flush loop, then hands over what was counted since its last round.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Flush();
    }

    protected override async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.StatsFlushInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Flush();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Flush()
    {
        Dictionary<Served, long> batch;
        lock (gate)
        {
            if (pending.Count == 0)
            {
                return;
            }

            (batch, pending) = (pending, []);
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        foreach (var location in batch.GroupBy(b => b.Key.Location))
        {
            var increments = new Dictionary<(int WidgetId, string TerminalId), long>();
            foreach (var (served, count) in location)
            {
                foreach (var widget in served.Listing.Widgets)
                {
                    increments[(widget.Id, served.TerminalId)] = increments.GetValueOrDefault((widget.Id, served.TerminalId)) + count;
                    WidgetsTelemetry.Step(WidgetCounter.Listed, widget.Type, served.Context, count);
                }
            }

            try
            {
                // One-way: counting never makes a list (or this loop) wait for the statistics grain's write.
                grains.Grain<IWidgetStatsGrain>(GrainKeys.LocationDay(location.Key, today))
                    .Add(increments.Select(i => new CounterIncrement(i.Key.WidgetId, i.Key.TerminalId, WidgetCounter.Listed, i.Value)).ToList())
                    .Ignore();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Listed counts of {Location} were lost: {ErrorType}", location.Key, ex.GetType().Name);
            }
        }
    }

    /// <summary>A list handed out; the listing itself (immutable, shared by every request until it changes) is part of the key.</summary>
    private readonly record struct Served(LocationKey Location, string TerminalId, WidgetContext? Context, WidgetListing Listing);
}
