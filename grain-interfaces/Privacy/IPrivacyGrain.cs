namespace Widgets.Privacy;

/// <summary>
/// One location's personal-data lifecycle (key: <see cref="Keys.LocationKey"/>): erases one person's contact details
/// and answers on request, and everyone's once they are older than the location's <c>retentionDays</c>. The funnel
/// counts stay, and so does an opt-out (it is kept by a hash of the address, <see cref="Consent.RecipientKeys"/>).
/// </summary>
public interface IPrivacyGrain : IGrainWithStringKey
{
    /// <summary>Erases the person the hashes identify from the location's conversions, sessions, their messages and the contest ledgers.</summary>
    /// <remarks>
    /// In a cluster it waits one journal batch period for the other silos' newest rows (PrivacyGrain), longer than the
    /// gateway's default response timeout (Orleans:ResponseTimeout, 5 s), hence a timeout of its own.
    /// </remarks>
    [ResponseTimeout("00:00:30")]
    Task<ErasureCounts> Erase(PersonToErase person);

    /// <summary>
    /// Erases what is older than the location's retention period, in bounded batches; what is left over waits for the
    /// next run. The retention reminder calls it; safe to call any number of times.
    /// </summary>
    Task<ErasureCounts> ApplyRetention();

    /// <summary>Makes sure the durable retention reminder exists (a location calls it when it activates or its settings change).</summary>
    Task ScheduleRetention();
}

/// <summary>
/// Whom to erase, as <see cref="Consent.ContactHash"/> values: the normalised email's, and the phone's in each form a
/// customer may have typed it (E.164, national, international); never the address itself.
/// </summary>
[GenerateSerializer, Immutable, Alias("Widgets.PersonToErase")]
public sealed record PersonToErase([property: Id(0)] IReadOnlyList<string> ContactHashes);

/// <summary>What an erasure erased: records whose contact details (and answers) it removed.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.ErasureCounts")]
public sealed record ErasureCounts(
    [property: Id(0)] int Conversions,
    [property: Id(1)] int Sessions,
    [property: Id(2)] int Messages,
    [property: Id(3)] int LedgerEntries)
{
    public static ErasureCounts None { get; } = new(0, 0, 0, 0);

    public ErasureCounts Plus(ErasureCounts other) =>
        new(Conversions + other.Conversions, Sessions + other.Sessions, Messages + other.Messages, LedgerEntries + other.LedgerEntries);
}

/// <summary>What one session erased of itself: whether it held anything, how many message records, and of which widget.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.SessionErasure")]
public sealed record SessionErasure([property: Id(0)] bool Erased, [property: Id(1)] int Messages, [property: Id(2)] int WidgetId);
