using Widgets.Analytics;
using Widgets.Grains.Journal;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Grains.Analytics;

/// <summary>A day's conversions as earlier builds stored them: the whole list in one state, rewritten on every conversion.</summary>
[GenerateSerializer, Alias("Widgets.ConversionLogState")]
public sealed class ConversionLogState
{
    [Id(0)] public List<ConversionRecord> Records { get; set; } = [];
}

/// <summary>
/// A location's conversions of one UTC day: each is appended as one row of the session journal (a retry appends
/// nothing). The records earlier builds kept in this grain's state are still listed, and no longer added to.
/// </summary>
public sealed class ConversionLogGrain(
    [PersistentState("conversions", WidgetsStorage.Name)] IPersistentState<ConversionLogState> legacy,
    IJournalStore journal) : Grain, IConversionLogGrain
{
    private (LocationKey Location, DateOnly Day) Key => GrainKeys.ParseLocationDay(this.GetPrimaryKeyString());

    public Task Append(ConversionRecord record) =>
        legacy.State.Records.Any(r => r.SessionId == record.SessionId)
            ? Task.CompletedTask
            : journal.AppendConversion(Key.Location, record, CancellationToken.None);

    public async Task<IReadOnlyList<ConversionRecord>> List()
    {
        var (location, day) = Key;
        var appended = await journal.ListConversions(location, day, CancellationToken.None);
        return legacy.State.Records.Count == 0 ? appended : [.. legacy.State.Records, .. appended];
    }
}
