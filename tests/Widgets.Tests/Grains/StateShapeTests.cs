using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Widgets.Analytics;
using Widgets.Catalogue;
using Widgets.Grains;
using Widgets.Grains.Analytics;
using Widgets.Grains.Sessions;
using Widgets.Hosting.Storage;
using Widgets.Keys;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Grains;

/// <summary>
/// What grains store, and that what earlier builds stored still loads: a session keeps what it needs of its widget
/// (never the coupon pool, which the widget's ledger owns), conversions are appended, and states in the shapes of
/// earlier builds (checked byte for byte as those builds wrote them) still work.
/// </summary>
[Collection(SiloClusterCollection.Name)]
public sealed class StateShapeTests(SiloClusterFixture fixture)
{
    /// <summary>The serializer of an earlier build's shapes (<see cref="EarlierSessionRecord"/>), beside the current ones.</summary>
    private static readonly Serializer Earlier = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(EarlierSessionRecord).Assembly).AddAssembly(typeof(WidgetDefinition).Assembly).AddAssembly(typeof(SessionRecord).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private IGrainStorage Storage => fixture.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(WidgetsStorage.Name);

    [Fact]
    public async Task A_session_stores_none_of_its_widgets_coupon_pool()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var codes = Enumerable.Range(0, 1000).Select(i => $"SUMMER-{i:0000}").ToList();
        var widget = await shop.AddWidgetAsync(TestShop.Draft(WidgetType.CouponDelivery) with { Settings = new WidgetSettings { CouponCodes = codes } });
        var started = await shop.StartAsync(widget.Id);
        await shop.Session(started.SessionId).ShowQrCode(shop.Interaction(widget.Id));

        var stored = await SessionPayload(shop.Key);
        Assert.True(stored.Length < 1024, $"A session with a 1,000-code widget stores {stored.Length} bytes.");
        Assert.Equal(-1, stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes("SUMMER-")));
        Assert.Equal("SUMMER-0000", (await shop.Session(started.SessionId).SubmitLanding(new LandingSubmission())).Value!.CouponCode);
    }

    [Fact]
    public async Task A_session_stored_by_an_earlier_build_with_its_whole_widget_loads_and_works()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(TestShop.Draft(WidgetType.CouponDelivery, timeoutSeconds: 60) with
        {
            Settings = new WidgetSettings { CouponCodes = ["EARLY-1", "EARLY-2"] },
        });
        var sessionId = Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        await StoreAsEarlierBuild(sessionId, new EarlierSessionRecord
        {
            Location = shop.Key,
            TerminalId = TestShop.Lane,
            Widget = widget,
            State = SessionState.Active,
            StartedAt = now,
            LastInteractionAt = now,
            ExpiresAt = now.AddSeconds(60),
        });
        var session = shop.Session(sessionId);

        Assert.Equal((widget.Id, SessionState.Active, 60), await session.GetView() is { } v ? (v.WidgetId, v.State, v.TimeoutSeconds) : default);
        Assert.True((await session.ShowQrCode(shop.Interaction(widget.Id))).IsSuccess);
        Assert.Equal(widget.Content.Headline, (await session.OpenLanding()).Value!.Widget.Content.Headline);
        var receipt = await session.SubmitLanding(new LandingSubmission());
        Assert.True(receipt.IsSuccess, TestShop.Errors(receipt));
        Assert.Equal("EARLY-1", receipt.Value!.CouponCode);
        Assert.Equal(SessionState.Completed, (await session.GetView())!.State);

        // Written back in the current shape: the widget as a session keeps it, no longer the whole definition.
        var rewritten = Earlier.Deserialize<SessionRecord>((await SessionPayload(shop.Key)).AsMemory(1))!;
        Assert.Null(rewritten.LegacyWidget);
        Assert.Equal((widget.Id, widget.Name), (rewritten.Widget.Id, rewritten.Widget.Name));
    }

    [Fact]
    public async Task A_coupon_widget_saved_before_ledgers_held_their_pool_still_hands_out_its_codes_in_order()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(TestShop.Draft(WidgetType.CouponDelivery) with { Settings = new WidgetSettings { CouponCodes = ["OLD-1", "OLD-2"] } });

        // As an earlier build left it: the pool only in the catalogue, the ledger without one.
        var ledger = fixture.Grains.GetGrain<IWidgetLedgerGrain>(GrainKeys.Widget(shop.Key, widget.Id));
        await fixture.Cluster.DeactivateAsync(ledger);
        var pool = new GrainState<CouponPoolState>(new CouponPoolState());
        await Storage.ReadStateAsync("couponPool", ledger.GetGrainId(), pool);
        await Storage.ClearStateAsync("couponPool", ledger.GetGrainId(), pool);

        var first = await shop.StartAsync(widget.Id);
        var second = await shop.StartAsync(widget.Id, "lane-1");
        Assert.Equal("OLD-1", (await shop.Session(first.SessionId).SubmitLanding(new LandingSubmission())).Value!.CouponCode);
        Assert.Equal("OLD-2", (await shop.Session(second.SessionId).SubmitLanding(new LandingSubmission())).Value!.CouponCode);
    }

    [Fact]
    public async Task Conversions_an_earlier_build_stored_are_still_listed_and_a_repeated_one_is_not_added()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(WidgetType.ContactCollection);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var log = fixture.Grains.GetGrain<IConversionLogGrain>(GrainKeys.LocationDay(shop.Key, today));
        var earlier = new ConversionRecord { SessionId = Guid.NewGuid().ToString("N"), WidgetId = widget.Id, TerminalId = TestShop.Lane, At = DateTimeOffset.UtcNow.AddMinutes(-5), Email = "early@shop.test" };
        await Storage.WriteStateAsync("conversions", log.GetGrainId(), new GrainState<ConversionLogState>(new ConversionLogState { Records = [earlier] }));

        var started = await shop.StartAsync(widget.Id);
        var submission = new LandingSubmission { Email = "later@shop.test", Consent = true, ConsentText = "Yes, email me." };
        Assert.True((await shop.Session(started.SessionId).SubmitLanding(submission)).IsSuccess);
        var appended = (await log.List()).Single(c => c.SessionId == started.SessionId);
        await log.Append(appended with { Email = "again@shop.test" });

        var listed = await shop.ConversionsAsync();
        Assert.Equal([earlier.SessionId, started.SessionId], listed.Select(c => c.SessionId));
        Assert.Equal(["early@shop.test", "later@shop.test"], listed.Select(c => c.Email));
        Assert.Equal("Yes, email me.", listed[1].Consent!.Text);
    }

    /// <summary>Stores <paramref name="session"/> as session <paramref name="sessionId"/>, in the bytes an earlier build wrote.</summary>
    private async Task StoreAsEarlierBuild(string sessionId, EarlierSessionRecord session)
    {
        // A row through the storage first (its identity columns as Orleans writes them), then the earlier bytes in it.
        var id = fixture.Grains.GetGrain<IWidgetSessionGrain>(sessionId).GetGrainId();
        await Storage.WriteStateAsync("session", id, new GrainState<SessionRecord>(new SessionRecord { Location = session.Location }));
        using var buffer = new MemoryStream();
        buffer.WriteByte(BinaryStateFormat.Marker);
        Earlier.Serialize(session, buffer);
        Assert.Equal(1, await OnSessionRow(session.Location, "UPDATE OrleansStorage SET PayloadBinary = $payload", c => c.ExecuteNonQueryAsync(), buffer.ToArray()));
    }

    /// <summary>The stored bytes of the one session of <paramref name="shop"/>.</summary>
    private async Task<byte[]> SessionPayload(LocationKey shop) =>
        (byte[])(await OnSessionRow(shop, "SELECT PayloadBinary FROM OrleansStorage", c => c.ExecuteScalarAsync()))!;

    /// <summary>
    /// Runs <paramref name="statement"/> on the stored session of <paramref name="shop"/>, found by its location id in
    /// the bytes (a session id shaped like a GUID is stored as two numbers, not as text).
    /// </summary>
    private async Task<T> OnSessionRow<T>(LocationKey shop, string statement, Func<SqliteCommand, Task<T>> run, byte[]? payload = null)
    {
        await using var db = new SqliteConnection($"Data Source={Path.Combine(fixture.Data.Path, "widgets.db")}");
        await db.OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = $"{statement} WHERE GrainTypeString = 'session' AND instr(PayloadBinary, $location) > 0";
        command.Parameters.AddWithValue("$location", Encoding.UTF8.GetBytes(shop.LocationId));
        if (payload is not null)
        {
            command.Parameters.AddWithValue("$payload", payload);
        }

        return await run(command);
    }
}

/// <summary>A session as builds before the slim state stored it: the widget's whole definition (coupon pool and all) at [Id(2)].</summary>
[GenerateSerializer]
public sealed class EarlierSessionRecord
{
    [Id(0)] public LocationKey Location { get; set; }
    [Id(1)] public string TerminalId { get; set; } = "";
    [Id(2)] public WidgetDefinition Widget { get; set; } = new();
    [Id(5)] public SessionState State { get; set; }
    [Id(6)] public DateTimeOffset StartedAt { get; set; }
    [Id(7)] public DateTimeOffset LastInteractionAt { get; set; }
    [Id(8)] public DateTimeOffset ExpiresAt { get; set; }
}
