using System.Net;
using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Http;

/// <summary>The operator surface (<c>widgets_admin</c>): catalogue, terminals, analytics and API clients.</summary>
[Collection(GatewayCollection.Name)]
public sealed class OperatorTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Widget_is_created_whole_read_replaced_with_If_Match_and_archived_by_delete()
    {
        var location = await gateway.CreateLocationAsync();
        var draft = GatewayLocation.Draft("Weekend deals", timeoutSeconds: 50);
        draft["type"] = "promotionSignup";
        draft["sortOrder"] = 3;

        using var create = await location.Admin.PostJson(location.AdminRoute("widgets"), draft);

        var created = await create.Data(HttpStatusCode.Created);
        var id = created.Int("id");
        Assert.True(id > 0);
        Assert.Equal("Weekend deals", created.Text("name"));
        Assert.Equal("promotionSignup", created.Text("type"));
        Assert.Equal("https://cdn.shop.test/icons/rewards.png", created.Text("icon"));
        Assert.Equal("Earn a point for every dollar.", created.Text("description"));
        Assert.Equal(["checkout", "idle"], created.Strings("contexts"));
        Assert.Equal(["qr", "sms", "email"], created.Strings("channels"));
        Assert.Equal(50, created.Int("timeoutSeconds"));
        Assert.Equal("active", created.Text("status"));
        Assert.Equal(3, created.Int("sortOrder"));
        Assert.Equal("Join Rewards", created["content"].Text("headline"));
        Assert.Equal("Hi {firstName}, join Rewards here: {url}", created["content"].Text("smsText"));
        Assert.NotNull(create.Headers.ETag);
        Assert.Equal(location.AdminRoute($"widgets/{id}"), create.Headers.Location?.ToString());

        var route = location.AdminRoute($"widgets/{id}");
        using var read = await location.Admin.GetAsync(route);
        Assert.Equal(created.ToJsonString(), (await read.Data()).ToJsonString());
        Assert.Equal(create.Headers.ETag, read.Headers.ETag);

        var edit = GatewayLocation.Draft("Weekend deals, now with coffee", timeoutSeconds: 55);
        edit["type"] = "promotionSignup";
        using var replace = await location.Admin.PutJson(route, edit, ifMatch: read.Headers.ETag!.ToString());
        var replaced = await replace.Data();
        Assert.Equal(id, replaced.Int("id"));
        Assert.Equal("Weekend deals, now with coffee", replaced.Text("name"));
        Assert.Equal(55, replaced.Int("timeoutSeconds"));
        Assert.NotEqual(read.Headers.ETag, replace.Headers.ETag);
        Assert.Equal("Weekend deals, now with coffee", (await location.Widget(id)).Text("name"));

        using var delete = await location.Admin.DeleteAsync(route);
        Assert.Equal("archived", (await delete.Data()).Text("status"));
        Assert.Equal("archived", (await location.Widget(id)).Text("status"));
        using var all = await location.Admin.GetAsync(location.AdminRoute("widgets"));
        Assert.Equal([id], (await all.Data()).AsArray().Select(w => w.Int("id")));
        using var listed = await location.Pos.PostJson(location.PosRoute("widgets/list"), new { posLocationId = location.LocationId });
        Assert.Empty((await listed.Data()).AsArray());
    }

    [Fact]
    public async Task Terminal_is_registered_read_renamed_listed_and_removed()
    {
        var location = await gateway.CreateLocationAsync("pax", "lane-1");
        var route = location.AdminRoute("terminals/till-7");

        using var put = await location.Admin.PutJson(route, new { name = "Till 7" });
        var registered = await put.Data();
        Assert.Equal("till-7", registered.Text("terminalId"));
        Assert.Equal("Till 7", registered.Text("name"));

        using var get = await location.Admin.GetAsync(route);
        Assert.Equal("Till 7", (await get.Data()).Text("name"));

        using var rename = await location.Admin.PutJson(route, new { name = "Front till" });
        var renamed = await rename.Data();
        Assert.Equal("Front till", renamed.Text("name"));
        Assert.Equal(registered.Text("registeredAt"), renamed.Text("registeredAt"));

        using var list = await location.Admin.GetAsync(location.AdminRoute("terminals"));
        Assert.Equal(["lane-1", "till-7"], (await list.Data()).AsArray().Select(t => t.Text("terminalId")));

        using var delete = await location.Admin.DeleteAsync(route);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await location.Admin.GetAsync(route);
        await gone.Problem(HttpStatusCode.NotFound, "terminal_not_found");
        var widgetId = await location.CreateWidgetId();
        using var start = await location.Pos.PostJson(location.PosRoute("widget/start"), location.StartBody("till-7", widgetId));
        await start.Problem(HttpStatusCode.NotFound, "terminal_not_found");
    }

    [Fact]
    public async Task Location_settings_start_at_their_defaults_change_only_the_fields_given_and_refuse_invalid_ones_whole()
    {
        var location = await gateway.CreateLocationAsync();
        var route = location.AdminRoute("settings");

        using var initial = await location.Admin.GetAsync(route);
        var defaults = await initial.Data();
        Assert.Equal("UTC", defaults.Text("timeZone"));
        Assert.Equal("en", defaults.Text("locale"));
        Assert.Equal(8, defaults.Int("carouselSeconds"));
        Assert.False(defaults["selfStart"]!.GetValue<bool>());
        Assert.Equal(365, defaults.Int("retentionDays"));
        Assert.Equal("#1F4FD1", defaults["brand"].Text("primaryColor"));

        using var branded = await location.Admin.PutJson(route, new
        {
            locale = "es",
            selfStart = true,
            brand = new { name = "Corner Market", logoUrl = "/icons/demo/loyalty.svg", primaryColor = "#0B6E4F", backgroundColor = "#F7F5EF" },
        });
        var changed = await branded.Data();
        Assert.Equal("es", changed.Text("locale"));
        Assert.True(changed["selfStart"]!.GetValue<bool>());
        Assert.Equal("Corner Market", changed["brand"].Text("name"));
        Assert.Equal(8, changed.Int("carouselSeconds"));

        using var paced = await location.Admin.PutJson(route, new { carouselSeconds = 12 });
        var kept = await paced.Data();
        Assert.Equal(12, kept.Int("carouselSeconds"));
        Assert.Equal("es", kept.Text("locale"));
        Assert.Equal("#0B6E4F", kept["brand"].Text("primaryColor"));

        using var invalid = await location.Admin.PutJson(route, new
        {
            locale = "xx",
            carouselSeconds = 1,
            retentionDays = 0,
            brand = new { logoUrl = "javascript:alert(1)", primaryColor = "red" },
        });
        await invalid.ValidationProblem("locale", "carouselSeconds", "retentionDays", "brand.logoUrl", "brand.primaryColor");
        using var after = await location.Admin.GetAsync(route);
        Assert.Equal(kept.ToJsonString(), (await after.Data()).ToJsonString());
    }

    [Fact]
    public async Task Stats_count_the_funnel_of_a_flow_per_widget_and_terminal()
    {
        var location = await gateway.CreateLocationAsync();
        var (widgetId, other) = await Flow(location);

        var row = await location.StatsWhen(widgetId,
            r => r.Long("started") == 2 && r.Long("cancelled") == 1 && r.Long("messagesSent") == 1 && r.Long("qrShown") == 1 && r.Long("listed") >= 1,
            "the flow's counters");

        Assert.Equal("Join our rewards", row.Text("name"));
        GatewayLocation.AssertCounters(row, started: 2, qrShown: 1, messagesSent: 1, timedOut: 0, cancelled: 1);
        Assert.Equal(1, row.Long("listed"));
        Assert.Equal(0, row.Long("scanned"));
        Assert.Equal(0, row.Long("converted"));
        Assert.Equal(0, row["conversionRate"]!.GetValue<double>());
        var terminals = row["terminals"]!.AsArray();
        Assert.Equal(["lane-1", "lane-2"], terminals.Select(t => t.Text("terminalId")));
        GatewayLocation.AssertCounters(terminals[0], started: 1, qrShown: 1, messagesSent: 1, timedOut: 0, cancelled: 1);
        Assert.Equal(1, terminals[0].Long("listed"));
        GatewayLocation.AssertCounters(terminals[1], started: 1, qrShown: 0, messagesSent: 0, timedOut: 0, cancelled: 0);

        using var response = await location.Admin.GetAsync(location.AdminRoute($"stats?widgetId={widgetId}"));
        var stats = await response.Data();
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(today, stats.Text("from"));
        Assert.Equal(today, stats.Text("to"));
        Assert.Equal([widgetId], stats["widgets"]!.AsArray().Select(w => w.Int("widgetId")));
        var otherRow = await location.StatsWhen(other, r => r.Long("listed") >= 1, "the other widget's listing");
        Assert.Equal(0, otherRow.Long("started"));
    }

    [Fact]
    public async Task Stats_as_csv_has_a_header_a_row_per_widget_and_one_per_terminal()
    {
        var location = await gateway.CreateLocationAsync();
        var (widgetId, _) = await Flow(location);
        await location.StatsWhen(widgetId, r => r.Long("started") == 2 && r.Long("cancelled") == 1 && r.Long("listed") >= 1, "the flow's counters");

        using var response = await location.Admin.GetAsync(location.AdminRoute($"stats?format=csv&widgetId={widgetId}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("widgetId,name,terminalId,listed,started,qrShown,messagesSent,messagesUnknown,scanned,converted,timedOut,cancelled,conversionRate", lines[0]);
        Assert.Equal(
            [
                $"{widgetId},\"Join our rewards\",\"\",1,2,1,1,0,0,0,0,1,0",
                $"{widgetId},\"Join our rewards\",\"lane-1\",1,1,1,1,0,0,0,0,1,0",
                $"{widgetId},\"Join our rewards\",\"lane-2\",0,1,0,0,0,0,0,0,0,0",
            ],
            lines.Skip(1));
    }

    [Fact]
    public async Task Stats_with_a_malformed_date_is_400_validation_failed()
    {
        var location = await gateway.CreateLocationAsync();

        using var response = await location.Admin.GetAsync(location.AdminRoute("stats?from=yesterday"));

        await response.ValidationProblem("from");
    }

    [Fact]
    public async Task Conversions_of_a_location_without_landing_submissions_is_an_empty_list()
    {
        var location = await gateway.CreateLocationAsync();
        await Flow(location);

        using var response = await location.Admin.GetAsync(location.AdminRoute("conversions"));

        Assert.Empty((await response.Data()).AsArray());
    }

    [Fact]
    public async Task Client_is_created_with_its_secret_shown_once_listed_without_secrets_and_revoked_by_delete()
    {
        var location = await gateway.CreateLocationAsync();
        var admin = location.Admin;
        var clientId = $"till-app-{Guid.NewGuid():N}";
        var registration = new
        {
            clientId,
            scopes = new[] { "pos_integration" },
            locations = new[] { new { posSystemId = location.PosSystemId, posLocationId = location.LocationId } },
        };

        using var create = await admin.PostJson("/v2/admin/clients", registration);

        var created = await create.Data(HttpStatusCode.Created);
        Assert.Equal(clientId, created.Text("clientId"));
        Assert.Equal(["pos_integration"], created.Strings("scopes"));
        Assert.Equal(location.LocationId, created["locations"]![0].Text("posLocationId"));
        var secret = created.Text("clientSecret");
        Assert.True(secret.Length >= 32, secret);

        using var list = await admin.GetAsync("/v2/admin/clients");
        var listText = await list.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var listed = JsonNode.Parse(listText)!["data"]!.AsArray().Single(c => c.Text("clientId") == clientId)!;
        Assert.Null(listed["clientSecret"]);
        Assert.DoesNotContain(secret, listText);
        Assert.DoesNotContain("clientSecret", listText);

        var pos = await gateway.BearerClient(clientId, secret, "pos_integration");
        using (var widgets = await pos.PostJson(location.PosRoute("widgets/list"), new { posLocationId = location.LocationId }))
        {
            await widgets.Data();
        }

        using (var duplicate = await admin.PostJson("/v2/admin/clients", registration))
        {
            await duplicate.Problem(HttpStatusCode.Conflict, "client_exists");
        }

        using (var delete = await admin.DeleteAsync($"/v2/admin/clients/{clientId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var after = await admin.GetAsync("/v2/admin/clients");
        Assert.DoesNotContain((await after.Data()).AsArray(), c => c.Text("clientId") == clientId);
        using var again = await admin.DeleteAsync($"/v2/admin/clients/{clientId}");
        await again.Problem(HttpStatusCode.NotFound, "client_not_found");
    }

    [Fact]
    public async Task Pos_client_without_locations_is_400_validation_failed_and_not_created()
    {
        var admin = await gateway.AdminClient();
        var clientId = $"nowhere-{Guid.NewGuid():N}";

        using var response = await admin.PostJson("/v2/admin/clients", new { clientId, scopes = new[] { "pos_integration" } });

        await response.ValidationProblem("locations");
        using var list = await admin.GetAsync("/v2/admin/clients");
        Assert.DoesNotContain((await list.Data()).AsArray(), c => c.Text("clientId") == clientId);
    }

    /// <summary>
    /// Two widgets listed once on lane-1; on the first, a session on lane-1 shown as QR, messaged and cancelled,
    /// and one on lane-2 left running.
    /// </summary>
    private static async Task<(int WidgetId, int Other)> Flow(GatewayLocation location)
    {
        var widgetId = await location.CreateWidgetId();
        var other = await location.CreateWidgetId("Other offer");
        using (var list = await location.Pos.PostJson(location.PosRoute("widgets/list"), new { posLocationId = location.LocationId, terminalId = "lane-1" }))
        {
            Assert.Equal(2, (await list.Data()).AsArray().Count);
        }

        var sessionId = (await location.Start("lane-1", widgetId)).Text("sessionId");
        using (var show = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"), location.InteractionBody(sessionId, widgetId, "lane-1")))
        {
            await show.Data();
        }

        using (var send = await location.Pos.PostJson(location.PosRoute("widget/sendMessage"),
            location.InteractionBody(sessionId, widgetId, "lane-1", email: $"stats.{Guid.NewGuid():N}@example.com")))
        {
            await send.Data();
        }

        using (var cancel = await location.Pos.PostAsync(location.PosRoute($"widget/sessions/{sessionId}/cancel"), null))
        {
            await cancel.Data();
        }

        await location.Start("lane-2", widgetId);
        return (widgetId, other);
    }
}
