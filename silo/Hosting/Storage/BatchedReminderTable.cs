using System.Globalization;

namespace Widgets.Hosting.Storage;

/// <summary>
/// The embedded reminder table: reads go to Orleans' ADO.NET reminder table, row writes to the
/// <see cref="SqliteBatchWriter"/>, so a session's reminder row shares a transaction with other writes instead of
/// taking the write gate alone (one row per session at its start and one delete at its end).
/// </summary>
/// <remarks>
/// The rows and values are the ADO.NET table's own (Orleans 10.4.2 <c>DbStoredQueries.Columns</c>): the stored
/// <c>UpsertReminderRowKey</c>/<c>DeleteReminderRowKey</c> queries of <c>deploy/sql/sqlite/0002_orleans_reminders.sql</c>,
/// <c>GrainId</c> as <see cref="GrainId.ToString"/>, <c>GrainHash</c> the uniform hash cast to a signed int, the period
/// in whole milliseconds, the version as the ETag. Every member is forwarded explicitly: the interface's default
/// members would otherwise bypass the inner table (its default StartAsync, for one, would never initialise it).
/// </remarks>
public sealed class BatchedReminderTable(IReminderTable inner, SqliteWriteGate gate, SqliteBatchWriter writer, string serviceId) : IReminderTable
{
    private static readonly string[] UpsertParameters = ["ServiceId", "GrainId", "ReminderName", "StartTime", "Period", "GrainHash"];
    private static readonly string[] DeleteParameters = ["ServiceId", "GrainId", "ReminderName", "Version"];

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
        var version = await writer.Write(w =>
        {
            var command = w.Query("UpsertReminderRowKey", UpsertParameters);
            var p = command.Parameters;
            p["@ServiceId"].Value = serviceId;
            p["@GrainId"].Value = grainId;
            p["@ReminderName"].Value = entry.ReminderName;
            p["@StartTime"].Value = startAt;
            p["@Period"].Value = periodMs;
            p["@GrainHash"].Value = grainHash;
            return SqliteBatchWriter.FirstValue(command);
        }).WaitAsync(cancellationToken);
        return version?.ToString(CultureInfo.InvariantCulture)
            ?? throw new InvalidOperationException($"The reminder upsert for {grainId}/{entry.ReminderName} returned no version: is UpsertReminderRowKey the one of deploy/sql/sqlite/0002?");
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) =>
        RemoveRow(grainId, reminderName, eTag, CancellationToken.None);

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken)
    {
        var id = grainId.ToString();
        var version = int.Parse(eTag, CultureInfo.InvariantCulture);
        return writer.Write(w =>
        {
            var command = w.Query("DeleteReminderRowKey", DeleteParameters);
            var p = command.Parameters;
            p["@ServiceId"].Value = serviceId;
            p["@GrainId"].Value = id;
            p["@ReminderName"].Value = reminderName;
            p["@Version"].Value = version;
            return SqliteBatchWriter.FirstValue(command) > 0;
        }).WaitAsync(cancellationToken);
    }

    public Task TestOnlyClearTable() => gate.Run(inner.TestOnlyClearTable);

    public Task TestOnlyClearTable(CancellationToken cancellationToken) =>
        gate.Run(() => inner.TestOnlyClearTable(cancellationToken));
}
