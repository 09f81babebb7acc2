using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Widgets.Analytics;
using Widgets.Catalogue;
using Widgets.Grains.Privacy;
using Widgets.Keys;
using Widgets.Privacy;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Widgets.Tests.Trust;
using Xunit;

namespace Widgets.Tests.Grains;

/// <summary>
/// Issue 13 point 12, retention: contact details and answers older than the location's <c>retentionDays</c> are
/// erased by the location's retention run (which its durable reminder starts) from sessions, their messages and
/// outbox copies, conversions and the contest ledger, and from the database file; younger data and the funnel counts
/// stay. Retention measures age by a clock of its own (<see cref="PrivacyGrain.ClockKey"/>), here a
/// <see cref="FakeTimeProvider"/> the silos of this test's own cluster use; Orleans keeps running on real time.
/// </summary>
public sealed class RetentionTests : IAsyncLifetime
{
    /// <summary>The retention clock of this class's silos (in-process silos resolve it from here); only this class moves it.</summary>
    private static readonly FakeTimeProvider Clock = new(DateTimeOffset.UtcNow);

    private readonly TestDataDirectory data = new();
    private TestCluster cluster = null!;

    private IGrainFactory Grains => cluster.GrainFactory;

    public async Task InitializeAsync() =>
        cluster = await WidgetsTestCluster.StartAsync(data.Path, configure: b => b.AddSiloBuilderConfigurator<TestClock>());

    public async Task DisposeAsync()
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task Data_older_than_retentionDays_is_erased_everywhere_and_younger_data_and_the_counts_stay()
    {
        var day = DateOnly.FromDateTime(DateTime.UtcNow);
        var shop = await TestShop.OpenAsync(Grains);
        Assert.True((await shop.Location.UpdateSettings(new LocationSettingsChange { RetentionDays = 30 })).IsSuccess);
        var widget = await shop.AddWidgetAsync(Contest());
        var old = await Visit(shop, widget.Id, "Oldtimer");

        // The same day's visit at a location that keeps data for the default 365 days.
        var other = await TestShop.OpenAsync(Grains);
        var othersWidget = await other.AddWidgetAsync(Contest());
        var kept = await Visit(other, othersWidget.Id, "Keeper");
        var oldCounts = await CountsWhen(shop.Key, day);
        await CountsWhen(other.Key, day);
        var privacy = Grains.GetGrain<IPrivacyGrain>(shop.Key.ToString());
        var othersPrivacy = Grains.GetGrain<IPrivacyGrain>(other.Key.ToString());

        // 29 days on, nothing is old enough yet.
        Clock.Advance(TimeSpan.FromDays(29) - (Clock.GetUtcNow() - DateTimeOffset.UtcNow));
        Assert.Equal(ErasureCounts.None, await privacy.ApplyRetention());

        // Two more days: the visit is 31 days old, over the location's 30 (and far within the other's 365).
        Clock.Advance(TimeSpan.FromDays(2));
        var erased = await privacy.ApplyRetention();

        Assert.Equal(new ErasureCounts(Conversions: 1, Sessions: 1, Messages: 2, LedgerEntries: 1), erased);
        Assert.Equal(ErasureCounts.None, await othersPrivacy.ApplyRetention());
        var view = (await shop.Session(old.SessionId).GetView())!;
        Assert.Equal(2, view.Messages.Count);
        Assert.All(view.Messages, m => Assert.Equal("", m.To));
        var conversion = Assert.Single(await Conversions(shop.Key, day));
        Assert.Null(conversion.Email);
        Assert.NotNull(conversion.ErasedAt);
        Assert.Equal(oldCounts, await Counts(shop.Key, day));

        var outbox = Outbox();
        foreach (var value in old.Values)
        {
            Assert.False(StoredState.FilesContain(data.Path, value), $"The database files still hold '{value}'.");
            Assert.DoesNotContain(value.TrimStart('+'), outbox);
        }

        // The other location's visit is untouched; the erased contact may enter the contest again (the entry is gone).
        Assert.Equal(kept.Email, Assert.Single(await Conversions(other.Key, day)).Email);
        Assert.Equal(2, (await other.Session(kept.SessionId).GetView())!.Messages.Count(m => m.To.Length > 0));
        foreach (var value in kept.Values)
        {
            Assert.True(StoredState.FilesContain(data.Path, value), $"'{value}' of the other location was erased.");
            Assert.Contains(value.TrimStart('+'), outbox);
        }

        Assert.True(await Grains.GetGrain<IWidgetLedgerGrain>(GrainKeys.Widget(shop.Key, widget.Id)).TryEnterContest(old.Email, "another-session"));
        Assert.False(await Grains.GetGrain<IWidgetLedgerGrain>(GrainKeys.Widget(other.Key, othersWidget.Id)).TryEnterContest(kept.Email, "another-session"));
        Assert.Equal(ErasureCounts.None, await privacy.ApplyRetention());
    }

