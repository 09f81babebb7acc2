using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Widgets.Analytics;
using Widgets.Consent;
using Widgets.Grains.Journal;
using Widgets.Hosting.Storage;
using Widgets.Keys;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Widgets.Tests.Trust;
using Xunit;

namespace Widgets.Tests.Deploy;

/// <summary>
/// The session journal's part of erasure and retention, on both databases it runs on (embedded SQLite, cluster
/// PostgreSQL, each migrated by <see cref="StorageMigrator"/>): a person's sessions are found by a contact hash,
/// their conversions lose contact details and answers (and nobody else's do), old rows are found and erased in
/// bounded batches, and the erased values are gone from what the database holds.
/// </summary>
public sealed class JournalErasureTests
{
    private static readonly LocationKey Shop = LocationKey.Create("pax", "store-erasure");
    private static readonly DateOnly OldDay = new(2025, 1, 10);
    private static readonly DateOnly NewDay = new(2026, 11, 30);

    [Fact]
    public async Task Sqlite_journal_finds_a_person_by_hash_erases_their_conversions_and_old_rows_in_batches()
    {
        using var data = new TestDataDirectory();
        var connection = SqliteConnectionString.ForDataDirectory(data.Path);
        StorageMigrator.MigrateSqlite(connection, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var store = new SqliteJournalStore(connection, SqliteWriteGate.For(connection), Cluster());

        await Exercise(store, value => StoredState.FilesContain(data.Path, value));
    }

    [Fact]
    public async Task Postgres_journal_finds_a_person_by_hash_erases_their_conversions_and_old_rows_in_batches()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await using var store = new PostgresJournalStore(postgres.ConnectionString, Cluster());

        await Exercise(store, value => Holds(postgres.ConnectionString, value));
    }

    private static async Task Exercise(IJournalStore store, Func<string, bool> databaseHolds)
    {
        var ada = Record("ada-old", OldDay, "ada@example.com", "+16502530001", "AdaOwnAnswer");
        var adaNew = Record("ada-new", NewDay, "ADA@example.com ", null, "AdaAgainAnswer");
        var bob = Record("bob-old", OldDay, "bob@example.com", "+16502530002", "BobOwnAnswer");
        await store.UpsertFunnelRows(
            [Row("ada-old", OldDay, ada), Row("ada-new", NewDay, adaNew), Row("bob-old", OldDay, bob), Row("quiet-old", OldDay, null)],
            CancellationToken.None);
        foreach (var record in new[] { ada, adaNew, bob })
        {
            await store.AppendConversion(Shop, record, CancellationToken.None);
        }

        var adaHashes = new[] { ContactHash.Email("ada@example.com"), ContactHash.Phone("+16502530001") };
        Assert.Equal(["ada-new", "ada-old"], (await store.FindSessionsOf(Shop, adaHashes, CancellationToken.None)).Order(StringComparer.Ordinal));
        Assert.Empty(await store.FindSessionsOf(LocationKey.Create("pax", "elsewhere"), adaHashes, CancellationToken.None));

        // A session that texted a second email is found by that one too, and its unknown deliveries are counted; once it
        // erased itself (its row rewritten without contacts), by neither.
        var work = ContactHash.Email("cy.work@example.com");
        var cy = Row("cy-live", NewDay, null) with
        {
            State = SessionState.Active,
            EmailHash = ContactHash.Email("cy@example.com"),
            OtherContactHashes = [work],
            MessagesUnknown = 2,
            PersonalData = true,
        };
        await store.UpsertFunnelRows([cy], CancellationToken.None);
        Assert.Equal(["cy-live"], await store.FindSessionsOf(Shop, [work], CancellationToken.None));
        Assert.Equal(2, Assert.Single(await store.CountFunnel(Shop, NewDay, CancellationToken.None)).Counts[(int)WidgetCounter.MessagesUnknown]);
        await store.UpsertFunnelRows([cy with { EmailHash = null, OtherContactHashes = null, PersonalData = false }], CancellationToken.None);
        Assert.Empty(await store.FindSessionsOf(Shop, [work, ContactHash.Email("cy@example.com")], CancellationToken.None));
        Assert.True(databaseHolds("AdaOwnAnswer"), "The check of the database cannot find what it looks for.");

        var at = new DateTimeOffset(2026, 12, 3, 1, 0, 0, TimeSpan.Zero);
        Assert.Equal(2, await store.EraseConversionsOf(Shop, ["ada-old"], adaHashes, at, CancellationToken.None));
        Assert.Equal(0, await store.EraseConversionsOf(Shop, ["ada-old"], adaHashes, at, CancellationToken.None));

        var old = await store.ListConversions(Shop, OldDay, CancellationToken.None);
        var erased = Assert.Single(old, r => r.SessionId == "ada-old");
        Assert.Equal((null, null, null, null, null), (erased.FirstName, erased.LastName, erased.Email, erased.Phone, erased.Answers));
        Assert.Equal(at, erased.ErasedAt);
        Assert.Equal(ada.Consent, erased.Consent);
        Assert.Equal("BobOwnAnswer", Assert.Single(old, r => r.SessionId == "bob-old").Answers!["comment"]);
        await store.ReclaimErasedSpace(CancellationToken.None);
        Assert.False(databaseHolds("AdaOwnAnswer"), "Ada's answer is still in the database.");
        Assert.False(databaseHolds("AdaAgainAnswer"), "Ada's second answer is still in the database.");
        Assert.True(databaseHolds("BobOwnAnswer"), "Bob's answer was erased with Ada's.");

        // Retention: the old rows that still hold personal data, in batches of the size asked for; then the old conversions.
        var cutoff = NewDay.AddDays(-30);
        var firstBatch = await store.FindSessionsHeldBefore(Shop, cutoff, 2, CancellationToken.None);
        Assert.Equal(["ada-old", "bob-old"], firstBatch);
        await store.UpsertFunnelRows([Row("ada-old", OldDay, null), Row("bob-old", OldDay, null)], CancellationToken.None);
        Assert.Equal(["quiet-old"], await store.FindSessionsHeldBefore(Shop, cutoff, 2, CancellationToken.None));
        Assert.Equal(1, await store.EraseConversionsBefore(Shop, cutoff, 10, at, CancellationToken.None));
        Assert.Equal(0, await store.EraseConversionsBefore(Shop, cutoff, 10, at, CancellationToken.None));
        await store.ReclaimErasedSpace(CancellationToken.None);
        Assert.False(databaseHolds("BobOwnAnswer"), "Bob's old answer outlived the retention period.");
        Assert.All(await store.ListConversions(Shop, OldDay, CancellationToken.None), r => Assert.NotNull(r.ErasedAt));

        // The funnel still counts every session.
        var counted = Assert.Single(await store.CountFunnel(Shop, OldDay, CancellationToken.None));
        Assert.Equal(3, counted.Counts[(int)WidgetCounter.Started]);
        Assert.Equal(2, counted.Counts[(int)WidgetCounter.Converted]);
    }

