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

    public SigningKeys(IConfiguration configuration, ILogger<SigningKeys> logger)
    {
        var secret = Load(configuration, logger);
        AccessTokenKey = new SymmetricSecurityKey(Derive(secret, "access-tokens"));
        LinkKey = Derive(secret, "customer-links");
    }

    public SecurityKey AccessTokenKey { get; }

    public byte[] LinkKey { get; }

    private static byte[] Derive(byte[] secret, string purpose) => HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(purpose));

    private static byte[] Load(IConfiguration configuration, ILogger logger)
    {
        if (configuration["Auth:SigningKey"] is { Length: > 0 } configured)
        {
            var bytes = Encoding.UTF8.GetBytes(configured);
            return bytes.Length >= MinimumKeyBytes
                ? bytes
                : throw new InvalidOperationException($"Auth:SigningKey must be at least {MinimumKeyBytes} characters; generate one with `openssl rand -base64 48`.");
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
