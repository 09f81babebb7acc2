using System.Net;
using Widgets.Tests.Infrastructure;
using Widgets.Tests.Screen;
using Xunit;

namespace Widgets.Tests.Console;

/// <summary>Hostile input on every console form: a 4xx with the reason, never a 5xx, and nothing stored.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ConsoleHostileInputTests(GatewayFixture gateway)
{
    private static readonly string Huge = new('x', 70_000);

    [Fact]
    public async Task Hostile_posts_to_every_console_form_get_a_4xx_and_change_nothing()
    {
        var location = await gateway.CreateLocationAsync("pax", "lane-1");
        var widgetId = await location.CreateWidgetId("Untouched");
        using var console = await ConsoleSession.Http(gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        var before = await Snapshot(location);

        var newSurvey = ConsoleSession.LocationPath(location, "widgets/new?type=survey");
        var edit = ConsoleSession.LocationPath(location, $"widgets/{widgetId}");
        var widgets = ConsoleSession.LocationPath(location, "widgets");
        var terminals = ConsoleSession.LocationPath(location, "terminals");
        var settings = ConsoleSession.LocationPath(location, "settings");
        var privacy = ConsoleSession.LocationPath(location, "privacy");
        var attempts = new (string Path, string Handler, Dictionary<string, string> Fields, bool Token)[]
        {
            (newSurvey, "widget", new() { ["Form.Type"] = "survey", ["Form.Name"] = Huge, ["Form.TimeoutSeconds"] = "abc", ["Form.StartsAt"] = "yesterday" }, true),
            (newSurvey, "widget", new() { ["Form.Type"] = "<script>alert(1)</script>", ["Form.Name"] = "x" }, true),
            (newSurvey, "widget", new() { ["Form.Type"] = "survey", ["Form.Name"] = "x", ["Form.Status"] = "deleted", ["Form.SortOrder"] = "99999999999999999999" }, true),
            (newSurvey, "widget", new() { ["Form.Type"] = "survey", ["Form.Name"] = "No questions" }, true),
            (newSurvey, "widget", new() { ["Form.Type"] = "survey", ["Form.Name"] = "x", ["Form.Questions[0].Text"] = "Q", ["Form.Questions[0].Kind"] = "1" }, true),
            (newSurvey, "widget", new() { ["Form.Type"] = "survey", ["Form.Name"] = "x", ["Form.Questions[5000].Text"] = "Q" }, true),
            (newSurvey, "widget", new() { ["Form.Type"] = "survey", ["Form.Name"] = "x", ["Form.Checkout"] = "maybe" }, true),
            (newSurvey, "widget", new() { ["Form.Type"] = "couponDelivery", ["Form.Name"] = "x", ["Form.CouponPrefix"] = "<b>", ["Form.Icon"] = "javascript:alert(1)" }, true),
            (newSurvey, "widget", new() { ["Form.Type"] = "survey", ["Form.Name"] = "Forged" }, false),
            (newSurvey, "no-such-form", new() { ["Form.Name"] = "x" }, true),
            (edit, "widget", new() { ["Form.Type"] = "loyaltyEnrollment", ["Form.Name"] = "Changed", ["Form.Version"] = "not-a-version" }, true),
            (edit, "widget", new() { ["Form.Type"] = "loyaltyEnrollment", ["Form.Name"] = "Changed", ["Form.Version"] = "999" }, true),
            (edit, "widget", new() { ["Form.Type"] = "loyaltyEnrollment", ["Form.Name"] = "Changed", ["Form.Version"] = "1", ["Form.EndsAt"] = "2020-01-01T00:00", ["Form.StartsAt"] = "2021-01-01T00:00" }, true),
            (widgets, "widget-action", new() { ["Op"] = "archive:abc:1" }, true),
            (widgets, "widget-action", new() { ["Op"] = "delete:1:1" }, true),
            (widgets, "widget-action", new() { ["Op"] = "archive:99999:1" }, true),
            (widgets, "widget-action", new() { ["Op"] = $"archive:{widgetId}:77" }, true),
            (terminals, "terminal-add", new() { ["Add.TerminalId"] = "../../etc/passwd", ["Add.Name"] = "x" }, true),
            (terminals, "terminal-add", new() { ["Add.TerminalId"] = "lane-7", ["Add.Name"] = "bell\u0007" }, true),
            (terminals, "terminal-add", new() { ["Add.TerminalId"] = "lane-8" }, false),
            (terminals, "terminal-remove", new() { ["RemoveId"] = "lane-404" }, true),
            (terminals, "terminal-revoke", new() { ["RevokeId"] = "lane-404" }, true),
            (terminals, "terminal-revoke", new() { ["RevokeId"] = "../lane-1" }, true),
            (terminals, "terminal-revoke", new() { ["RevokeId"] = "lane-1" }, false),
            (privacy, "erase", new() { ["Form.Email"] = "not-an-email" }, true),
            (privacy, "erase", new() { ["Form.Phone"] = "call me maybe" }, true),
            (privacy, "erase", new() { ["Form.Email"] = Huge, ["Form.Phone"] = Huge }, true),
            (privacy, "erase", new() { ["Form.Email"] = "  ", ["Form.Phone"] = "" }, true),
            (privacy, "erase", new() { ["Form.Email"] = "grace@example.com" }, false),
            (settings, "settings", new() { ["Form.PrimaryColor"] = "red;}body{", ["Form.BackgroundColor"] = "#FFFFFF", ["Form.Locale"] = "en", ["Form.CarouselSeconds"] = "8", ["Form.RetentionDays"] = "365" }, true),
            (settings, "settings", new() { ["Form.LogoUrl"] = "javascript:alert(1)", ["Form.PrimaryColor"] = "#000000", ["Form.BackgroundColor"] = "#FFFFFF", ["Form.Locale"] = "xx", ["Form.CarouselSeconds"] = "8", ["Form.RetentionDays"] = "365" }, true),
            (settings, "settings", new() { ["Form.CarouselSeconds"] = "99999999999", ["Form.RetentionDays"] = "-1", ["Form.TimeZone"] = "Mars/Olympus" }, true),
            (settings, "settings", new() { ["Form.Name"] = Huge, ["Form.PrimaryColor"] = "#000000", ["Form.BackgroundColor"] = "#FFFFFF", ["Form.Locale"] = "en", ["Form.CarouselSeconds"] = "8", ["Form.RetentionDays"] = "365" }, true),
            ("/console/clients", "client-create", new() { ["New.ClientId"] = "bad id!", ["New.Pos"] = "true" }, true),
            ("/console/clients", "client-create", new() { ["New.ClientId"] = "pos-without-location", ["New.Pos"] = "true" }, true),
            ("/console/clients", "client-create", new() { ["New.ClientId"] = "odd-location", ["New.Pos"] = "true", ["New.Locations"] = "a/b/c" }, true),
            ("/console/clients", "client-create", new() { ["New.ClientId"] = "no-scope" }, true),
            ("/console/clients", "client-create", new() { ["New.ClientId"] = GatewayFixture.PosClientId, ["New.Pos"] = "true", ["New.Locations"] = "demo/store-1" }, true),
            ("/console/clients", "client-revoke", new() { ["RevokeId"] = GatewayFixture.AdminClientId }, true),
            ("/console/clients", "client-revoke", new() { ["RevokeId"] = "no-such-client" }, true),
            ("/console/signout", "", new(), false),
        };

        foreach (var (path, handler, fields, token) in attempts)
        {
            using var response = path == "/console/signout"
                ? await console.Client.PostAsync(path, new FormUrlEncodedContent(fields))
                : await console.PostForm(path, handler, fields, token);
            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"{path} [{handler}] {string.Join(", ", fields.Select(f => $"{f.Key}={f.Value[..Math.Min(20, f.Value.Length)]}"))} answered {status}.");
        }

        // A body beyond the gateway's limit is refused before the form is read: a 413, or (when the refusal arrives while
        // the client is still uploading) a connection the server closed; either way nothing is stored (checked below).
        try
        {
            using var tooLarge = await console.Client.PostAsync(newSurvey, new FormUrlEncodedContent([new("_handler", "widget"), new("Form.Name", new string('x', 2_000_000))]));
            Assert.InRange((int)tooLarge.StatusCode, 400, 499);
        }
        catch (HttpRequestException closed) when (closed.InnerException is IOException)
        {
        }

        Assert.Equal(before, await Snapshot(location));
        using var stillSignedIn = await console.Get("/console/");
        Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
    }

    [Fact]
    public async Task Invalid_settings_are_shown_inline_next_to_their_fields()
    {
        var location = await gateway.CreateLocationAsync();
        using var console = await ConsoleSession.Http(gateway, GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret);
        using var response = await console.PostForm(ConsoleSession.LocationPath(location, "settings"), "settings", new()
        {
            ["Form.PrimaryColor"] = "blue",
            ["Form.BackgroundColor"] = "#FFFFFF",
            ["Form.Locale"] = "en",
            ["Form.CarouselSeconds"] = "2",
            ["Form.RetentionDays"] = "365",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("id=\"brand.primaryColor-error\">A colour as #RRGGBB", html, StringComparison.Ordinal);
        Assert.Contains("id=\"carouselSeconds-error\">From 3 to 60 seconds.", html, StringComparison.Ordinal);
        Assert.Contains("value=\"blue\"", html, StringComparison.Ordinal);
    }

    /// <summary>What the forms could change, as the operator API shows it (and lane-1's screen link, which a revoke would change).</summary>
    private static async Task<string> Snapshot(GatewayLocation location)
    {
        async Task<string> Read(string path)
        {
            using var response = await location.Admin.GetAsync(path);
            return (await response.Data()).ToJsonString();
        }

        var clients = await Read("/v2/admin/clients");
        return string.Join("\n", await Read(location.AdminRoute("widgets")), await Read(location.AdminRoute("terminals")), await Read(location.AdminRoute("settings")),
            clients.Length, await location.Carousel("lane-1"));
    }
}
