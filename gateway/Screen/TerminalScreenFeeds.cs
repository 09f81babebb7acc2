using System.Threading.Channels;
using Widgets.Gateway.Links;
using Widgets.Gateway.Pos;

namespace Widgets.Gateway.Screen;

/// <summary>
/// The terminal screens connected to this gateway, one <see cref="TerminalScreenFeed"/> per terminal: however many
/// screens show a terminal, the gateway holds one grain observer for it, keeps one snapshot of what it shows and wakes
/// its screens through one shared signal. A feed lives while a screen listens. The idle carousel comes from the
/// gateway's pushed widget lists (<see cref="PushedListings"/>): when a location's lists change, its feeds re-read it.
/// </summary>
public sealed class TerminalScreenFeeds : IDisposable
{
    private readonly Dictionary<string, TerminalScreenFeed> feeds = new(StringComparer.Ordinal);
    private readonly IGrainFactory grains;
    private readonly LinkTokens links;
    private readonly PushedListings listings;
    private readonly TimeProvider clock;
    private readonly ILogger<TerminalScreenFeeds> logger;

    public TerminalScreenFeeds(IGrainFactory grains, LinkTokens links, PushedListings listings, TimeProvider clock, ILogger<TerminalScreenFeeds> logger)
    {
        this.grains = grains;
        this.links = links;
        this.listings = listings;
        this.clock = clock;
        this.logger = logger;
        listings.Changed += ListingsChanged;
    }

    /// <summary>How many terminals have a feed here; for tests and the benchmark.</summary>
    public int Count
    {
        get
        {
            lock (feeds)
            {
                return feeds.Count;
            }
        }
    }

    /// <summary>The feed of a terminal, subscribed and holding the terminal's current state; <see cref="Leave"/> it when the screen goes.</summary>
    public async Task<TerminalScreenFeed> Join(ScreenAddress screen)
    {
        TerminalScreenFeed feed;
        lock (feeds)
        {
            if (!feeds.TryGetValue(screen.TerminalKey, out feed!))
            {
                feed = new TerminalScreenFeed(this, grains, links, listings, clock, logger, screen.Location, screen.TerminalId);
                feeds[screen.TerminalKey] = feed;
                feed.Start();
            }

            feed.Listeners++;
        }

        try
        {
            await feed.Ready;
            return feed;
        }
        catch
        {
            Leave(feed);
            throw;
        }
    }

    public void Leave(TerminalScreenFeed feed)
    {
        lock (feeds)
        {
            if (--feed.Listeners > 0)
            {
                return;
            }

            if (feeds.TryGetValue(feed.Key, out var current) && current == feed)
            {
                feeds.Remove(feed.Key);
            }
        }

        feed.Stop();
    }

    public void Dispose() => listings.Changed -= ListingsChanged;

    /// <summary>Called by <see cref="PushedListings"/> while a catalogue write waits: only queues the re-read.</summary>
    private void ListingsChanged(string location)
    {
        lock (feeds)
        {
            foreach (var feed in feeds.Values)
            {
                if (feed.LocationKey == location)
                {
                    feed.IdleChanged();
                }
            }
        }
    }

    /// <summary>A feed whose subscription failed is forgotten, so the next screen to connect tries afresh.</summary>
    internal void Forget(TerminalScreenFeed feed)
    {
        lock (feeds)
        {
            if (feeds.TryGetValue(feed.Key, out var current) && current == feed)
            {
                feeds.Remove(feed.Key);
            }
        }
    }
}

/// <summary>
/// One terminal's screen state on this gateway, kept current by the terminal's feed grain. Events are applied one at
/// a time by re-reading the session they name (so an event late or out of order cannot put a wrong view up), the
/// subscription is renewed well within <see cref="ITerminalFeedGrain.SubscriptionLifetime"/> (and the state re-read
/// then, in case the terminal's silo was lost meanwhile), and each change completes <see cref="Changed"/>, which
/// every connected screen of the terminal awaits. The idle carousel is read from the pushed lists when they change
/// and at each renewal (which also keeps the location's lists watched while a screen shows them).
/// </summary>
public sealed class TerminalScreenFeed : ITerminalObserver
{
    /// <summary>How long the thanks view stays up after a conversion before the screen returns to idle.</summary>
    public static readonly TimeSpan ThanksDuration = TimeSpan.FromSeconds(6);

    private const string ThanksOver = "thanksOver";
    private const string Refresh = "refresh";
    private const string IdleListChanged = "idleListChanged";

