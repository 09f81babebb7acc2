using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Widgets.Gateway.Hosting;

namespace Widgets.Gateway.Pos;

/// <summary>
/// The widget lists of the locations this gateway serves, held in memory and kept current by push: the first list of
/// a location subscribes to its grain (<see cref="ILocationGrain.WatchListings"/>), which sends its lists on every
/// catalogue write and schedule boundary; a list call then makes no grain call at all (in cluster mode, no hop to the
/// location's silo). Every <see cref="RenewEvery"/> each watch is renewed, which also replaces the copy with the
/// grain's own (a lost push, a location grain re-activated on another silo); a location nobody listed for
/// <see cref="Unused"/> is dropped. A copy past its <see cref="LiveListings.ValidUntil"/> (a schedule boundary whose
/// push has not arrived) is not served: the grain is asked.
/// </summary>
public sealed class PushedListings(IGrainFactory grains, TimeProvider clock, ILogger<PushedListings> logger) : BackgroundService, IListingsObserver
{
    public static readonly TimeSpan RenewEvery = ILocationGrain.ListingsWatchLifetime / 4;

    private static readonly TimeSpan Unused = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Watch> watches = new(StringComparer.Ordinal);
    private IListingsObserver? reference;

    /// <summary>
    /// Raised with the location's key when this gateway's copy of its lists was replaced by a newer revision (a push,
    /// a renewal that found a missed change, a fetch past a schedule boundary); not for a first fetch. Handlers run on
    /// the thread that delivered the lists, which a catalogue write may be waiting on: keep them short.
    /// </summary>
    public event Action<string>? Changed;

    /// <summary>The location's list for <paramref name="context"/>: from memory when the copy is current, else from the grain.</summary>
    public ValueTask<WidgetListing> Get(LocationKey location, WidgetContext? context)
    {
        var key = location.ToString();
        if (watches.TryGetValue(key, out var watch) && watch.Current is { } current && clock.GetUtcNow() < current.ValidUntil)
        {
            watch.LastUsed = clock.GetTimestamp();
            return ValueTask.FromResult(current.For(context));
        }

        return new ValueTask<WidgetListing>(FetchAsync(key, context));
    }

    public Task ListingsChanged(string location, LiveListings listings)
    {
        if (watches.TryGetValue(location, out var watch) && watch.Offer(listings))
        {
            Changed?.Invoke(location);
        }

        return Task.CompletedTask;
    }

    private async Task<WidgetListing> FetchAsync(string location, WidgetContext? context)
    {
        var watch = watches.GetOrAdd(location, _ => new Watch());
        watch.LastUsed = clock.GetTimestamp();
        var listings = await watch.Refresh(() => Subscribe(location), () => Changed?.Invoke(location));
        return listings.For(context);
    }

    private Task<LiveListings> Subscribe(string location)
    {
        // One reference for every location: the grains push to this object, whichever silo they live on.
        reference ??= grains.CreateObjectReference<IListingsObserver>(this);
        return grains.Grain<ILocationGrain>(location).WatchListings(reference);
    }

    protected override async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(RenewEvery, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var (location, watch) in watches)
                {
                    try
                    {
                        if (clock.GetElapsedTime(watch.LastUsed) > Unused)
                        {
                            watches.TryRemove(location, out _);
                            await grains.Grain<ILocationGrain>(location).StopWatchingListings(reference!);
                        }
                        else
                        {
                            await watch.Refresh(() => Subscribe(location), () => Changed?.Invoke(location));
                        }
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // The copy stays served until its schedule boundary; the next round tries again.
                        logger.LogWarning("Renewing the pushed widget lists of {Location} failed with {ErrorType}; retrying in {Seconds} s",
                            location, ex.GetType().Name, RenewEvery.TotalSeconds);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One location's copy; a push or a fetch replaces it only with a newer revision.</summary>
    private sealed class Watch
    {
        private readonly Lock gate = new();
        private Task<LiveListings>? fetching;

        public LiveListings? Current { get; private set; }

        public long LastUsed { get; set; }

        /// <summary>Takes the lists unless older than held; true when they replaced an older revision.</summary>
        public bool Offer(LiveListings listings)
        {
            lock (gate)
            {
                if (Current is null || listings.Revision >= Current.Revision)
                {
                    var replaced = Current is not null && listings.Revision > Current.Revision;
                    Current = listings;
                    return replaced;
                }

                return false;
            }
        }

        /// <summary>Subscribes (or renews) and takes the grain's lists; concurrent callers share one call.</summary>
        public Task<LiveListings> Refresh(Func<Task<LiveListings>> subscribe, Action changed)
        {
            lock (gate)
            {
                // A finished fetch (even one that finished before it was stored here) is never handed out again.
                if (fetching is not { IsCompleted: false })
                {
                    fetching = Run(subscribe, changed);
                }

                return fetching;
            }
        }

        private async Task<LiveListings> Run(Func<Task<LiveListings>> subscribe, Action changed)
        {
            try
            {
                var listings = await subscribe();
                if (Offer(listings))
                {
                    changed();
                }

                return Current!;
            }
            finally
            {
                lock (gate)
                {
                    fetching = null;
                }
            }
        }
    }
}

public static class ListingsSetup
{
    /// <summary>widgets/list from memory: the pushed lists, the listed counter, and the serialized bodies.</summary>
    public static IServiceCollection AddWidgetsListings(this IServiceCollection services, IConfiguration configuration)
    {
        // The silo's own setting (Widgets:Sessions), read here too: in cluster mode this process has no silo.
        services.Configure<Grains.SessionOptions>(configuration.GetSection(Grains.SessionOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ListingBodies>();
        services.AddSingleton<PushedListings>();
        services.AddSingleton<ListedCounts>();
        if (!DocumentGeneration.IsActive)
        {
            services.AddHostedService(sp => sp.GetRequiredService<PushedListings>());
            services.AddHostedService(sp => sp.GetRequiredService<ListedCounts>());
        }

        return services;
    }
}
