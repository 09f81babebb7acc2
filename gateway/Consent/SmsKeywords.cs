namespace Widgets.Gateway.Consent;

/// <summary>The carrier-standard opt-out and opt-in words; only the first word of a reply counts, in any case.</summary>
public static class SmsKeywords
{
    private static readonly HashSet<string> OptOutWords = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"];
    private static readonly HashSet<string> OptInWords = ["START", "UNSTOP"];

    /// <summary>true: opt out; false: opt back in; null: an ordinary reply.</summary>
    public static bool? Classify(string? body)
    {
        var first = (body ?? "").Trim().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        var word = new string(first.Where(char.IsLetter).ToArray()).ToUpperInvariant();
        return OptOutWords.Contains(word) ? true : OptInWords.Contains(word) ? false : null;
    }
}
