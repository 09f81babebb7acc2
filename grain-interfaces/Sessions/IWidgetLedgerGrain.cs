namespace Widgets.Sessions;

/// <summary>
/// Per-widget records that must be unique across sessions (key: location/widgetId): coupon codes and contest entries.
/// It owns the widget's coupon pool: the location hands it over whenever the widget is saved.
/// </summary>
public interface IWidgetLedgerGrain : IGrainWithStringKey
{
    /// <summary>
    /// The coupon codes of one version of the widget. An older version than the one held is ignored. Codes already
    /// handed out stay counted: a replaced pool continues where the last one stopped.
    /// </summary>
    Task SetCouponPool(CouponPool pool);

    /// <summary>The session's coupon code; the same session always gets the same code, no two sessions share one. Null when no code is left.</summary>
    Task<string?> IssueCoupon(string sessionId);

    /// <summary>Records a contest entry; false if this contact already entered.</summary>
    Task<bool> TryEnterContest(string contactKey, string sessionId);

    /// <summary>
    /// Removes the contest entries of a contact (by <see cref="Consent.ContactHash"/>) or of one of the sessions;
    /// returns how many it removed.
    /// </summary>
    Task<int> EraseContestEntries(IReadOnlyCollection<string> contactHashes, IReadOnlyCollection<string> sessionIds);
}

/// <summary>A coupon widget's codes: a pool handed out once each, in order, then generated codes with the prefix (if any).</summary>
[GenerateSerializer, Immutable, Alias("Widgets.CouponPool")]
public sealed record CouponPool(
    [property: Id(0)] int WidgetVersion,
    [property: Id(1)] IReadOnlyList<string>? Codes,
    [property: Id(2)] string? Prefix);
