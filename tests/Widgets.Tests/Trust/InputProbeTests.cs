using System.Net;
using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Inputs a hostile probe found accepted, or answered with a 500: each is now refused with a 4xx problem that names
/// the field, and changes nothing.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class InputProbeTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Terminal_id_with_a_trailing_newline_is_refused_and_no_such_terminal_is_stored()
    {
        var location = await gateway.CreateLocationAsync();

        using var put = await location.Admin.PutJson(location.AdminRoute("terminals/lane-7%0A"), new { name = "Lane 7" });
        using var get = await location.Admin.GetAsync(location.AdminRoute("terminals/lane-7%0A"));

        await put.ValidationProblem("terminalId");
        await get.Problem(HttpStatusCode.NotFound, "terminal_not_found");
        using var all = await location.Admin.GetAsync(location.AdminRoute("terminals"));
        Assert.Equal(["lane-1", "lane-2"], (await all.Data()).AsArray().Select(t => t!.Text("terminalId")));
    }

    [Fact]
    public async Task Survey_with_a_null_question_is_400_on_create_and_replace_and_the_catalogue_is_unchanged()
    {
        var location = await gateway.CreateLocationAsync();
        var existing = await location.CreateWidgetId("Before");
        var survey = GatewayLocation.Draft("Quick survey");
        survey["type"] = "survey";
        survey["settings"] = new JsonObject { ["surveyQuestions"] = new JsonArray((JsonNode?)null) };

        using var created = await location.Admin.PostJson(location.AdminRoute("widgets"), survey);
        using var replaced = await location.Admin.PutJson(location.AdminRoute($"widgets/{existing}"), survey);

        await created.ValidationProblem("settings.surveyQuestions[0]");
        await replaced.ValidationProblem("settings.surveyQuestions[0]");
        using var all = await location.Admin.GetAsync(location.AdminRoute("widgets"));
        var widget = Assert.Single((await all.Data()).AsArray())!;
        Assert.Equal("Before", widget.Text("name"));
        Assert.Equal(1, widget.Int("version"));
    }

    [Theory]
    [InlineData("https://x\"><script>alert(1)</script>")]
    [InlineData("https://cdn.shop.test/a b.png")]
    [InlineData("javascript:alert(1)")]
    [InlineData("//evil.example/icon.png")]
    public async Task Icon_that_is_not_a_well_formed_http_url_or_own_path_is_400_and_not_stored(string icon)
    {
        var location = await gateway.CreateLocationAsync();
        var draft = GatewayLocation.Draft();
        draft["icon"] = icon;

        using var created = await location.Admin.PostJson(location.AdminRoute("widgets"), draft);

        await created.ValidationProblem("icon");
        using var all = await location.Admin.GetAsync(location.AdminRoute("widgets"));
        Assert.Empty((await all.Data()).AsArray());
    }

    [Theory]
    [InlineData("type", "\"couponDelivery,survey\"", "type")]
    [InlineData("type", "3", "type")]
    [InlineData("type", "\"3\"", "type")]
    [InlineData("type", "\" survey\"", "type")]
    [InlineData("contexts", "[\"idle,postPurchase\"]", "contexts[0]")]
    [InlineData("channels", "[\"qr\",\"sms,email\"]", "channels[1]")]
    [InlineData("status", "\"active,paused\"", "status")]
    public async Task Widget_enum_field_that_is_not_exactly_one_name_is_400_naming_the_field_on_create_and_replace_and_nothing_changes(string field, string value, string error)
    {
        var location = await gateway.CreateLocationAsync();
        var existing = await location.CreateWidgetId("Before");
        var draft = GatewayLocation.Draft("Joined names");
        draft[field] = JsonNode.Parse(value);

        using var created = await location.Admin.PostJson(location.AdminRoute("widgets"), draft);
        using var replaced = await location.Admin.PutJson(location.AdminRoute($"widgets/{existing}"), draft);

        await created.ValidationProblem(error);
        await replaced.ValidationProblem(error);
        using var all = await location.Admin.GetAsync(location.AdminRoute("widgets"));
        var widget = Assert.Single((await all.Data()).AsArray())!;
        Assert.Equal("Before", widget.Text("name"));
        Assert.Equal(1, widget.Int("version"));
    }

    [Theory]
    [InlineData("checkout,idle")]
    [InlineData("1")]
    [InlineData("idle ")]
    public async Task List_with_a_context_that_is_not_exactly_one_name_is_400(string context)
    {
        var location = await gateway.CreateLocationAsync();
        await location.CreateWidgetId();

        using var listed = await location.Pos.PostJson(location.PosRoute("widgets/list"), new { posLocationId = location.LocationId, context });

        await listed.ValidationProblem("context");
    }

    [Fact]
    public async Task Coupon_id_over_64_characters_is_refused_by_showQrCode_as_by_start_and_the_session_is_untouched()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var sessionId = (await location.Start("lane-1", widgetId)).Text("sessionId");
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(location.InteractionBody(sessionId, widgetId, "lane-1")))!.AsObject();
        body["couponId"] = new string('c', 65);

        using var start = await location.Pos.PostJson(location.PosRoute("widget/start"), new { posLocationId = location.LocationId, terminalId = "lane-2", widgetId, couponId = new string('c', 65) });
        using var shown = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"), body);

        await start.ValidationProblem("couponId");
        await shown.ValidationProblem("couponId");
        Assert.Null((await location.Session(sessionId))["qrShownAt"]);
    }
}
