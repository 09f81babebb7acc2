using Widgets.Clients;
using Widgets.Gateway.Auth;

namespace Widgets.Gateway.Admin;

/// <summary>Creating, listing and revoking API clients: one home for the operator API and the console.</summary>
public sealed class ClientRegistry(IGrainFactory grains, ApiClientCache cache)
{
    /// <summary>Registers the client of a validated request; the secret is returned this once and stored only as a hash.</summary>
    public async Task<(Outcome<ApiClient> Outcome, string Secret)> Create(CreateClientRequest request)
    {
        var secret = ClientSecrets.Generate();
        var created = await grains.Grain<IApiClientGrain>(request.ClientId!).Register(request.ToRegistration(ClientSecrets.Hash(secret)), replace: false);
        // A client of the same id may have been cached here before it was deleted: this gateway forgets it now.
        cache.Forget(request.ClientId!);
        return (created, secret);
    }

    public async Task<IReadOnlyList<ApiClient>> List()
    {
        var ids = await grains.Grain<IClientDirectoryGrain>(GrainKeys.ClientDirectory).List();
        var clients = await Task.WhenAll(ids.Select(id => grains.Grain<IApiClientGrain>(id).Get()));
        return clients.OfType<ApiClient>().ToList();
    }

    /// <summary>Deletes the client; its tokens and console sessions stop working within <see cref="ApiClientCache.Freshness"/>.</summary>
    public async Task<bool> Revoke(string clientId)
    {
        var revoked = LocationKey.IsValidId(clientId) && await grains.Grain<IApiClientGrain>(clientId).Revoke();
        cache.Forget(clientId);
        return revoked;
    }
}