    [Fact]
    public async Task A_location_with_a_widget_holds_a_durable_retention_reminder()
    {
        var shop = await TestShop.OpenAsync(Grains);
        await shop.AddWidgetAsync();

        await Eventually.Holds(async () => await RetentionReminders(shop.Key) == 1, TimeSpan.FromSeconds(15), "the retention reminder to be stored");
    }

    private static WidgetDraft Contest() => TestShop.Draft(WidgetType.ContestEntry) with
    {
        Content = new WidgetContent { Headline = "Win", SmsText = "Hi {firstName}: {url}", EmailSubject = "Hi {firstName}", EmailBody = "Enter: {url}" },
    };

    /// <summary>A customer's visit: the QR code with their profile, an SMS and an email, and a contest entry.</summary>
    private static async Task<Visitor> Visit(TestShop shop, int widgetId, string name)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var visitor = new Visitor("", $"{name}{tag}", $"{name.ToLowerInvariant()}.{tag}@example.com", $"+1650253{Random.Shared.Next(10000):0000}");
        var started = await shop.StartAsync(widgetId);
        var session = shop.Session(started.SessionId);
        var profile = new CustomerProfile { FirstName = visitor.FirstName, CustomerEmail = visitor.Email, CustomerPhone = visitor.Phone };
        var interaction = new Interaction(shop.Address(widgetId), profile, null);
        Assert.True((await session.ShowQrCode(interaction)).IsSuccess);
        var sent = await session.SendMessage(new SendMessageCommand(interaction,
            [new Recipient(WidgetChannel.Sms, visitor.Phone), new Recipient(WidgetChannel.Email, visitor.Email)], $"https://shop.test/w/{started.SessionId}", null));
        Assert.All(sent.Value!, m => Assert.Equal(MessageStatus.Sent, m.Status));
        Assert.True((await session.SubmitLanding(new LandingSubmission { Email = visitor.Email, AcceptRules = true })).IsSuccess);
        return visitor with { SessionId = started.SessionId };
    }

    private async Task<string> CountsWhen(LocationKey location, DateOnly day)
    {
        var counts = "";
        await Eventually.Holds(async () => (counts = await Counts(location, day)).Contains("converted=1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the journal to count the visit");
        return counts;
    }

    private async Task<string> Counts(LocationKey location, DateOnly day)
    {
        var rows = await Grains.GetGrain<IWidgetStatsGrain>(GrainKeys.LocationDay(location, day)).GetRows();
        return string.Join("; ", rows.Select(r => $"{r.WidgetId}/{r.TerminalId}: started={r.Counts[(int)WidgetCounter.Started]},"
            + $"messagesSent={r.Counts[(int)WidgetCounter.MessagesSent]},converted={r.Counts[(int)WidgetCounter.Converted]}"));
    }

    private Task<IReadOnlyList<ConversionRecord>> Conversions(LocationKey location, DateOnly day) =>
        Grains.GetGrain<IConversionLogGrain>(GrainKeys.LocationDay(location, day)).List();

    /// <summary>Everything in the outbox (SMS lines and email files) as one text; its JSON writes a phone's '+' escaped.</summary>
    private string Outbox()
    {
        var folder = data.OutboxPath;
        return string.Join("\n", Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(File.ReadAllText)
            : []);
    }

    private async Task<long> RetentionReminders(LocationKey location)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = Path.Combine(data.Path, "widgets.db"), Mode = SqliteOpenMode.ReadOnly }.ToString();
        await using var db = new SqliteConnection(connection);
        await db.OpenAsync();
        await using var query = db.CreateCommand();
        query.CommandText = "SELECT COUNT(*) FROM OrleansRemindersTable WHERE ReminderName = 'retention' AND GrainId LIKE '%' || $location || '%'";
        query.Parameters.AddWithValue("$location", location.LocationId);
        return (long)(await query.ExecuteScalarAsync())!;
    }

    private sealed record Visitor(string SessionId, string FirstName, string Email, string Phone)
    {
        public IReadOnlyList<string> Values => [FirstName, Email, Phone];
    }

    private sealed class TestClock : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.Services.AddKeyedSingleton<TimeProvider>(PrivacyGrain.ClockKey, Clock);
    }
}
