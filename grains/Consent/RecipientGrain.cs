using Microsoft.Extensions.Logging;
using Widgets.Consent;
using Widgets.Keys;

namespace Widgets.Grains.Consent;

[GenerateSerializer, Alias("Widgets.RecipientState")]
public sealed class RecipientState
{
    [Id(0)] public bool OptedOut { get; set; }
    [Id(1)] public DateTimeOffset? ChangedAt { get; set; }
    [Id(2)] public string? Source { get; set; }

    /// <summary>Messages sent today, by merchant; only the current day is kept.</summary>
    [Id(3)] public DateOnly Day { get; set; }
    [Id(4)] public Dictionary<string, int> SentToday { get; set; } = new(StringComparer.Ordinal);
}

public sealed class RecipientGrain(
    [PersistentState("recipient", WidgetsStorage.Name)] IPersistentState<RecipientState> state,
    TimeProvider clock,
    ILogger<RecipientGrain> logger) : Grain, IRecipientGrain
{
    public async Task<SendDecision> RequestSend(LocationKey merchant, DateOnly day, int dailyLimit)
    {
        if (state.State.OptedOut)
        {
            return SendDecision.OptedOut;
        }

        if (state.State.Day != day)
        {
            state.State.Day = day;
            state.State.SentToday.Clear();
        }

        var key = merchant.ToString();
        var sent = state.State.SentToday.GetValueOrDefault(key);
        if (sent >= dailyLimit)
        {
            return SendDecision.DailyLimit;
        }

        state.State.SentToday[key] = sent + 1;
        await state.WriteStateAsync();
        ReleaseWhenIdle();
        return SendDecision.Allowed;
    }

    public Task OptOut(string source) => Set(true, source);

    public Task OptIn(string source) => Set(false, source);

    public Task<bool> IsOptedOut() => Task.FromResult(state.State.OptedOut);

    /// <summary>
    /// A recipient is asked about once per message, and most are never seen again that day: without this, every phone
    /// and email that got a message kept an activation (~4 KB) for Orleans' default idle time of 15 minutes, which after
    /// a busy hour was most of the process's memory. Its state is stored, so the next message reads it back.
    /// </summary>
    private void ReleaseWhenIdle() => this.DeactivateOnIdle();

    private async Task Set(bool optedOut, string source)
    {
        if (state.State.OptedOut == optedOut && state.RecordExists)
        {
            return;
        }

        state.State.OptedOut = optedOut;
        state.State.ChangedAt = clock.GetUtcNow();
        state.State.Source = source;
        await state.WriteStateAsync();
        ReleaseWhenIdle();
        logger.LogInformation("Recipient on {Channel} opted {Direction} via {Source}",
            this.GetPrimaryKeyString().Split(':')[0], optedOut ? "out" : "in", source);
    }
}
