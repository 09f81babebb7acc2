using System.Text.Json;
using System.Text.Json.Serialization;

namespace Widgets.Gateway.Screen;

/// <summary>The views of a terminal's screen, as <c>&lt;main data-view&gt;</c> names them.</summary>
public static class ScreenViews
{
    public const string Idle = "idle";
    public const string Live = "live";
    public const string Scanned = "scanned";
    public const string Thanks = "thanks";
    public const string Unpaired = "unpaired";
}

/// <summary>
/// What a terminal's screen shows now: the data of one <c>state</c> event. One instance is shared by every screen of
/// the terminal on this gateway, and so is its JSON, serialised once.
/// </summary>
public sealed record ScreenSnapshot(
    string View,
    string? SessionId = null,
    string? Headline = null,
    string? Body = null,
    DateTimeOffset? ExpiresAt = null,
    [property: JsonPropertyName("qr")] string? QrUrl = null)
{
    public static ScreenSnapshot Idle { get; } = new(ScreenViews.Idle);

    /// <summary>The event id: the same state always has the same id, so a reconnect with Last-Event-ID knows whether it missed anything.</summary>
    [JsonIgnore]
    public string EventId => SessionId is null ? View : $"{View}.{SessionId}";

    [JsonIgnore]
    public string Json => field ??= JsonSerializer.Serialize(this, ScreenJson.Options);

    /// <summary>
    /// The view of a session's screen: live until scanned, thanks once converted (also after it ended), idle after any
    /// other end. <paramref name="qrUrl"/> is where the page loads the session's QR code.
    /// </summary>
    public static ScreenSnapshot Of(ScreenView? screen, string? qrUrl)
    {
        if (screen is null)
        {
            return Idle;
        }

        var view = screen.Converted ? ScreenViews.Thanks
            : screen.State != SessionState.Active ? ScreenViews.Idle
            : screen.Scanned ? ScreenViews.Scanned
            : ScreenViews.Live;
        return view == ScreenViews.Idle
            ? Idle
            : new ScreenSnapshot(view, screen.SessionId, screen.Headline, screen.Body, screen.ExpiresAt, view == ScreenViews.Thanks ? null : qrUrl);
    }
}

internal static class ScreenJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
