using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using Widgets.Hosting;

namespace Widgets.Gateway.Auth;

/// <summary>
/// The secret behind access tokens and customer links: <c>Auth:SigningKey</c>, or a key generated once and kept
/// in the data directory so tokens and printed links survive a restart.
/// </summary>
public sealed class SigningKeys
{
    private const int MinimumKeyBytes = 32;

    /// <summary>A random key has many different characters: base64 of 48 bytes about 40, hex at least 14.</summary>
    private const int MinimumDistinctCharacters = 12;

    private const string Fix = "Generate one with `openssl rand -base64 48` and set it as env Auth__SigningKey on every gateway (deploy/README.md, \"Secrets\").";

    /// <summary>Words in the example files' placeholders (and in keys typed by hand), looked for in every key.</summary>
    private static readonly string[] PlaceholderWords = ["change-me", "changeme", "change_me", "replace", "placeholder", "example", "openssl", "your-", "secret", "password"];

    /// <summary>
    /// Short placeholder words, looked for only in keys that are not base64 or hex of random bytes: a random base64
    /// key of 48 bytes spells "xxxx" or "todo" (in some case) about once in 8,000 keys, and must not be refused for it.
    /// The longer words above come up by chance about once in fifteen million keys.
    /// </summary>
    private static readonly string[] ShortPlaceholderWords = ["xxxx", "todo"];

    public SigningKeys(IConfiguration configuration, ILogger<SigningKeys> logger)
    {
        var secret = Load(configuration, logger);
        AccessTokenKey = new SymmetricSecurityKey(Derive(secret, "access-tokens"));
        LinkKey = Derive(secret, "customer-links");
    }

    public SecurityKey AccessTokenKey { get; }

    public byte[] LinkKey { get; }

    /// <summary>
    /// The configured key, unless it is short, a placeholder copied from an example file, or plainly not random: with
    /// such a key anyone could forge access tokens and customer links, so the gateway refuses to start.
    /// </summary>
    public static string Validate(string configured)
    {
        if (Encoding.UTF8.GetByteCount(configured) < MinimumKeyBytes)
        {
            throw new InvalidOperationException($"Auth:SigningKey is too short ({configured.Length} characters; at least {MinimumKeyBytes}). {Fix}");
        }

        var words = EncodesRandomBytes(configured) ? PlaceholderWords : [.. PlaceholderWords, .. ShortPlaceholderWords];
        if (words.FirstOrDefault(w => configured.Contains(w, StringComparison.OrdinalIgnoreCase)) is { } word)
        {
            throw new InvalidOperationException($"Auth:SigningKey is a placeholder (it contains \"{word}\"), not a secret: anyone who read the example could forge tokens and customer links. {Fix}");
        }

        if (configured.Distinct().Count() < MinimumDistinctCharacters)
        {
            throw new InvalidOperationException($"Auth:SigningKey is not random (only {configured.Distinct().Count()} different characters). {Fix}");
        }

        return configured;
    }

    /// <summary>Whether the key reads as <c>openssl rand -base64</c> or <c>-hex</c> output of at least 32 bytes.</summary>
    private static bool EncodesRandomBytes(string key) =>
        (key.Length % 2 == 0 && key.Length / 2 >= MinimumKeyBytes && key.All(char.IsAsciiHexDigit))
        || (Convert.TryFromBase64String(key, new byte[key.Length], out var bytes) && bytes >= MinimumKeyBytes);

    private static byte[] Derive(byte[] secret, string purpose) => HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(purpose));

    private static byte[] Load(IConfiguration configuration, ILogger logger)
    {
        if (configuration["Auth:SigningKey"] is { Length: > 0 } configured)
        {
            return Encoding.UTF8.GetBytes(Validate(configured));
        }

        var widgets = WidgetsOptions.From(configuration);
        var path = Path.Combine(widgets.DataPath, "signing.key");
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        if (widgets.Mode == HostingMode.Cluster)
        {
            throw new InvalidOperationException(
                "Cluster mode needs Auth:SigningKey, shared by every gateway, so that any gateway accepts the tokens and links another issued. Set env Auth__SigningKey.");
        }

        Directory.CreateDirectory(widgets.DataPath);
        var key = RandomNumberGenerator.GetBytes(64);
        File.WriteAllText(path, Convert.ToBase64String(key));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        logger.LogInformation("Generated a signing key at {Path}; set Auth:SigningKey to manage it yourself", path);
        return key;
    }
}

/// <summary>Loads the signing key while the host starts, so a missing, short or placeholder key stops it at once with the fix.</summary>
internal sealed class SigningKeysCheckedAtStart(SigningKeys keys) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override string ToString() => $"{nameof(SigningKeysCheckedAtStart)}({keys.GetType().Name})";
}
