using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Widgets.Grains;
using Widgets.Grains.Consent;
using Widgets.Hosting.Storage;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Grains;

/// <summary>
/// The embedded grain storage (our SQLite queries behind Orleans' ADO.NET provider) keeps Orleans' optimistic
/// concurrency: a writer holding an old version never overwrites a newer state. Two activations of one grain (e.g.
/// during a silo failover) rely on this to not lose each other's work. See deploy/sql/sqlite/0004.
/// </summary>
[Collection(SiloClusterCollection.Name)]
public sealed class StorageContractTests(SiloClusterFixture fixture)
{
    private const string StateName = "contract";

    private IGrainStorage Storage => fixture.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(WidgetsStorage.Name);

    [Fact]
    public async Task Writes_round_trip_and_each_write_gets_a_new_version()
    {
        var id = NewGrain();
        var first = State("first");
        await Storage.WriteStateAsync(StateName, id, first);
        var firstVersion = first.ETag;
        first.State!.Source = "second";
        await Storage.WriteStateAsync(StateName, id, first);

        Assert.NotNull(firstVersion);
        Assert.NotEqual(firstVersion, first.ETag);
        Assert.Equal("second", (await Read(id)).State!.Source);
    }

    [Fact]
    public async Task A_writer_with_an_old_version_is_refused_and_changes_nothing()
    {
        var id = NewGrain();
        var current = State("original");
        await Storage.WriteStateAsync(StateName, id, current);
        var stale = State("stale", current.ETag);
        current.State!.Source = "newer";
        await Storage.WriteStateAsync(StateName, id, current);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, id, stale));
        var stored = await Read(id);
        Assert.Equal("newer", stored.State!.Source);
        Assert.Equal(current.ETag, stored.ETag);
    }

    [Fact]
    public async Task A_first_write_over_an_existing_state_is_refused()
    {
        var id = NewGrain();
        await Storage.WriteStateAsync(StateName, id, State("existing"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, id, State("second first write")));
        Assert.Equal("existing", (await Read(id)).State!.Source);
    }

    [Fact]
    public async Task A_live_grain_whose_row_was_deleted_by_hand_stores_its_state_again()
    {
        var id = NewGrain();
        var state = State("kept");
        await Storage.WriteStateAsync(StateName, id, state);
        await DeleteRows(id);
        state.State!.Source = "written after the delete";
        await Storage.WriteStateAsync(StateName, id, state);

        var stored = await Read(id);
        Assert.True(stored.RecordExists);
        Assert.Equal("written after the delete", stored.State!.Source);
    }

    [Fact]
    public async Task A_cleared_state_reads_as_absent_and_a_stale_writer_still_conflicts()
    {
        var id = NewGrain();
        var state = State("to clear");
        await Storage.WriteStateAsync(StateName, id, state);
        var before = state.ETag;
        await Storage.ClearStateAsync(StateName, id, state);

        Assert.False((await Read(id)).RecordExists);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, id, State("late", before)));
    }

    [Fact]
    public async Task A_state_stored_as_json_by_an_earlier_version_is_read_and_rewritten_in_the_binary_format()
    {
        var id = NewGrain();
        var state = State("from before the binary format");
        await Storage.WriteStateAsync(StateName, id, state);
        var json = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IGrainStorageSerializer>().Serialize(state.State);
        Assert.Equal((byte)'{', json.ToMemory().Span[0]);
        await SetPayload(id, json.ToArray());

        var read = await Read(id);
        Assert.Equal("from before the binary format", read.State!.Source);
        await Storage.WriteStateAsync(StateName, id, read);
        Assert.Equal(BinaryStateFormat.Marker, (await Payload(id))[0]);
        Assert.Equal("from before the binary format", (await Read(id)).State!.Source);
    }

    [Fact]
    public async Task Concurrent_writes_share_transactions_yet_each_keeps_its_own_version_check()
    {
        // Enough at once that the writer stores several per transaction; every other grain also sends a stale write.
        var grains = Enumerable.Range(0, 200).Select(_ => NewGrain()).ToList();
        var states = grains.Select(id => State($"first {id}")).ToList();
        await Task.WhenAll(grains.Select((id, i) => Storage.WriteStateAsync(StateName, id, states[i])));
        var stale = grains.Select((id, i) => State($"stale {id}", states[i].ETag)).ToList();
        foreach (var (state, i) in states.Select((state, i) => (state, i)))
        {
            state.State!.Source = $"second {grains[i]}";
        }

        var second = grains.Select((id, i) => Storage.WriteStateAsync(StateName, id, states[i])).ToList();
        await Task.WhenAll(second);
        var staleWrites = grains.Select((id, i) => i % 2 == 0 ? Storage.WriteStateAsync(StateName, id, stale[i]) : Task.CompletedTask).ToList();

        for (var i = 0; i < grains.Count; i++)
        {
            if (i % 2 == 0)
            {
                await Assert.ThrowsAsync<InconsistentStateException>(() => staleWrites[i]);
            }

            var stored = await Read(grains[i]);
            Assert.Equal($"second {grains[i]}", stored.State!.Source);
            Assert.Equal(states[i].ETag, stored.ETag);
        }
    }

    [Fact]
    public async Task Reminder_rows_written_together_read_back_exactly_and_a_stale_removal_changes_nothing()
    {
        // The rows are batched by our writer but read by Orleans' ADO.NET table: both must agree on every column.
        var table = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IReminderTable>();
        var start = new DateTime(2026, 12, 3, 8, 30, 15, 123, DateTimeKind.Utc).AddTicks(4567);
        var entries = Enumerable.Range(0, 200).Select(i => new ReminderEntry
        {
            GrainId = NewGrain(),
            ReminderName = "timeout",
            StartAt = start.AddSeconds(i),
            Period = TimeSpan.FromMinutes(1 + (i % 3)),
        }).ToList();

        var etags = await Task.WhenAll(entries.Select(table.UpsertRow));
        var renewed = await table.UpsertRow(entries[0]);

        Assert.NotEqual(etags[0], renewed);
        for (var i = 0; i < entries.Count; i++)
        {
            var row = Assert.Single((await table.ReadRows(entries[i].GrainId)).Reminders);
            Assert.Equal(entries[i].StartAt, row.StartAt);
            Assert.Equal(entries[i].Period, row.Period);
            Assert.Equal(i == 0 ? renewed : etags[i], row.ETag);
        }

        Assert.False(await table.RemoveRow(entries[0].GrainId, "timeout", etags[0]!));
        Assert.NotNull(await table.ReadRow(entries[0].GrainId, "timeout"));
        var removed = await Task.WhenAll(entries.Select((e, i) => table.RemoveRow(e.GrainId, "timeout", i == 0 ? renewed! : etags[i]!)));
        Assert.All(removed, Assert.True);
        Assert.Empty((await table.ReadRows(entries[7].GrainId)).Reminders);

        // The hash Orleans' range reads use (a silo's share of the ring) is the one our rows carry.
        var hash = entries[9].GrainId.GetUniformHashCode();
        await table.UpsertRow(entries[9]);
        Assert.Contains((await table.ReadRows(hash - 1, hash)).Reminders, r => r.GrainId == entries[9].GrainId);
    }

    private static GrainId NewGrain() => GrainId.Create("storage-contract", $"grain-{Guid.NewGuid():N}");

    private static GrainState<RecipientState> State(string source, string? etag = null) =>
        new(new RecipientState { Source = source }) { ETag = etag };

    private async Task<GrainState<RecipientState>> Read(GrainId id)
    {
        var state = new GrainState<RecipientState>(new RecipientState());
        await Storage.ReadStateAsync(StateName, id, state);
        return state;
    }

    private Task SetPayload(GrainId id, byte[] payload) =>
        ExpectOneRow(OnRow(id, "UPDATE OrleansStorage SET PayloadBinary = $payload", c => c.ExecuteNonQueryAsync(), payload));

    private async Task<byte[]> Payload(GrainId id) =>
        (byte[])(await OnRow(id, "SELECT PayloadBinary FROM OrleansStorage", c => c.ExecuteScalarAsync()))!;

    private Task DeleteRows(GrainId id) => ExpectOneRow(OnRow(id, "DELETE FROM OrleansStorage", c => c.ExecuteNonQueryAsync()));

    private static async Task ExpectOneRow(Task<int> changed) => Assert.Equal(1, await changed);

    /// <summary>Runs <paramref name="statement"/> on the stored row of <paramref name="id"/> (it gets the row's WHERE).</summary>
    private async Task<T> OnRow<T>(GrainId id, string statement, Func<SqliteCommand, Task<T>> run, byte[]? payload = null)
    {
        await using var db = new SqliteConnection($"Data Source={Path.Combine(fixture.Data.Path, "widgets.db")}");
        await db.OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = $"{statement} WHERE GrainTypeString = '{StateName}' AND GrainIdExtensionString = $key";
        command.Parameters.AddWithValue("$key", id.Key.ToString());
        if (payload is not null)
        {
            command.Parameters.AddWithValue("$payload", payload);
        }

        return await run(command);
    }
}
