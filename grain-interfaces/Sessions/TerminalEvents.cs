namespace Widgets.Sessions;

/// <summary>What happened to a terminal's session, as the customer-facing screen needs to know it.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.TerminalEvent")]
public sealed record TerminalEvent(
    [property: Id(0)] string Type,
    [property: Id(1)] string SessionId,
    [property: Id(2)] int WidgetId,
    [property: Id(3)] SessionState State,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] DateTimeOffset ExpiresAt,
    [property: Id(6)] int ScreenGeneration = 0);

public static class TerminalEventTypes
{
    public const string SessionStarted = "sessionStarted";
    public const string QrShown = "qrShown";
    public const string QrScanned = "qrScanned";
    public const string MessageSent = "messageSent";
    public const string Converted = "converted";
    public const string SessionEnded = "sessionEnded";

    /// <summary>The operator revoked the terminal's screen links; <see cref="TerminalEvent.ScreenGeneration"/> is the new generation.</summary>
    public const string ScreenRevoked = "screenRevoked";
}

/// <summary>A listener of one terminal's events (the gateway's event stream).</summary>
public interface ITerminalObserver : IGrainObserver
{
    void OnEvent(TerminalEvent terminalEvent);
}

/// <summary>
/// The screen feed of a terminal (key: location/terminal): fans the terminal's session events out to whoever listens.
/// Listeners re-subscribe within <see cref="SubscriptionLifetime"/> or are dropped, so a gateway that died leaves
/// nothing behind. Implemented by the terminal itself (<see cref="ITerminalGrain"/>); a listener needs only this part.
/// </summary>
public interface ITerminalFeedGrain : IGrainWithStringKey
{
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromMinutes(1);

    Task Subscribe(ITerminalObserver observer);

    Task Unsubscribe(ITerminalObserver observer);

    [OneWay]
    Task Publish(TerminalEvent terminalEvent);
}
