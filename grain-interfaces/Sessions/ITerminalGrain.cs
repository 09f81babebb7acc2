using Widgets.Common;

namespace Widgets.Sessions;

/// <summary>
/// One POS lane's live side (key: <see cref="Keys.GrainKeys.Terminal"/>): which session it shows now (stored, so it
/// survives a crash), the rule that a new start supersedes that session, and the feed its screen listens to. The
/// location keeps the lane's registration; a start asks it whether the terminal and widget may start.
/// </summary>
public interface ITerminalGrain : ITerminalFeedGrain
{
    /// <summary>
    /// Starts a session of a live widget on this terminal and supersedes the terminal's current one. With
    /// <paramref name="idempotency"/>, the session id is derived from the key, so a retry finds the first session.
    /// </summary>
    Task<Outcome<SessionStarted>> StartSession(int widgetId, string? couponId, IdempotentStart? idempotency = null);

    /// <summary>The session the terminal shows now; null when it shows idle.</summary>
    [ReadOnly]
    Task<string?> GetActiveSessionId();

    /// <summary>What the terminal's customer-facing screen shows now: its session's screen, or null for idle.</summary>
    [ReadOnly]
    Task<ScreenView?> GetScreen();

    /// <summary>
    /// The generation of the terminal's screen links: a screen link carries the generation it was issued in and works
    /// while it is the current one. Stored, so a restart never revives a revoked link.
    /// </summary>
    [ReadOnly]
    Task<int> GetScreenGeneration();

    /// <summary>Revokes every screen link issued so far (the generation moves on) and tells the listening screens; answers the new generation.</summary>
    Task<int> RevokeScreen();

    /// <summary>The terminal was deleted: its session ends as superseded and the terminal forgets it.</summary>
    Task Retire();

    /// <summary>A session of this terminal ended, so the terminal shows idle if it was the current one.</summary>
    [OneWay]
    Task OnSessionEnded(string sessionId);
}
