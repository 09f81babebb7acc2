namespace Widgets.Gateway.Customer;

/// <summary>
/// What the screen page polls: the session's state and deadline. <see cref="ServerTime"/> lets the page count down
/// correctly even when the display's clock is off.
/// </summary>
public sealed record ScreenState(SessionState State, DateTimeOffset ExpiresAt, bool Scanned, bool Converted, DateTimeOffset ServerTime)
{
    public static ScreenState From(ScreenView view, DateTimeOffset now) => new(view.State, view.ExpiresAt, view.Scanned, view.Converted, now);
}
