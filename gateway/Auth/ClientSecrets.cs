using System.Security.Cryptography;
using System.Text;

namespace Widgets.Gateway.Auth;

/// <summary>
/// Client secrets are 256-bit random values, so a fast hash is enough to make the stored form useless to a thief
/// (unlike passwords, they cannot be guessed from a dictionary).
/// </summary>
public static class ClientSecrets
{
    public static string Generate() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
