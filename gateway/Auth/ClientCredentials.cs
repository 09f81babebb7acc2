using System.Text;
using Widgets.Clients;

namespace Widgets.Gateway.Auth;

/// <summary>Checks a client id and secret against the stored hash.</summary>
public sealed class ClientCredentials(IGrainFactory grains)
{
    public async Task<ApiClient?> Verify(string clientId, string secret)
    {
        if (!LocationKey.IsValidId(clientId) || secret.Length is 0 or > 256)
        {
            return null;
        }

        // The directory answers from memory: an id nobody registered activates no client grain, so guessing ids costs
        // no memory.
        if (!await grains.Grain<IClientDirectoryGrain>(GrainKeys.ClientDirectory).Contains(clientId))
        {
            return null;
        }

        var grain = grains.Grain<IApiClientGrain>(clientId);
        var hash = await grain.GetSecretHash();
        return hash is not null && ClientSecrets.Matches(secret, hash) ? await grain.Get() : null;
    }

    /// <summary>Parses <c>Authorization: Basic base64(id:secret)</c>; OAuth2 form-encodes both parts first.</summary>
    public static (string Id, string Secret)? FromBasicHeader(string? header)
    {
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':');
            return colon <= 0 ? null : (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
