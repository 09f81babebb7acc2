using Widgets.Gateway.Hosting;
using Widgets.Gateway.Links;
using Widgets.Gateway.Pos;

namespace Widgets.Gateway.Screen;

/// <summary>
/// The terminal screens connected to this gateway, one <see cref="TerminalScreenFeed"/> per terminal: however many
/// screens show a terminal, the gateway holds one grain observer for it, keeps one snapshot of what it shows and wakes
/// its screens through one shared signal. A feed lives while a screen listens. The idle carousel comes from the
/// gateway's pushed widget lists (<see cref="PushedListings"/>): when a location's lists change, its feeds re-read it.
/// One timer ticking every <see cref="Tick"/> serves every feed and screen (feeds hold no timer, screens no delay):
/// it renews the feeds that are due, ends thanks views, and wakes one of <see cref="HeartbeatLanes"/> lanes of screens
/// for their heartbeat, so heartbeats are spread over the period rather than all written at once. When the cluster
/// loses a silo, every feed renews at once (<see cref="SilosLost"/>) rather than at its next due renewal.
/// </summary>
public sealed class TerminalScreenFeeds : IDisposable
{
    /// <summary>The shared clock's step: how late a renewal or the end of a thanks view may be.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <summary>How often each screen gets a heartbeat (so proxies keep the stream open and dead ones are noticed).</summary>
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(15);

    private static readonly int HeartbeatLanes = (int)(HeartbeatEvery / Tick);

    private readonly Dictionary<string, TerminalScreenFeed> feeds = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<string>[] heartbeats = new TaskCompletionSource<string>[HeartbeatLanes];
    private readonly ITimer ticker;
    private readonly ClusterConnection cluster;
    private int ticks;
    private int streams;

