using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Widgets.Gateway.Auth;

namespace Widgets.Gateway.Links;

/// <summary>A terminal's screen, as its link names it: the terminal and the screen generation the link was issued in.</summary>
public readonly record struct ScreenAddress(LocationKey Location, string TerminalId, int Generation)
{
    public string TerminalKey => GrainKeys.Terminal(Location, TerminalId);
}

/// <summary>
/// Tokens of terminal screen links (<c>/t/{token}</c>): <c>base64url(posSystemId/locationId/terminalId).generation.signature</c>.
/// They do not expire (a kiosk keeps its page open for days); the operator revokes them by moving the terminal's
/// screen generation on (<see cref="ITerminalGrain.RevokeScreen"/>). The same terminal and generation always give the
/// same token, so asking again returns a link to the same screen.
/// </summary>
public sealed class ScreenTokens(SigningKeys keys)
{
    private const int SignatureChars = 27;
    private const int MaxTokenChars = 512;

    /// <summary>
    /// The terminal's screen link under <paramref name="linkBase"/> (<see cref="PublicUrls.Base"/>) for its current
    /// <paramref name="generation"/> (<see cref="ITerminalGrain.GetScreenGeneration"/>): what <c>carousel</c> answers and the console shows.
    /// </summary>
    public string Link(string linkBase, LocationKey location, string terminalId, int generation) => $"{linkBase}/t/{Issue(location, terminalId, generation)}";

    public string Issue(LocationKey location, string terminalId, int generation)
    {
        var address = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes($"{location.PosSystemId}/{location.LocationId}/{terminalId}"));
        var gen = generation.ToString(CultureInfo.InvariantCulture);
        return $"{address}.{gen}.{Sign(address, gen)}";
    }

    /// <summary>The screen a well-formed, correctly signed token names (revocation is the terminal's to say); null for anything else.</summary>
    public ScreenAddress? Verify(string? token)
    {
        if (token is null || token.Length > MaxTokenChars)
        {
            return null;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || parts[2].Length != SignatureChars
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
            || parts[1] != generation.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(parts[0], parts[1])), Encoding.ASCII.GetBytes(parts[2])))
        {
            return null;
        }

        string[] ids;
        try
        {
            ids = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(parts[0])).Split('/');
        }
        catch (FormatException)
        {
            return null;
        }

        return ids.Length == 3 && ids.All(LocationKey.IsValidId)
            ? new ScreenAddress(LocationKey.Create(ids[0], ids[1]), ids[2], generation)
            : null;
    }

    /// <summary>The self-start form's token of one screen link: only a page this service rendered for that link has it.</summary>
    public string StartToken(string token) =>
        WebEncoders.Base64UrlEncode(HMACSHA256.HashData(keys.LinkKey, Encoding.UTF8.GetBytes($"screen-start:{token}")));

    public bool IsStartToken(string token, string? candidate) =>
        candidate is { Length: > 0 and < 100 }
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(StartToken(token)), Encoding.ASCII.GetBytes(candidate));

    private string Sign(string address, string generation)
    {
        var mac = HMACSHA256.HashData(keys.LinkKey, Encoding.UTF8.GetBytes($"TerminalScreen:{address}:{generation}"));
        return WebEncoders.Base64UrlEncode(mac)[..SignatureChars];
    }
}
