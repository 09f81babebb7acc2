using Microsoft.Extensions.Caching.Memory;
using Widgets.Clients;

namespace Widgets.Gateway.Auth;

/// <summary>
/// Looks up the client behind a token on every request, cached for a moment so the POS hot path does not pay a
/// grain call each time; a revoked client's tokens stop working within <see cref="Freshness"/>.
/// </summary>
public sealed class ApiClientCache(IGrainFactory grains, IMemoryCache cache)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(2);

    public async ValueTask<ApiClient?> Get(string clientId)
    {
        if (cache.TryGetValue(clientId, out ApiClient? client))
        {
            return client;
        }

        client = await grains.Grain<IApiClientGrain>(clientId).Get();
        cache.Set(clientId, client, Freshness);
        return client;
    }

    public void Forget(string clientId) => cache.Remove(clientId);

    /// <summary>
    /// Admits a client that exists in this process only, for <paramref name="lifetime"/>: the start-up warm-up's own
    /// clients, whose tokens this gateway signs for its loopback requests. No grain knows them; no other gateway takes them.
    /// </summary>
    public void Admit(ApiClient client, TimeSpan lifetime) => cache.Set(client.ClientId, client, lifetime);
}