    private static ConversionRecord Record(string sessionId, DateOnly day, string email, string? phone, string answer) => new()
    {
        SessionId = sessionId,
        WidgetId = 1,
        WidgetType = Catalogue.WidgetType.Survey,
        TerminalId = "lane-1",
        At = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero),
        FirstName = $"First {sessionId}",
        LastName = $"Last {sessionId}",
        Email = email,
        Phone = phone,
        Consent = new ConsentRecord { Marketing = true, Text = "Yes", At = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero) },
        Answers = new Dictionary<string, string> { ["comment"] = answer },
    };

    /// <summary>A session's funnel row; with a record, the session holds that person's contact details (quiet-old holds a name only).</summary>
    private static FunnelRow Row(string sessionId, DateOnly day, ConversionRecord? person) => new(
        sessionId, Shop, day, 1, "lane-1", new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero),
        QrShown: true, MessagesSent: 0, Scanned: true, Converted: sessionId != "quiet-old", SessionState.Completed, EndedAt: null,
        EmailHash: person?.Email is { } email ? ContactHash.Email(email) : null,
        PhoneHash: person?.Phone is { } phone ? ContactHash.Phone(phone) : null,
        PersonalData: person is not null || sessionId == "quiet-old");

    private static IOptions<ClusterOptions> Cluster() => Options.Create(new ClusterOptions { ClusterId = "erasure", ServiceId = "erasure" });

    /// <summary>Whether a conversion the journal holds (in any column) contains <paramref name="value"/>.</summary>
    private static bool Holds(string connectionString, string value)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT count(*) FROM WidgetConversions c WHERE c::text LIKE '%' || $1 || '%'", connection);
        command.Parameters.AddWithValue(value);
        return (long)command.ExecuteScalar()! > 0;
    }
}
