using Widgets.Keys;

namespace Widgets.Consent;

public enum SendDecision
{
    Allowed,

    /// <summary>The recipient opted out (SMS STOP, email unsubscribe).</summary>
    OptedOut,

    /// <summary>The recipient already got the daily maximum from this merchant.</summary>
    DailyLimit,
}

/// <summary>
/// One reachable person, by channel and normalised address (key: <see cref="RecipientKeys"/>): whether they opted
/// out and how many messages each merchant sent them today. Every send asks here first.
/// </summary>
public interface IRecipientGrain : IGrainWithStringKey
{
    /// <summary>Decides and, when allowed, counts one message from <paramref name="merchant"/> on <paramref name="day"/>.</summary>
    Task<SendDecision> RequestSend(LocationKey merchant, DateOnly day, int dailyLimit);

    Task OptOut(string source);

    Task OptIn(string source);

    [ReadOnly]
    Task<bool> IsOptedOut();
}

public static class RecipientKeys
{
    public static string Sms(string e164) => $"sms:{e164}";

    public static string Email(string address) => $"email:{address.Trim().ToLowerInvariant()}";
}
