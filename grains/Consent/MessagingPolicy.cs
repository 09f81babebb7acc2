namespace Widgets.Grains.Consent;

/// <summary>Limits on messages to the public (configuration section <c>Messaging</c>).</summary>
public sealed class MessagingPolicy
{
    public const string Section = "Messaging";

    /// <summary>At most this many messages per recipient, per merchant (location), per day.</summary>
    public int DailyLimitPerRecipient { get; set; } = 3;

    /// <summary>No SMS between these local times of the location (start after end wraps past midnight).</summary>
    public TimeOnly QuietHoursStart { get; set; } = new(21, 0);

    public TimeOnly QuietHoursEnd { get; set; } = new(8, 0);

    public bool IsQuiet(DateTimeOffset now, string? timeZone)
    {
        if (QuietHoursStart == QuietHoursEnd)
        {
            return false;
        }

        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone ?? "UTC", out var found) ? found : TimeZoneInfo.Utc;
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        return QuietHoursStart < QuietHoursEnd
            ? local >= QuietHoursStart && local < QuietHoursEnd
            : local >= QuietHoursStart || local < QuietHoursEnd;
    }
}
