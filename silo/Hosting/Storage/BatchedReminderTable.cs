using System.Globalization;

namespace Widgets.Hosting.Storage;

/// <summary>
/// The reminder table of both modes: reads go to Orleans' ADO.NET reminder table, row writes to the
/// <see cref="IStorageRowWriter"/>, so a session's reminder row shares a transaction with other writes instead of
/// committing alone (one row per session at its start and one delete at its end).
/// </summary>
/// <remarks>
/// The rows and values are the ADO.NET table's own (Orleans 10.4.2 <c>DbStoredQueries.Columns</c>): the stored
/// <c>UpsertReminderRowKey</c>/<c>DeleteReminderRowKey</c> queries of <c>deploy/sql/{sqlite,postgres}/*_orleans_reminders.sql</c>,
/// <c>GrainId</c> as <see cref="GrainId.ToString"/>, <c>GrainHash</c> the uniform hash cast to a signed int, the period
/// in whole milliseconds, the version as the ETag. Every member is forwarded explicitly: the interface's default
/// members would otherwise bypass the inner table (its default StartAsync, for one, would never initialise it).
/// </remarks>
public sealed class BatchedReminderTable(IReminderTable inner, IStorageRowWriter writer, string serviceId) : IReminderTable
{
    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => inner.StopAsync(cancellationToken);

    public Task<ReminderTableData> ReadRows(GrainId grainId) => inner.ReadRows(grainId);

    public Task<ReminderTableData> ReadRows(GrainId grainId, CancellationToken cancellationToken) =>
        inner.ReadRows(grainId, cancellationToken);

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => inner.ReadRows(begin, end);

    public Task<ReminderTableData> ReadRows(uint begin, uint end, CancellationToken cancellationToken) =>
        inner.ReadRows(begin, end, cancellationToken);

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => inner.ReadRow(grainId, reminderName);

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName, CancellationToken cancellationToken) =>
        inner.ReadRow(grainId, reminderName, cancellationToken);

    public Task<string?> UpsertRow(ReminderEntry entry) => UpsertRow(entry, CancellationToken.None);

    public async Task<string?> UpsertRow(ReminderEntry entry, CancellationToken cancellationToken)
    {
        if (entry.StartAt.Kind is DateTimeKind.Unspecified)
        {
            // As the ADO.NET table does before it writes.
            entry.StartAt = new DateTime(entry.StartAt.Ticks, DateTimeKind.Utc);
        }

        var grainId = entry.GrainId.ToString();
        var startAt = entry.StartAt;
        var grainHash = unchecked((int)entry.GrainId.GetUniformHashCode());
        var periodMs = entry.Period.TotalMilliseconds <= int.MaxValue ? (object)(int)entry.Period.TotalMilliseconds : (long)entry.Period.TotalMilliseconds;
        var version = await writer.Write("UpsertReminderRowKey",
        [
            new("ServiceId", serviceId),
            new("GrainId", grainId),
            new("ReminderName", entry.ReminderName),
            new("StartTime", startAt),
            new("Period", periodMs),
            new("GrainHash", grainHash),
        ]).WaitAsync(cancellationToken);
        return version?.ToString(CultureInfo.InvariantCulture)
            ?? throw new InvalidOperationException($"The reminder upsert for {grainId}/{entry.ReminderName} returned no version: is UpsertReminderRowKey the one of deploy/sql?");
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) =>
        RemoveRow(grainId, reminderName, eTag, CancellationToken.None);

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken)
    {
        var deleted = await writer.Write("DeleteReminderRowKey",
        [
            new("ServiceId", serviceId),
            new("GrainId", grainId.ToString()),
            new("ReminderName", reminderName),
            new("Version", int.Parse(eTag, CultureInfo.InvariantCulture)),
        ]).WaitAsync(cancellationToken);
        return deleted > 0;
    }

    public Task TestOnlyClearTable() => writer.WriteAlone(inner.TestOnlyClearTable);

    public Task TestOnlyClearTable(CancellationToken cancellationToken) =>
        writer.WriteAlone(() => inner.TestOnlyClearTable(cancellationToken));
}