    public TerminalScreenFeeds(IGrainFactory grains, LinkTokens links, PushedListings listings, ClusterConnection cluster, TimeProvider clock, ILogger<TerminalScreenFeeds> logger)
    {
        this.cluster = cluster;
        Grains = grains;
        Links = links;
        Listings = listings;
        Clock = clock;
        Logger = logger;
        for (var i = 0; i < heartbeats.Length; i++)
        {
            heartbeats[i] = NewHeartbeat();
        }

        listings.Changed += ListingsChanged;
        cluster.SilosLost += SilosLost;
        ticker = clock.CreateTimer(_ => OnTick(), null, Tick, Tick);
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

    internal IGrainFactory Grains { get; }

    internal LinkTokens Links { get; }

    internal PushedListings Listings { get; }

    internal TimeProvider Clock { get; }

    internal ILogger Logger { get; }

    /// <summary>The feed of a terminal, subscribed and holding the terminal's current state; <see cref="Leave"/> it when the screen goes.</summary>
    public async Task<TerminalScreenFeed> Join(ScreenAddress screen)
    {
        TerminalScreenFeed feed;
        lock (feeds)
        {
            if (!feeds.TryGetValue(screen.TerminalKey, out feed!))
            {
                feed = new TerminalScreenFeed(this, screen.Location, screen.TerminalId);
                feeds[screen.TerminalKey] = feed;
                feed.Start();
            }

            feed.Listeners++;
        }

        try
        {
            await feed.Ready;
            feed.Joined();
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

    /// <summary>A new screen stream's heartbeat lane: streams are dealt round the lanes.</summary>
    public int HeartbeatLane() => (int)((uint)Interlocked.Increment(ref streams) % (uint)HeartbeatLanes);

    /// <summary>Completes, with the server time, at the next heartbeat of <paramref name="lane"/>: once every <see cref="HeartbeatEvery"/>.</summary>
    public Task<string> Heartbeat(int lane) => Volatile.Read(ref heartbeats[lane]).Task;

    public void Dispose()
    {
        ticker.Dispose();
        Listings.Changed -= ListingsChanged;
        cluster.SilosLost -= SilosLost;
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

    /// <summary>
    /// A silo gateway went away (cluster mode). The terminals whose feed grains it held come back in new activations
    /// on other silos, with no subscriber: their next sessions would reach no screen here until the feed's next
    /// renewal, up to <see cref="TerminalScreenFeed.RenewEvery"/> later, while the page shows the old session. Which
    /// terminals the silo held is not known here, so every feed renews now (spread over
    /// <see cref="TerminalScreenFeed.RetryEvery"/>), and a renewal that fails because the silo is not yet declared
    /// dead is tried again every <see cref="TerminalScreenFeed.RetryEvery"/> until the terminal answers from its new
    /// silo. The renewal re-reads the terminal, so a session started meanwhile shows at once. Periodic renewals stay
    /// as rare as they are: this costs one renewal per feed per lost silo.
    /// </summary>
    private void SilosLost()
    {
        var now = Clock.GetTimestamp();
        lock (feeds)
        {
            Logger.LogInformation("A silo gateway was lost (or the cluster is back); renewing the {Count} screen feed(s) of this gateway", feeds.Count);
            foreach (var feed in feeds.Values)
            {
                feed.RenewSoon(now);
            }
        }
    }

    private void OnTick()
    {
        try
        {
            var now = Clock.GetTimestamp();
            lock (feeds)
            {
                foreach (var feed in feeds.Values)
                {
                    feed.OnTick(now);
                }
            }

            var lane = (int)((uint)Interlocked.Increment(ref ticks) % (uint)HeartbeatLanes);
            var time = Clock.GetUtcNow().UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            Interlocked.Exchange(ref heartbeats[lane], NewHeartbeat()).TrySetResult(time);
        }
        catch (Exception ex)
        {
            // A timer callback must not throw; the next tick tries again.
            Logger.LogWarning(ex, "The screens' tick failed; retrying in {Seconds} s", Tick.TotalSeconds);
        }
    }

    private static TaskCompletionSource<string> NewHeartbeat() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// One terminal's screen state on this gateway, kept current by the terminal's feed grain. Events are applied one at
/// a time by re-reading the session they name (so an event late or out of order cannot put a wrong view up), the
/// subscription is renewed well within <see cref="ITerminalFeedGrain.SubscriptionLifetime"/> (and the state re-read
/// then, in case the terminal's silo was lost meanwhile; at once when this gateway sees a silo go), and each change
/// completes <see cref="Changed"/>, which every connected screen of the terminal awaits. The idle carousel is read
/// from the pushed lists when they change and at each renewal (which also keeps the location's lists watched while a
/// screen shows them). Between events a feed holds no task, timer or queue: its owner's tick says when a renewal or
/// the end of a thanks view is due.
/// </summary>
public sealed class TerminalScreenFeed : ITerminalObserver
{
    /// <summary>How long the thanks view stays up after a conversion before the screen returns to idle.</summary>
    public static readonly TimeSpan ThanksDuration = TimeSpan.FromSeconds(6);

    /// <summary>Half the subscription's lifetime: a renewal late by a few ticks still lands well in time.</summary>
    internal static readonly TimeSpan RenewEvery = ITerminalFeedGrain.SubscriptionLifetime / 2;

    /// <summary>
    /// How soon a renewal that failed is tried again: a terminal whose silo was lost answers again once the silo is
    /// declared dead (seconds), and a screen should not wait a whole <see cref="RenewEvery"/> for it.
    /// </summary>
    internal static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);

    private const string ThanksOver = "thanksOver";
    private const string Refresh = "refresh";
    private const string IdleListChanged = "idleListChanged";

    private readonly TerminalScreenFeeds owner;
    private readonly LocationKey location;
    private readonly ITerminalGrain terminal;
    private readonly Lock gate = new();
    private Queue<TerminalEvent>? pending;
    private bool applying;
    private bool stopped;
    private long renewAt;
    private long thanksOverAt;
    private string? thanksSession;
    private ITerminalObserver? reference;

    /// <summary>Renewals failed in a row; touched only by the drain, which runs one at a time.</summary>
    private int renewFailures;
    private TaskCompletionSource changed = NewSignal();
    private volatile FeedState state = new(ScreenSnapshot.Idle, 0, null);

    internal TerminalScreenFeed(TerminalScreenFeeds owner, LocationKey location, string terminalId)
    {
        this.owner = owner;
        this.location = location;
        LocationKey = location.ToString();
        Key = GrainKeys.Terminal(location, terminalId);
        terminal = owner.Grains.Grain<ITerminalGrain>(Key);
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

    private IGrainFactory Grains => owner.Grains;

    private TimeProvider Clock => owner.Clock;

    internal void Start() => Ready = Subscribe();

    /// <summary>Once subscribed, the feed need not keep its subscription's task (and all it captured) for its lifetime.</summary>
    internal void Joined()
    {
        if (Ready.IsCompletedSuccessfully)
        {
            Ready = Task.CompletedTask;
        }
    }

    internal void Stop()
    {
        lock (gate)
        {
            if (stopped)
            {
                return;
            }

            stopped = true;
            pending = null;
        }

        if (reference is { } observer)
        {
            var logger = owner.Logger;
            terminal.Unsubscribe(observer).ContinueWith(
                t => logger.LogDebug(t.Exception, "Screen feed of {Terminal} could not unsubscribe; the subscription lapses by itself", Key),
                TaskContinuationOptions.OnlyOnFaulted);
            Grains.DeleteObjectReference<ITerminalObserver>(observer);
        }
    }

    public void OnEvent(TerminalEvent terminalEvent) => Enqueue(terminalEvent);

    /// <summary>The location's lists changed: re-read the idle carousel, in turn with the terminal's events.</summary>
    internal void IdleChanged() => Enqueue(Synthetic(IdleListChanged, ""));

    /// <summary>The owner's tick (under its lock): queues a renewal or the end of a thanks view when due.</summary>
    internal void OnTick(long now)
    {
        if (Volatile.Read(ref renewAt) is > 0 and var due && now >= due)
        {
            Volatile.Write(ref renewAt, now + Ticks(RenewEvery));
            Enqueue(Synthetic(Refresh, ""));
        }

        string? thanksOver = null;
        lock (gate)
        {
            if (thanksSession is { } session && now >= thanksOverAt)
            {
                (thanksOver, thanksSession) = (session, null);
            }
        }

        if (thanksOver is not null)
        {
            Enqueue(Synthetic(ThanksOver, thanksOver));
        }
    }

    /// <summary>Brings the next renewal forward to a random moment within <see cref="RetryEvery"/> of <paramref name="now"/> (under the owner's lock).</summary>
    internal void RenewSoon(long now)
    {
        if (Volatile.Read(ref renewAt) > 0)
        {
            Volatile.Write(ref renewAt, now + (long)(Ticks(RetryEvery) * Random.Shared.NextDouble()));
        }
    }

    private async Task Subscribe()
    {
        try
        {
            reference = Grains.CreateObjectReference<ITerminalObserver>(this);

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

        // The first renewal somewhere in the second half of the period: feeds that joined together (a gateway's
        // screens reconnecting after a restart) renew spread out, not all in one tick.
        Volatile.Write(ref renewAt, Clock.GetTimestamp() + (long)(Ticks(RenewEvery) * (0.5 + (Random.Shared.NextDouble() / 2))));
    }

    /// <summary>Events are applied one at a time, in order, by one drain that runs only while there are some.</summary>
    private void Enqueue(TerminalEvent e)
    {
        lock (gate)
        {
            if (stopped)
            {
                return;
            }

            (pending ??= new Queue<TerminalEvent>(2)).Enqueue(e);
            if (applying)
            {
                return;
            }

            applying = true;
        }

        _ = Task.Run(Drain);
    }

    private async Task Drain()
    {
        while (true)
        {
            TerminalEvent e;
            lock (gate)
            {
                if (stopped || pending is not { Count: > 0 } queue)
                {
                    pending = null;
                    applying = false;
                    return;
                }

                e = queue.Dequeue();
            }

            try
            {
                await Handle(e);
            }
            catch (Exception ex)
            {
                owner.Logger.LogWarning(ex, "Screen feed of {Terminal} could not apply {Event}; the next renewal re-reads the terminal", Key, e.Type);
            }
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
                try
                {
                    await terminal.Subscribe(reference!);
                    var generation = await terminal.GetScreenGeneration();
                    var now = Read(await terminal.GetScreen());
                    var idle = await ReadIdle();
                    Publish(Current.View == ScreenViews.Thanks && now.View == ScreenViews.Idle ? Current : now, generation, idle);
                }
                catch (Exception ex)
                {
                    // Soon again, not a whole period later: the subscription may have lapsed with a lost silo. Only the
                    // first failure in a row warns: while the cluster is down every feed fails every RetryEvery.
                    Volatile.Write(ref renewAt, Clock.GetTimestamp() + Ticks(RetryEvery));
                    owner.Logger.Log(renewFailures++ == 0 ? LogLevel.Warning : LogLevel.Debug, ex,
                        "Screen feed of {Terminal} could not renew its subscription; trying again every {Seconds} s", Key, RetryEvery.TotalSeconds);
                    return;
                }

                renewFailures = 0;
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

        var next = Read(await Grains.Grain<IWidgetSessionGrain>(e.SessionId).GetScreen());
        if (next.View == ScreenViews.Thanks && (Current.View != ScreenViews.Thanks || Current.SessionId != next.SessionId))
        {
            lock (gate)
            {
                thanksOverAt = Clock.GetTimestamp() + Ticks(ThanksDuration);
                thanksSession = next.SessionId;
            }
        }

        Publish(next, Generation, IdleNow);
    }

    /// <summary>From the gateway's copy of the lists: no grain call while it is current.</summary>
    private async Task<IdleSlides> ReadIdle() => IdleSlides.Of(await owner.Listings.Get(location, WidgetContext.Idle));

    /// <summary>The page is at <c>/t/{token}</c>, so <c>../s/…</c> is the session's QR image under any path base.</summary>
    private ScreenSnapshot Read(ScreenView? screen) =>
        ScreenSnapshot.Of(screen, screen is null ? null : $"../s/{owner.Links.Issue(LinkKind.Screen, screen.SessionId)}/qr.svg");

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
        var now = Clock.GetUtcNow();
        return new TerminalEvent(type, sessionId, 0, SessionState.Active, now, now);
    }

    /// <summary>A span in <see cref="TimeProvider.GetTimestamp"/> units.</summary>
    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Clock.TimestampFrequency);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>What a terminal's screens show, with the screen generation it is shown for and the idle carousel.</summary>
public sealed record FeedState(ScreenSnapshot Snapshot, int Generation, IdleSlides? Idle);
