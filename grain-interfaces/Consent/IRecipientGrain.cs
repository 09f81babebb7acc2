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

/// <summary>
/// Recipient grain keys hold a hash of the address, not the address: grain ids appear in storage rows, logs, the
/// dashboard and unsubscribe links, none of which should carry a phone number or an email.
/// </summary>
public static class RecipientKeys
{
    public static string Sms(string e164) => $"sms:{ContactHash.Phone(e164)}";

    public static string Email(string address) => $"email:{ContactHash.Email(address)}";

    public static bool IsEmailKey(string key) => key.StartsWith("email:", StringComparison.Ordinal) && key.Length == 6 + 32;
}

/// <summary>
/// The one hash of a contact detail, where a record must be found by a person's email or phone without holding it in
/// clear (recipient keys, the session journal's contact columns). A lookup key, not anonymisation: a phone number's
/// hash can be found by trying every number.
/// </summary>
public static class ContactHash
{
    /// <summary>An email, trimmed and lower-cased first.</summary>
    public static string Email(string address) => Hash(address.Trim().ToLowerInvariant());

    /// <summary>A phone number in E.164.</summary>
    public static string Phone(string e164) => Hash(e164);

    private static string Hash(string value) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)))[..32];
}
