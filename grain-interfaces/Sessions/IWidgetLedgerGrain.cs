namespace Widgets.Sessions;

/// <summary>Per-widget records that must be unique across sessions (key: location/widgetId): coupon codes, contest entries.</summary>
public interface IWidgetLedgerGrain : IGrainWithStringKey
{
    /// <summary>The session's coupon code; the same session always gets the same code, no two sessions share one. Null when the pool is exhausted.</summary>
    Task<string?> IssueCoupon(string sessionId, IReadOnlyList<string>? pool, string? prefix);

    /// <summary>Records a contest entry; false if this contact already entered.</summary>
    Task<bool> TryEnterContest(string contactKey, string sessionId);
}
