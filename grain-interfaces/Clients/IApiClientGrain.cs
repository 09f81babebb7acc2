using Widgets.Common;

namespace Widgets.Clients;

/// <summary>One API client (key: its client id): credentials, scopes and granted locations.</summary>
public interface IApiClientGrain : IGrainWithStringKey
{
    /// <summary>Registers the client; <paramref name="replace"/> overwrites a live one (used to re-seed demo credentials).</summary>
    Task<Outcome<ApiClient>> Register(ApiClientRegistration registration, bool replace);

    /// <summary>The client if it exists and is not revoked.</summary>
    [ReadOnly]
    Task<ApiClient?> Get();

    /// <summary>The stored secret hash, for the gateway to verify a presented secret.</summary>
    [ReadOnly]
    Task<string?> GetSecretHash();

    Task<bool> Revoke();
}

/// <summary>The list of registered client ids (single key <see cref="Keys.GrainKeys.ClientDirectory"/>).</summary>
public interface IClientDirectoryGrain : IGrainWithStringKey
{
    Task Add(string clientId);

    Task Remove(string clientId);

    [ReadOnly]
    Task<IReadOnlyList<string>> List();

    [ReadOnly]
    Task<bool> Contains(string clientId);
}
