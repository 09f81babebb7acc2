using System.Security.Cryptography;
using Widgets.Catalogue;
using Widgets.Consent;
using Widgets.Keys;
using Widgets.Sessions;

namespace Widgets.Grains.Sessions;

/// <summary>What the ledger has handed out; written on every coupon and contest entry.</summary>
[GenerateSerializer, Alias("Widgets.LedgerState")]
public sealed class LedgerState
{
    [Id(0)] public Dictionary<string, string> CouponBySession { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public int NextPoolIndex { get; set; }
    [Id(2)] public long GeneratedCount { get; set; }

    /// <summary>
    /// Contest entries: the session of each contact, keyed by the contact's <see cref="ContactHash"/> (see
    /// <see cref="WidgetLedgerGrain.EntryKey"/>), so the ledger never holds an address. Earlier builds keyed them by the
    /// address; those keys are hashed when the ledger activates.
    /// </summary>
    [Id(3)] public Dictionary<string, string> ContestEntries { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The widget's coupon codes, kept apart from <see cref="LedgerState"/>: written when the widget is saved, not per coupon.</summary>
[GenerateSerializer, Alias("Widgets.CouponPoolState")]
public sealed class CouponPoolState
{
    [Id(0)] public CouponPool? Pool { get; set; }
}

public sealed class WidgetLedgerGrain(
    [PersistentState("ledger", WidgetsStorage.Name)] IPersistentState<LedgerState> state,
    [PersistentState("couponPool", WidgetsStorage.Name)] IPersistentState<CouponPoolState> pool) : Grain, IWidgetLedgerGrain
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>What an entry key starts with once it holds a hash rather than an address.</summary>
    private const string HashedKey = "h:";

    /// <summary>
    /// The key of a contact's entry: the hash an erasure looks for. <see cref="ContactHash.Email"/> trims and
    /// lower-cases first, so a typed phone hashes as <see cref="ContactHash.Phone"/> of the same text.
    /// </summary>
    public static string EntryKey(string contact) => HashedKey + ContactHash.Email(contact);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Entries of earlier builds were keyed by the address: hash them in memory; stored with the next write.
        var entries = state.State.ContestEntries;
        foreach (var key in entries.Keys.Where(k => !k.StartsWith(HashedKey, StringComparison.Ordinal)).ToList())
        {
            entries.TryAdd(EntryKey(key), entries[key]);
            entries.Remove(key);
        }

        return Task.CompletedTask;
    }

    public async Task SetCouponPool(CouponPool coupons)
    {
        if (pool.State.Pool is { } held && held.WidgetVersion >= coupons.WidgetVersion)
        {
            return;
        }

        pool.State.Pool = coupons;
        await pool.WriteStateAsync();
    }

    public async Task<string?> IssueCoupon(string sessionId)
    {
        if (state.State.CouponBySession.TryGetValue(sessionId, out var issued))
        {
            return issued;
        }

        var coupons = pool.State.Pool ?? await AdoptPoolFromCatalogue();
        string code;
        if (coupons?.Codes is { } codes && state.State.NextPoolIndex < codes.Count)
        {
            code = codes[state.State.NextPoolIndex++];
        }
        else if (coupons?.Prefix is { } prefix)
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
        var key = EntryKey(contactKey);
        if (!state.State.ContestEntries.TryAdd(key, sessionId))
        {
            return state.State.ContestEntries[key] == sessionId;
        }

        await state.WriteStateAsync();
        return true;
    }

    public async Task<int> EraseContestEntries(IReadOnlyCollection<string> contactHashes, IReadOnlyCollection<string> sessionIds)
    {
        var keys = contactHashes.Select(h => HashedKey + h).ToHashSet(StringComparer.Ordinal);
        var sessions = sessionIds.ToHashSet(StringComparer.Ordinal);
        var erased = state.State.ContestEntries.Where(e => keys.Contains(e.Key) || sessions.Contains(e.Value)).Select(e => e.Key).ToList();
        if (erased.Count == 0)
        {
            return 0;
        }

        erased.ForEach(key => state.State.ContestEntries.Remove(key));
        await state.WriteStateAsync();
        return erased.Count;
    }

    /// <summary>A widget saved by an earlier build, before ledgers owned their pool: take the pool from the catalogue once.</summary>
    private async Task<CouponPool?> AdoptPoolFromCatalogue()
    {
        var (location, widgetId) = GrainKeys.ParseWidget(this.GetPrimaryKeyString());
        if (await GrainFactory.Grain<ILocationGrain>(location.ToString()).GetCouponPool(widgetId) is not { } coupons)
        {
            return null;
        }

        await SetCouponPool(coupons);
        return coupons;
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
