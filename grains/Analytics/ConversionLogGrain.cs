using Widgets.Analytics;
using Widgets.Sessions;

namespace Widgets.Grains.Analytics;

[GenerateSerializer, Alias("Widgets.ConversionLogState")]
public sealed class ConversionLogState
{
    [Id(0)] public List<ConversionRecord> Records { get; set; } = [];
}

public sealed class ConversionLogGrain(
    [PersistentState("conversions", WidgetsStorage.Name)] IPersistentState<ConversionLogState> state) : Grain, IConversionLogGrain
{
    public async Task Append(ConversionRecord record)
    {
        if (state.State.Records.Any(r => r.SessionId == record.SessionId))
        {
            return;
        }

        state.State.Records.Add(record);
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<ConversionRecord>> List() =>
        Task.FromResult<IReadOnlyList<ConversionRecord>>(state.State.Records.ToList());
}
