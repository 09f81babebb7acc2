using Widgets.Analytics;
using Widgets.Catalogue;
using Widgets.Common;
using Widgets.Keys;
using Widgets.Sessions;
using Xunit;

namespace Widgets.Tests.Grains;

/// <summary>
/// One location of its own (a fresh id per test) with a registered terminal, and short-hands for what a POS
/// and an operator do to it. Everything goes through the real grains.
/// </summary>
internal sealed class TestShop
{
    public const string Lane = "lane-1";

    private readonly DateTimeOffset openedAt;

    private TestShop(IGrainFactory grains, LocationKey key, DateTimeOffset openedAt)
    {
        Grains = grains;
        Key = key;
        this.openedAt = openedAt;
    }

    public IGrainFactory Grains { get; }

    public LocationKey Key { get; }

    public ILocationGrain Location => Grains.GetGrain<ILocationGrain>(Key.ToString());

    public static async Task<TestShop> OpenAsync(IGrainFactory grains, params string[] terminals)
    {
        var shop = new TestShop(grains, LocationKey.Create("TestPos", $"loc-{Guid.NewGuid():N}"), DateTimeOffset.UtcNow);
        foreach (var terminal in terminals.Length == 0 ? [Lane] : terminals)
        {
            await shop.Location.PutTerminal(terminal, $"Terminal {terminal}");
        }

        return shop;
    }

    /// <summary>The same location seen through another cluster (after a restart).</summary>
    public TestShop On(IGrainFactory grains) => new(grains, Key, openedAt);

    public static WidgetDraft Draft(WidgetType type = WidgetType.ContactCollection, int timeoutSeconds = 30, string? name = null) => new()
    {
        Name = name ?? $"{type} widget",
        Type = type,
        TimeoutSeconds = timeoutSeconds,
        Content = new WidgetContent { Headline = "Join us", Body = "Scan to join" },
        Settings = type switch
        {
            WidgetType.CouponDelivery => new WidgetSettings { CouponPrefix = "TEST" },
            WidgetType.Survey => new WidgetSettings
            {
                SurveyQuestions = [new SurveyQuestion { Id = "q1", Text = "How was it?", Kind = SurveyQuestionKind.Rating, Required = true }],
            },
            WidgetType.ContestEntry => new WidgetSettings { ContestRules = "One entry per person." },
            _ => null,
        },
    };

    public async Task<WidgetDefinition> AddWidgetAsync(WidgetDraft draft)
    {
        var created = await Location.CreateWidget(draft);
        Assert.True(created.IsSuccess, $"CreateWidget failed: {created.Error} {created.Detail} {Errors(created)}");
        return created.Value!;
    }

    public Task<WidgetDefinition> AddWidgetAsync(WidgetType type = WidgetType.ContactCollection, int timeoutSeconds = 30) =>
        AddWidgetAsync(Draft(type, timeoutSeconds));

    public ITerminalGrain Terminal(string terminalId = Lane) => Grains.GetGrain<ITerminalGrain>(GrainKeys.Terminal(Key, terminalId));

    public async Task<SessionStarted> StartAsync(int widgetId, string terminalId = Lane)
    {
        var started = await Terminal(terminalId).StartSession(widgetId, null);
        Assert.True(started.IsSuccess, $"StartSession failed: {started.Error} {started.Detail}");
        return started.Value!;
    }

    public IWidgetSessionGrain Session(string sessionId) => Grains.GetGrain<IWidgetSessionGrain>(sessionId);

    public SessionAddress Address(int widgetId, string terminalId = Lane) => new(Key, terminalId, widgetId);

    public Interaction Interaction(int widgetId, string terminalId = Lane) => new(Address(widgetId, terminalId), null, null);

    public async Task<string?> ActiveSessionOn(string terminalId = Lane) => (await Location.GetTerminal(terminalId))?.ActiveSessionId;

    /// <summary>A counter of one widget summed over the UTC days this shop has been open (a test may cross midnight).</summary>
    public async Task<long> CountAsync(int widgetId, WidgetCounter counter, string terminalId = Lane)
    {
        long total = 0;
        for (var day = DateOnly.FromDateTime(openedAt.UtcDateTime); day <= DateOnly.FromDateTime(DateTime.UtcNow); day = day.AddDays(1))
        {
            var rows = await Grains.GetGrain<IWidgetStatsGrain>(GrainKeys.LocationDay(Key, day)).GetRows();
            total += rows.Where(r => r.WidgetId == widgetId && r.TerminalId == terminalId).Sum(r => r.Counts[(int)counter]);
        }

        return total;
    }

    public async Task<IReadOnlyList<ConversionRecord>> ConversionsAsync()
    {
        var records = new List<ConversionRecord>();
        for (var day = DateOnly.FromDateTime(openedAt.UtcDateTime); day <= DateOnly.FromDateTime(DateTime.UtcNow); day = day.AddDays(1))
        {
            records.AddRange(await Grains.GetGrain<IConversionLogGrain>(GrainKeys.LocationDay(Key, day)).List());
        }

        return records;
    }

    public static string Errors<T>(Outcome<T> outcome) =>
        outcome.Errors is null ? "" : string.Join("; ", outcome.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
}
