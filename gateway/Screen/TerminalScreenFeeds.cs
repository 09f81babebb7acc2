using System.Threading.Channels;
using Widgets.Gateway.Links;

namespace Widgets.Gateway.Screen;

/// <summary>
/// The terminal screens connected to this gateway, one <see cref="TerminalScreenFeed"/> per terminal: however many
/// screens show a terminal, the gateway holds one grain observer for it, keeps one snapshot of what it shows and wakes
/// its screens through one shared signal. A feed lives while a screen listens.
/// </summary>
public sealed class TerminalScreenFeeds(IGrainFactory grains, LinkTokens links, TimeProvider clock, ILogger<TerminalScreenFeeds> logger)
{
    private readonly Dictionary<string, TerminalScreenFeed> feeds = new(StringComparer.Ordinal);

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
                feed = new TerminalScreenFeed(this, grains, links, clock, logger, screen.Location, screen.TerminalId);
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
/// every connected screen of the terminal awaits.
/// </summary>
public sealed class TerminalScreenFeed : ITerminalObserver
{
    /// <summary>How long the thanks view stays up after a conversion before the screen returns to idle.</summary>
    public static readonly TimeSpan ThanksDuration = TimeSpan.FromSeconds(6);

    private const string ThanksOver = "thanksOver";
    private const string Refresh = "refresh";

    private readonly TerminalScreenFeeds owner;
    private readonly IGrainFactory grains;
    private readonly LinkTokens links;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly ITerminalGrain terminal;
    private readonly Channel<TerminalEvent> inbox = Channel.CreateUnbounded<TerminalEvent>(new() { SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private ITerminalObserver? reference;
    private ITimer? renewal;
    private TaskCompletionSource changed = NewSignal();
    private volatile FeedState state = new(ScreenSnapshot.Idle, 0);
    private int stopped;

    internal TerminalScreenFeed(TerminalScreenFeeds owner, IGrainFactory grains, LinkTokens links, TimeProvider clock, ILogger logger, LocationKey location, string terminalId)
    {
        this.owner = owner;
        this.grains = grains;
        this.links = links;
        this.clock = clock;
        this.logger = logger;
        Key = GrainKeys.Terminal(location, terminalId);
        terminal = grains.Grain<ITerminalGrain>(Key);
    }

    public string Key { get; }

    /// <summary>Guarded by the owner's lock.</summary>
    internal int Listeners { get; set; }

    internal Task Ready { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// What the terminal's screens show now, and the terminal's screen generation (a screen whose link is of an
    /// earlier one was revoked).
    /// </summary>
    public FeedState State => state;

    /// <summary>Completes at the next change of <see cref="State"/>; read it before <see cref="State"/>, so no change slips between.</summary>
    public Task Changed => Volatile.Read(ref changed).Task;

    private ScreenSnapshot Current => state.Snapshot;

    private int Generation => state.Generation;

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

    private async Task Subscribe()
    {
        try
        {
            reference = grains.CreateObjectReference<ITerminalObserver>(this);

            // Subscribed before reading, so no change falls between the read and the first event.
            await terminal.Subscribe(reference);
            var generation = await terminal.GetScreenGeneration();
            state = new FeedState(Read(await terminal.GetScreen()), generation);
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
                Publish(Current, e.ScreenGeneration);
                return;
            case ThanksOver:
                if (Current.View == ScreenViews.Thanks && Current.SessionId == e.SessionId)
                {
                    Publish(ScreenSnapshot.Idle, Generation);
                }

                return;
            case Refresh:
                await terminal.Subscribe(reference!);
                var generation = await terminal.GetScreenGeneration();
                var now = Read(await terminal.GetScreen());
                Publish(Current.View == ScreenViews.Thanks && now.View == ScreenViews.Idle ? Current : now, generation);
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

        Publish(next, Generation);
    }

    /// <summary>The page is at <c>/t/{token}</c>, so <c>../s/…</c> is the session's QR image under any path base.</summary>
    private ScreenSnapshot Read(ScreenView? screen) =>
        ScreenSnapshot.Of(screen, screen is null ? null : $"../s/{links.Issue(LinkKind.Screen, screen.SessionId)}/qr.svg");

    private void Publish(ScreenSnapshot next, int generation)
    {
        if (next.EventId == Current.EventId && generation == Generation)
        {
            return;
        }

        state = new FeedState(next, generation);
        Interlocked.Exchange(ref changed, NewSignal()).TrySetResult();
    }

    private TerminalEvent Synthetic(string type, string sessionId)
    {
        var now = clock.GetUtcNow();
        return new TerminalEvent(type, sessionId, 0, SessionState.Active, now, now);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>What a terminal's screens show, with the screen generation it is shown for.</summary>
public sealed record FeedState(ScreenSnapshot Snapshot, int Generation);
