using System.Security.Cryptography;
using Widgets.Sessions;

namespace Widgets.Grains.Sessions;

[GenerateSerializer, Alias("Widgets.LedgerState")]
public sealed class LedgerState
{
    [Id(0)] public Dictionary<string, string> CouponBySession { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public int NextPoolIndex { get; set; }
    [Id(2)] public long GeneratedCount { get; set; }
    [Id(3)] public Dictionary<string, string> ContestEntries { get; set; } = new(StringComparer.Ordinal);
}

public sealed class WidgetLedgerGrain(
    [PersistentState("ledger", WidgetsStorage.Name)] IPersistentState<LedgerState> state) : Grain, IWidgetLedgerGrain
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public async Task<string?> IssueCoupon(string sessionId, IReadOnlyList<string>? pool, string? prefix)
    {
        if (state.State.CouponBySession.TryGetValue(sessionId, out var issued))
        {
            return issued;
        }

        string code;
        if (pool is { } codes && state.State.NextPoolIndex < codes.Count)
        {
            code = codes[state.State.NextPoolIndex++];
        }
        else if (prefix is not null)
        {
            // The counter makes codes unique; the random tail makes them unguessable.
            code = $"{prefix}-{Encode(++state.State.GeneratedCount)}{RandomTail()}";
        }
        else
        {
            return null;
        }

        state.State.CouponBySession[sessionId] = code;
        await state.WriteStateAsync();
        return code;
    }

    public async Task<bool> TryEnterContest(string contactKey, string sessionId)
    {
        if (!state.State.ContestEntries.TryAdd(contactKey, sessionId))
        {
            return state.State.ContestEntries[contactKey] == sessionId;
        }

        await state.WriteStateAsync();
        return true;
    }

    private static string Encode(long value)
    {
        var chars = new Stack<char>();
        do
        {
            chars.Push(Alphabet[(int)(value % Alphabet.Length)]);
            value /= Alphabet.Length;
        }
        while (value > 0);
        return new string([.. chars]);
    }

    private static string RandomTail() =>
        string.Create(4, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        });
}
