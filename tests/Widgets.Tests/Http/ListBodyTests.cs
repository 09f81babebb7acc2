using System.Globalization;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Http;

/// <summary>
/// widgets/list answers with bytes the gateway keeps per location, context and ETag: every call gets the same
/// body and headers as written on the wire, a catalogue change gets a new ETag and the new body, and no location
/// or context ever gets another's body.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ListBodyTests(GatewayFixture gateway)
{
    [Fact]
    public async Task List_answers_the_same_bytes_each_time_and_the_new_widget_after_a_change_with_a_new_ETag()
    {
        var location = await gateway.CreateLocationAsync();
        var id = await location.CreateWidgetId("Join our rewards");

        var first = await List(location);
        var again = await List(location);

        Assert.Equal(Expected(id, "Join our rewards"), first.Body);
        Assert.Equal("application/json; charset=utf-8", first.ContentType);
        Assert.Equal("max-age=900, private", first.CacheControl);
        Assert.Equal(first, again);

        using (var replaced = await location.Admin.PutJson(location.AdminRoute($"widgets/{id}"), GatewayLocation.Draft("Rewards, renamed")))
        {
            await replaced.Data();
        }

        var changed = await List(location);
        Assert.NotEqual(first.ETag, changed.ETag);
        Assert.Equal(Expected(id, "Rewards, renamed"), changed.Body);
        Assert.Equal(changed, await List(location));
    }

    [Fact]
    public async Task Locations_with_the_same_widget_ids_and_versions_and_each_context_list_their_own_widgets()
    {
        // Both catalogues hold widget 1 at version 1, which is all an ETag is computed from.
        var north = await gateway.CreateLocationAsync();
        var south = await gateway.CreateLocationAsync();
        var northId = await north.CreateWidgetId("North offer");
        var southId = await south.CreateWidgetId("South offer");

        Assert.Equal(Expected(northId, "North offer"), (await List(north)).Body);
        Assert.Equal(Expected(southId, "South offer"), (await List(south)).Body);
        Assert.Equal(Expected(northId, "North offer"), (await List(north, "checkout")).Body);
        Assert.Equal("{\"data\":[]}", (await List(north, "postPurchase")).Body);
        Assert.Equal(Expected(northId, "North offer"), (await List(north)).Body);
    }

    private static async Task<Listed> List(GatewayLocation location, string? context = null)
    {
        using var response = await location.Pos.PostJson(location.PosRoute("widgets/list"), new { posLocationId = location.LocationId, terminalId = "lane-1", context });
        await response.Data();
        return new Listed(await response.Content.ReadAsStringAsync(), response.Headers.NonValidated["ETag"].ToString(),
            response.Content.Headers.NonValidated["Content-Type"].ToString(), response.Headers.NonValidated["Cache-Control"].ToString());
    }

    private static string Expected(int id, string name) =>
        "{\"data\":[{\"id\":" + id.ToString(CultureInfo.InvariantCulture) + ",\"name\":\"" + name + "\",\"icon\":\"https://cdn.shop.test/icons/rewards.png\","
        + "\"description\":\"Earn a point for every dollar.\",\"type\":\"loyaltyEnrollment\",\"contexts\":[\"checkout\",\"idle\"],"
        + "\"channels\":[\"qr\",\"sms\",\"email\"],\"timeoutSeconds\":45}]}";

    private sealed record Listed(string Body, string ETag, string ContentType, string CacheControl);
}
