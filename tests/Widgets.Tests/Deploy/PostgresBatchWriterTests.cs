using Microsoft.Extensions.Logging;
using Npgsql;
using Widgets.Hosting;
using Widgets.Hosting.Storage;
using Widgets.Tests.Infrastructure;
using Widgets.Tests.Trust;
using Xunit;

namespace Widgets.Tests.Deploy;

/// <summary>
/// Cluster mode's grain and reminder rows go to PostgreSQL in batches (<see cref="PostgresBatchWriter"/>): writes that
/// wait together commit together, and a batch keeps every promise a write stored alone keeps — each caller learns
/// its own version, a stale version changes nothing, and one faulty write fails alone while the others of its batch
/// are stored.
/// </summary>
public sealed class PostgresBatchWriterTests
{
    [Fact]
    public async Task Writes_waiting_together_are_stored_together_a_stale_one_changes_nothing_and_a_faulty_one_fails_alone()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var log = new LogCapture();
        using var logging = LoggerFactory.Create(b => b.AddProvider(log));
        await using var writer = new PostgresBatchWriter(ClusterSettings.WithRuntimeDefaults(postgres.ConnectionString, PostgresPool.Silo), logging.CreateLogger<PostgresBatchWriter>());

        Assert.Equal(1, await WriteState(writer, 1, null, "first"));

        // PostgreSQL frozen: the writer takes the next write and waits on it, so everything after queues up and goes
        // to the database as one batch when it resumes.
        await postgres.PauseAsync();
        Task<long?> held, current, stale, faulty;
        List<Task<long?>> others;
        try
        {
            held = WriteState(writer, 2, null, "held");
            await Eventually.Holds(() => Task.FromResult(writer.Waiting == 0), TimeSpan.FromSeconds(10), "the writer takes the first write");
            current = WriteState(writer, 1, 1, "current");
            stale = WriteState(writer, 1, 1, "stale");
            faulty = WriteState(writer, 3, null, "faulty", grainType: "bad\0type");
            others = [.. Enumerable.Range(10, 40).Select(n => WriteState(writer, n, null, $"other-{n}"))];
            Assert.Equal(43, writer.Waiting);
        }
        finally
        {
            await postgres.ResumeAsync();
        }

        Assert.Equal(1, await held);
        Assert.Equal(2, await current);
        Assert.Equal(1, await stale); // the version it expected, unchanged: BatchedGrainStorage reports the conflict
        await Assert.ThrowsAsync<PostgresException>(() => faulty);
        Assert.All(await Task.WhenAll(others), v => Assert.Equal(1, v));
        Assert.Contains(log.Lines, l => l.Contains("storing them one by one", StringComparison.Ordinal));

        Assert.Equal("current", await Payload(postgres, 1));
        Assert.Equal("held", await Payload(postgres, 2));
        Assert.Null(await Payload(postgres, 3));
        Assert.Equal("other-49", await Payload(postgres, 49));
    }

    private static Task<long?> WriteState(PostgresBatchWriter writer, long grain, int? expected, string payload, string grainType = "batch-test") =>
        writer.Write("WriteToStorageKey",
        [
            new("GrainIdHash", (int)grain),
            new("GrainIdN0", 0L),
            new("GrainIdN1", grain),
            new("GrainTypeHash", 7),
            new("GrainTypeString", grainType),
            new("GrainIdExtensionString", null),
            new("ServiceId", "batch-test"),
            new("GrainStateVersion", expected),
            new("PayloadBinary", System.Text.Encoding.UTF8.GetBytes(payload)),
        ]);

    private static async Task<string?> Payload(PostgresServer postgres, long grain)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT PayloadBinary FROM OrleansStorage WHERE ServiceId = 'batch-test' AND GrainIdN1 = $1", connection);
        read.Parameters.AddWithValue(grain);
        return await read.ExecuteScalarAsync() is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;
    }
}