    private readonly TerminalScreenFeeds owner;
    private readonly IGrainFactory grains;
    private readonly LinkTokens links;
    private readonly PushedListings listings;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly LocationKey location;
    private readonly ITerminalGrain terminal;
    private readonly Channel<TerminalEvent> inbox = Channel.CreateUnbounded<TerminalEvent>(new() { SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private ITerminalObserver? reference;
    private ITimer? renewal;
    private TaskCompletionSource changed = NewSignal();
    private volatile FeedState state = new(ScreenSnapshot.Idle, 0, null);
    private int stopped;

    internal TerminalScreenFeed(
        TerminalScreenFeeds owner, IGrainFactory grains, LinkTokens links, PushedListings listings, TimeProvider clock, ILogger logger, LocationKey location, string terminalId)
    {
        this.owner = owner;
        this.grains = grains;
        this.links = links;
        this.listings = listings;
        this.clock = clock;
        this.logger = logger;
        this.location = location;
        LocationKey = location.ToString();
        Key = GrainKeys.Terminal(location, terminalId);
        terminal = grains.Grain<ITerminalGrain>(Key);
    }

    public string Key { get; }

    /// <summary>The key of the terminal's location, as <see cref="PushedListings.Changed"/> names it.</summary>
    public string LocationKey { get; }

    /// <summary>Guarded by the owner's lock.</summary>
    internal int Listeners { get; set; }

    internal Task Ready { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// What the terminal's screens show now, the terminal's screen generation (a screen whose link is of an
    /// earlier one was revoked) and the location's idle carousel.
    /// </summary>
    public FeedState State => state;

    /// <summary>Completes at the next change of <see cref="State"/>; read it before <see cref="State"/>, so no change slips between.</summary>
    public Task Changed => Volatile.Read(ref changed).Task;

    private ScreenSnapshot Current => state.Snapshot;

    private int Generation => state.Generation;

    private IdleSlides? IdleNow => state.Idle;

    internal void Start() => Ready = Subscribe();

    internal void Stop()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1)
        {
            return;
        }

        stopping.Cancel();
        renewal?.Dispose();
        inbox.Writer.TryComplete();
        if (reference is { } observer)
        {
            terminal.Unsubscribe(observer).ContinueWith(
                t => logger.LogDebug(t.Exception, "Screen feed of {Terminal} could not unsubscribe; the subscription lapses by itself", Key),
                TaskContinuationOptions.OnlyOnFaulted);
            grains.DeleteObjectReference<ITerminalObserver>(observer);
        }
    }

    public void OnEvent(TerminalEvent terminalEvent) => inbox.Writer.TryWrite(terminalEvent);

    /// <summary>The location's lists changed: re-read the idle carousel, in turn with the terminal's events.</summary>
    internal void IdleChanged() => inbox.Writer.TryWrite(Synthetic(IdleListChanged, ""));

    private async Task Subscribe()
    {
        try
        {
            reference = grains.CreateObjectReference<ITerminalObserver>(this);

            // Subscribed before reading, so no change falls between the read and the first event.
            await terminal.Subscribe(reference);
            var generation = await terminal.GetScreenGeneration();
            var idle = await ReadIdle();
            state = new FeedState(Read(await terminal.GetScreen()), generation, idle);
        }
        catch
        {
            owner.Forget(this);
            Stop();
            throw;
        }

        _ = Task.Run(Apply);
        var period = ITerminalFeedGrain.SubscriptionLifetime / 3;
        renewal = clock.CreateTimer(_ => inbox.Writer.TryWrite(Synthetic(Refresh, "")), null, period, period);
    }

    private async Task Apply()
    {
        try
        {
            await foreach (var e in inbox.Reader.ReadAllAsync(stopping.Token))
            {
                try
                {
                    await Handle(e);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Screen feed of {Terminal} could not apply {Event}; the next renewal re-reads the terminal", Key, e.Type);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The last screen of this terminal went away.
        }
    }

    private async Task Handle(TerminalEvent e)
    {
        switch (e.Type)
        {
            case TerminalEventTypes.ScreenRevoked:
                Publish(Current, e.ScreenGeneration, IdleNow);
                return;
            case ThanksOver:
                if (Current.View == ScreenViews.Thanks && Current.SessionId == e.SessionId)
                {
                    Publish(ScreenSnapshot.Idle, Generation, IdleNow);
                }

                return;
            case IdleListChanged:
                Publish(Current, Generation, await ReadIdle());
                return;
            case Refresh:
                await terminal.Subscribe(reference!);
                var generation = await terminal.GetScreenGeneration();
                var now = Read(await terminal.GetScreen());
                var idle = await ReadIdle();
                Publish(Current.View == ScreenViews.Thanks && now.View == ScreenViews.Idle ? Current : now, generation, idle);
                return;
            case TerminalEventTypes.SessionStarted:
                break;
            default:
                // Any other event only matters for the session on screen; one of a superseded session is old news.
                if (e.SessionId != Current.SessionId)
                {
                    return;
                }

                break;
        }

        var next = Read(await grains.Grain<IWidgetSessionGrain>(e.SessionId).GetScreen());
        if (next.View == ScreenViews.Thanks && (Current.View != ScreenViews.Thanks || Current.SessionId != next.SessionId))
        {
            var sessionId = next.SessionId!;
            _ = Task.Delay(ThanksDuration, clock, stopping.Token).ContinueWith(
                _ => inbox.Writer.TryWrite(Synthetic(ThanksOver, sessionId)), TaskContinuationOptions.OnlyOnRanToCompletion);
        }

        Publish(next, Generation, IdleNow);
    }

    /// <summary>From the gateway's copy of the lists: no grain call while it is current.</summary>
    private async Task<IdleSlides> ReadIdle() => IdleSlides.Of(await listings.Get(location, WidgetContext.Idle));

    /// <summary>The page is at <c>/t/{token}</c>, so <c>../s/…</c> is the session's QR image under any path base.</summary>
    private ScreenSnapshot Read(ScreenView? screen) =>
        ScreenSnapshot.Of(screen, screen is null ? null : $"../s/{links.Issue(LinkKind.Screen, screen.SessionId)}/qr.svg");

    private void Publish(ScreenSnapshot next, int generation, IdleSlides? idle)
    {
        if (next.EventId == Current.EventId && generation == Generation && idle?.Version == IdleNow?.Version)
        {
            return;
        }

        state = new FeedState(next, generation, idle);
        Interlocked.Exchange(ref changed, NewSignal()).TrySetResult();
    }

    private TerminalEvent Synthetic(string type, string sessionId)
    {
        var now = clock.GetUtcNow();
        return new TerminalEvent(type, sessionId, 0, SessionState.Active, now, now);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>What a terminal's screens show, with the screen generation it is shown for and the idle carousel.</summary>
public sealed record FeedState(ScreenSnapshot Snapshot, int Generation, IdleSlides? Idle);
