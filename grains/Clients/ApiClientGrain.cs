using Widgets.Clients;
using Widgets.Common;
using Widgets.Keys;

namespace Widgets.Grains.Clients;

[GenerateSerializer, Alias("Widgets.ApiClientState")]
public sealed class ApiClientState
{
    [Id(0)] public ApiClient? Client { get; set; }
    [Id(1)] public string? SecretHash { get; set; }
    [Id(2)] public bool Revoked { get; set; }
}

public sealed class ApiClientGrain(
    [PersistentState("client", WidgetsStorage.Name)] IPersistentState<ApiClientState> state,
    TimeProvider clock) : Grain, IApiClientGrain
{
    private bool IsLive => state.State.Client is not null && !state.State.Revoked;

    public async Task<Outcome<ApiClient>> Register(ApiClientRegistration registration, bool replace)
    {
        if (IsLive && !replace)
        {
            return Outcome<ApiClient>.Fail(DomainError.ClientExists, $"Client '{this.GetPrimaryKeyString()}' already exists; DELETE it first to re-create it.");
        }

        var client = new ApiClient
        {
            ClientId = this.GetPrimaryKeyString(),
            Scopes = registration.Scopes.Distinct().ToList(),
            Locations = registration.Locations.Distinct().ToList(),
            CreatedAt = clock.GetUtcNow(),
        };
        state.State = new ApiClientState { Client = client, SecretHash = registration.SecretHash };
        await state.WriteStateAsync();
        await GrainFactory.Grain<IClientDirectoryGrain>(GrainKeys.ClientDirectory).Add(client.ClientId);
        return Outcome<ApiClient>.Ok(client);
    }

    public Task<ApiClient?> Get() => Task.FromResult(IsLive ? state.State.Client : null);

    public Task<string?> GetSecretHash() => Task.FromResult(IsLive ? state.State.SecretHash : null);

    public async Task<bool> Revoke()
    {
        if (!IsLive)
        {
            return false;
        }

        state.State.Revoked = true;
        state.State.SecretHash = null;
        await state.WriteStateAsync();
        await GrainFactory.Grain<IClientDirectoryGrain>(GrainKeys.ClientDirectory).Remove(this.GetPrimaryKeyString());
        return true;
    }
}
