using Widgets.Clients;

namespace Widgets.Grains.Clients;

[GenerateSerializer, Alias("Widgets.ClientDirectoryState")]
public sealed class ClientDirectoryState
{
    [Id(0)] public SortedSet<string> ClientIds { get; set; } = new(StringComparer.Ordinal);
}

public sealed class ClientDirectoryGrain(
    [PersistentState("clients", WidgetsStorage.Name)] IPersistentState<ClientDirectoryState> state) : Grain, IClientDirectoryGrain
{
    public async Task Add(string clientId)
    {
        if (state.State.ClientIds.Add(clientId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task Remove(string clientId)
    {
        if (state.State.ClientIds.Remove(clientId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> List() => Task.FromResult<IReadOnlyList<string>>(state.State.ClientIds.ToList());

    public Task<bool> Contains(string clientId) => Task.FromResult(state.State.ClientIds.Contains(clientId));
}
