using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Widgets.Catalogue;
using Widgets.Grains.Journal;
using Widgets.Keys;
using Widgets.Privacy;
using Widgets.Sessions;

namespace Widgets.Grains.Privacy;

/// <summary>
/// Erases personal data at one location: one person's on request, and everyone's once older than the location's
/// retention period (a durable reminder, <see cref="RetentionReminder"/>). Sessions are found through the session
/// journal's contact hashes and <c>PersonalData</c> flag (<see cref="IJournalStore"/>); each session erases itself,
/// the journal store erases the conversions, and each contest ledger its entries. Nothing here holds an address.
/// </summary>
public sealed class PrivacyGrain(
    IJournalStore store,
    SessionJournal journal,
    IClusterMembershipService membership,
    IOptions<SessionOptions> sessionOptions,
    IOptions<PrivacyOptions> options,
    [FromKeyedServices(PrivacyGrain.ClockKey)] TimeProvider clock,
    ILogger<PrivacyGrain> logger) : Grain, IPrivacyGrain, IRemindable
{
    public const string RetentionReminder = "retention";

    /// <summary>
    /// The key of the clock retention measures age by: the silo's clock (GrainServices), which a test replaces to age
    /// data by months without moving the clock Orleans itself runs on.
    /// </summary>
    public const string ClockKey = "retention";

    private LocationKey Location => LocationKey.Parse(this.GetPrimaryKeyString());

    public async Task<ErasureCounts> Erase(PersonToErase person)
    {
        var hashes = person.ContactHashes.Distinct(StringComparer.Ordinal).ToList();
        await AwaitQueuedJournalRows();
        var sessionIds = await store.FindSessionsOf(Location, hashes, CancellationToken.None);
        var (sessions, widgetIds) = await EraseSessions(sessionIds);
        var conversions = await store.EraseConversionsOf(Location, sessionIds, hashes, clock.GetUtcNow(), CancellationToken.None);

        // Contest entries are keyed by the contact's hash, so a person's entry is found even without a session of theirs.
        var contests = (await GrainFactory.Grain<ILocationGrain>(Location.ToString()).GetWidgets())
            .Where(w => w.Type == WidgetType.ContestEntry).Select(w => w.Id);
        var ledgerEntries = await EraseLedgerEntries(widgetIds.Union(contests), hashes, sessionIds);

        var erased = sessions with { Conversions = conversions, LedgerEntries = ledgerEntries };
        if (erased != ErasureCounts.None)
        {
            await store.ReclaimErasedSpace(CancellationToken.None);
        }

        logger.LogInformation(
            "Erased one person's data at {Location} on request: {Conversions} conversions, {Sessions} sessions, {Messages} messages, {LedgerEntries} ledger entries",
            Location, erased.Conversions, erased.Sessions, erased.Messages, erased.LedgerEntries);
        return erased;
    }

    /// <summary>
    /// A live session's newest addresses reach the journal in its silo's next batch (<see cref="SessionJournal"/>):
    /// this silo's batch is flushed now; other silos' are stored within one batch period, which a cluster waits out
    /// (plus a second for the write), so the search below sees every address a session was given before the request.
    /// An erasure in a cluster therefore answers after about <see cref="SessionOptions.StatsFlushInterval"/>.
    /// </summary>
    private async Task AwaitQueuedJournalRows()
    {
        await journal.Flush();
        if (membership.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) > 1)
        {
            await Task.Delay(sessionOptions.Value.StatsFlushInterval + TimeSpan.FromSeconds(1));
        }
    }

    public async Task<ErasureCounts> ApplyRetention()
    {
        var settings = await GrainFactory.Grain<ILocationGrain>(Location.ToString()).GetSettings();
        var now = clock.GetUtcNow();
        var cutoff = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-settings.RetentionDays);
        var limits = options.Value;

        var erased = ErasureCounts.None;
        var visited = new HashSet<string>(StringComparer.Ordinal);
        for (var batch = 0; batch < limits.MaxBatchesPerRun; batch++)
        {
            var sessionIds = await store.FindSessionsHeldBefore(Location, cutoff, limits.BatchSize, CancellationToken.None);

            // A session that cannot clear its row (its state is gone) would be found again and again: stop there.
            if (sessionIds.Count == 0 || !sessionIds.Any(visited.Add))
            {
                break;
            }

            var (sessions, widgetIds) = await EraseSessions(sessionIds);
            var ledgerEntries = await EraseLedgerEntries(widgetIds, [], sessionIds);
            erased = erased.Plus(sessions with { LedgerEntries = ledgerEntries });
            if (sessionIds.Count < limits.BatchSize)
            {
                break;
            }
        }

        for (var batch = 0; batch < limits.MaxBatchesPerRun; batch++)
        {
            var conversions = await store.EraseConversionsBefore(Location, cutoff, limits.BatchSize, now, CancellationToken.None);
            erased = erased with { Conversions = erased.Conversions + conversions };
            if (conversions < limits.BatchSize)
            {
                break;
            }
        }

        if (erased != ErasureCounts.None)
        {
            await store.ReclaimErasedSpace(CancellationToken.None);
            logger.LogInformation(
                "Retention ({RetentionDays} days) erased at {Location}, data from before {Cutoff}: {Conversions} conversions, {Sessions} sessions, {Messages} messages, {LedgerEntries} ledger entries",
                settings.RetentionDays, Location, cutoff, erased.Conversions, erased.Sessions, erased.Messages, erased.LedgerEntries);
        }

        return erased;
    }

    public async Task ScheduleRetention()
    {
        if (await this.GetReminder(RetentionReminder) is not null)
        {
            return;
        }

        // The first run is spread over the period, so locations created together do not all run at once.
        var period = options.Value.RetentionPeriod;
        var firstRun = TimeSpan.FromMinutes(1) + (period * Random.Shared.NextDouble());
        await this.RegisterOrUpdateReminder(RetentionReminder, firstRun, period);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RetentionReminder)
        {
            return;
        }

        try
        {
            await ApplyRetention();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever was not erased is still found by the next run.
            logger.LogWarning(ex, "Retention at {Location} failed; the next run ({Period}) tries again", Location, options.Value.RetentionPeriod);
        }
    }

    /// <summary>Has each session erase itself, a few at a time; counts those that held something, and their widgets.</summary>
    private async Task<(ErasureCounts Counts, HashSet<int> WidgetIds)> EraseSessions(IReadOnlyList<string> sessionIds)
    {
        var counts = ErasureCounts.None;
        var widgetIds = new HashSet<int>();
        foreach (var chunk in sessionIds.Chunk(Math.Max(1, options.Value.Parallelism)))
        {
            var results = await Task.WhenAll(chunk.Select(id => GrainFactory.Grain<IWidgetSessionGrain>(id).ErasePersonalData()));
            foreach (var result in results)
            {
                counts = counts with { Sessions = counts.Sessions + (result.Erased ? 1 : 0), Messages = counts.Messages + result.Messages };
                if (result.WidgetId > 0)
                {
                    widgetIds.Add(result.WidgetId);
                }
            }
        }

        return (counts, widgetIds);
    }

    private async Task<int> EraseLedgerEntries(IEnumerable<int> widgetIds, IReadOnlyCollection<string> hashes, IReadOnlyCollection<string> sessionIds)
    {
        var erased = await Task.WhenAll(widgetIds.Distinct().Select(id =>
            GrainFactory.Grain<IWidgetLedgerGrain>(GrainKeys.Widget(Location, id)).EraseContestEntries(hashes, sessionIds)));
        return erased.Sum();
    }
}
