using Widgets.Catalogue;
using Widgets.Common;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Grains;

[Collection(SiloClusterCollection.Name)]
public sealed class CatalogueTests(SiloClusterFixture fixture)
{
    [Fact]
    public async Task CreateWidget_numbers_widgets_from_1_and_fills_the_defaults()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);

        var first = await shop.Location.CreateWidget(new WidgetDraft { Name = "  Loyalty  ", Type = WidgetType.LoyaltyEnrollment });
        var second = await shop.Location.CreateWidget(TestShop.Draft());

        Assert.True(first.IsSuccess, TestShop.Errors(first));
        var widget = first.Value!;
        Assert.Equal(1, widget.Id);
        Assert.Equal(1, widget.Version);
        Assert.Equal("Loyalty", widget.Name);
        Assert.Equal(WidgetStatus.Active, widget.Status);
        Assert.Equal(45, widget.TimeoutSeconds);
        Assert.Equal(Enum.GetValues<WidgetContext>(), widget.Contexts);
        Assert.Equal(Enum.GetValues<WidgetChannel>(), widget.Channels);
        Assert.Equal(2, second.Value!.Id);
        Assert.Equivalent(widget, await shop.Location.GetWidget(1), strict: true);
    }

    [Fact]
    public async Task CreateWidget_without_name_or_type_names_both_fields_and_stores_nothing()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);

        var result = await shop.Location.CreateWidget(new WidgetDraft { Name = "   " });

        Assert.Equal(DomainError.Validation, result.Error);
        Assert.Contains("name", result.Errors!.Keys);
        Assert.Contains("type", result.Errors!.Keys);
        Assert.Empty(await shop.Location.GetWidgets());
        Assert.Equal(1, (await shop.AddWidgetAsync()).Id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(61)]
    [InlineData(-30)]
    public async Task CreateWidget_rejects_a_timeout_outside_the_configured_range(int timeoutSeconds)
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);

        var result = await shop.Location.CreateWidget(TestShop.Draft(timeoutSeconds: timeoutSeconds));

        Assert.Equal(DomainError.Validation, result.Error);
        Assert.Equal(["timeoutSeconds"], result.Errors!.Keys);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(60)]
    public async Task CreateWidget_accepts_a_timeout_at_either_end_of_the_range(int timeoutSeconds)
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);

        var widget = await shop.AddWidgetAsync(TestShop.Draft(timeoutSeconds: timeoutSeconds));

        Assert.Equal(timeoutSeconds, widget.TimeoutSeconds);
    }

    [Fact]
    public async Task CreateWidget_rejects_a_coupon_widget_without_codes_or_prefix()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);

        var none = await shop.Location.CreateWidget(TestShop.Draft(WidgetType.CouponDelivery) with { Settings = new WidgetSettings() });
        var empty = await shop.Location.CreateWidget(TestShop.Draft(WidgetType.CouponDelivery) with { Settings = new WidgetSettings { CouponCodes = [] } });
        var duplicates = await shop.Location.CreateWidget(TestShop.Draft(WidgetType.CouponDelivery) with { Settings = new WidgetSettings { CouponCodes = ["A", "A"] } });

        Assert.Equal(DomainError.Validation, none.Error);
        Assert.Contains("settings", none.Errors!.Keys);
        Assert.Contains("settings", empty.Errors!.Keys);
        Assert.Contains("settings.couponCodes", duplicates.Errors!.Keys);
        Assert.Empty(await shop.Location.GetWidgets());
    }

    [Fact]
    public async Task CreateWidget_rejects_a_survey_without_questions()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);

        var result = await shop.Location.CreateWidget(TestShop.Draft(WidgetType.Survey) with { Settings = new WidgetSettings() });

        Assert.Equal(DomainError.Validation, result.Error);
        Assert.Contains("settings.surveyQuestions", result.Errors!.Keys);
    }

    [Fact]
    public async Task ReplaceWidget_with_the_current_version_stores_the_draft_as_the_next_version()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();

        var replaced = await shop.Location.ReplaceWidget(widget.Id, TestShop.Draft(name: "Renamed"), expectedVersion: widget.Version);

        Assert.True(replaced.IsSuccess, TestShop.Errors(replaced));
        Assert.Equal(2, replaced.Value!.Version);
        Assert.Equal("Renamed", (await shop.Location.GetWidget(widget.Id))!.Name);
    }

    [Fact]
    public async Task ReplaceWidget_with_a_stale_version_fails_with_VersionMismatch_and_changes_nothing()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        await shop.Location.ReplaceWidget(widget.Id, TestShop.Draft(name: "Someone else's edit"), expectedVersion: 1);

        var stale = await shop.Location.ReplaceWidget(widget.Id, TestShop.Draft(name: "My edit"), expectedVersion: 1);

        Assert.Equal(DomainError.VersionMismatch, stale.Error);
        var stored = await shop.Location.GetWidget(widget.Id);
        Assert.Equal("Someone else's edit", stored!.Name);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task ReplaceWidget_of_an_unknown_widget_fails_with_WidgetNotFound()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);

        var result = await shop.Location.ReplaceWidget(42, TestShop.Draft(), expectedVersion: null);

        Assert.Equal(DomainError.WidgetNotFound, result.Error);
    }

    [Fact]
    public async Task ArchiveWidget_removes_it_from_the_list_but_keeps_it_readable()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var kept = await shop.AddWidgetAsync();
        var archived = await shop.AddWidgetAsync();

        var result = await shop.Location.ArchiveWidget(archived.Id);

        Assert.True(result.IsSuccess);
        Assert.Equal(WidgetStatus.Archived, result.Value!.Status);
        Assert.Equal([kept.Id], (await shop.Location.ListWidgets(null, null)).Widgets.Select(w => w.Id));
        Assert.Equal(WidgetStatus.Archived, (await shop.Location.GetWidget(archived.Id))!.Status);
        Assert.Equal(DomainError.WidgetNotFound, (await shop.Terminal(TestShop.Lane).StartSession(archived.Id, null)).Error);
    }

    [Fact]
    public async Task ListWidgets_filters_by_context_and_orders_by_sort_order()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var checkout = await shop.AddWidgetAsync(TestShop.Draft() with { Contexts = [WidgetContext.Checkout], SortOrder = 2 });
        var idle = await shop.AddWidgetAsync(TestShop.Draft() with { Contexts = [WidgetContext.Idle] });
        var everywhere = await shop.AddWidgetAsync(TestShop.Draft() with { SortOrder = 1 });

        async Task<int[]> Ids(WidgetContext? context) => (await shop.Location.ListWidgets(context, null)).Widgets.Select(w => w.Id).ToArray();

        Assert.Equal([everywhere.Id, checkout.Id], await Ids(WidgetContext.Checkout));
        Assert.Equal([idle.Id, everywhere.Id], await Ids(WidgetContext.Idle));
        Assert.Equal([everywhere.Id], await Ids(WidgetContext.PostPurchase));
        Assert.Equal([idle.Id, everywhere.Id, checkout.Id], await Ids(null));
    }

    [Fact]
    public async Task ListWidgets_ETag_stays_the_same_while_the_list_does_not_change()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        await shop.AddWidgetAsync(TestShop.Draft() with { Contexts = [WidgetContext.Checkout] });
        var before = await shop.Location.ListWidgets(WidgetContext.Checkout, "lane-1");

        var again = await shop.Location.ListWidgets(WidgetContext.Checkout, "lane-2");
        await shop.AddWidgetAsync(TestShop.Draft() with { Contexts = [WidgetContext.Idle] });
        var afterOtherContextChanged = await shop.Location.ListWidgets(WidgetContext.Checkout, null);

        Assert.Equal(before.ETag, again.ETag);
        Assert.Equal(before.ETag, afterOtherContextChanged.ETag);
    }

    [Fact]
    public async Task ListWidgets_ETag_changes_whenever_the_list_changes()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync();
        var etags = new List<string> { (await shop.Location.ListWidgets(null, null)).ETag };

        await shop.AddWidgetAsync();
        etags.Add((await shop.Location.ListWidgets(null, null)).ETag);
        await shop.Location.ReplaceWidget(widget.Id, TestShop.Draft(name: "Renamed"), null);
        etags.Add((await shop.Location.ListWidgets(null, null)).ETag);
        await shop.Location.ArchiveWidget(widget.Id);
        etags.Add((await shop.Location.ListWidgets(null, null)).ETag);

        Assert.Equal(etags.Count, etags.Distinct().Count());
    }

    [Fact]
    public async Task Widgets_outside_their_schedule_or_paused_are_not_listed_and_cannot_start()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var now = DateTimeOffset.UtcNow;
        var live = await shop.AddWidgetAsync();
        var future = await shop.AddWidgetAsync(TestShop.Draft() with { StartsAt = now.AddHours(1) });
        var ended = await shop.AddWidgetAsync(TestShop.Draft() with { StartsAt = now.AddHours(-2), EndsAt = now.AddHours(-1) });
        var paused = await shop.AddWidgetAsync(TestShop.Draft() with { Status = WidgetStatus.Paused });

        var listed = (await shop.Location.ListWidgets(null, null)).Widgets.Select(w => w.Id);

        Assert.Equal([live.Id], listed);
        foreach (var hidden in new[] { future, ended, paused })
        {
            Assert.Equal(DomainError.WidgetNotFound, (await shop.Terminal(TestShop.Lane).StartSession(hidden.Id, null)).Error);
        }
    }

    [Fact]
    public async Task A_scheduled_widget_is_listed_once_its_start_time_passes()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var startsAt = DateTimeOffset.UtcNow.AddSeconds(1.5);
        var scheduled = await shop.AddWidgetAsync(TestShop.Draft() with { StartsAt = startsAt });
        var before = await shop.Location.ListWidgets(null, null);
        Assert.Empty(before.Widgets);

        var after = await Eventually.Returns(
            () => shop.Location.ListWidgets(null, null),
            listing => listing.Widgets.Count > 0,
            TimeSpan.FromSeconds(10),
            "the scheduled widget to be listed");

        Assert.True(DateTimeOffset.UtcNow >= startsAt);
        Assert.Equal([scheduled.Id], after.Widgets.Select(w => w.Id));
        Assert.NotEqual(before.ETag, after.ETag);
    }
}
