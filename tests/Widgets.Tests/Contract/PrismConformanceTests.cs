using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Contract;

/// <summary>A gateway with abuse limits low enough that a burst through Prism exceeds each of them.</summary>
public sealed class ConformanceFixture : GatewayFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["RateLimits:PosPerClientPerSecond"] = "60";
        settings["RateLimits:PosPerTerminalPerSecond"] = "20";
        settings["RateLimits:PublicPerIpPerSecond"] = "30";
        settings["RateLimits:TokenPerIpPerMinute"] = "40";
    }
}

[CollectionDefinition(Name)]
public sealed class ConformanceCollection : ICollectionFixture<ConformanceFixture>
{
    public const string Name = "Contract: conformance through Prism";
}

/// <summary>
/// Stoplight Prism as a validating proxy in front of the gateway, as an integrator would put it in their CI: the
/// README walk-through, ClearLine's request shapes, the document's own examples and every documented error case go
/// through it, and Prism must find nothing to object to in any request or answer. The test also holds the document to
/// its word the other way: every status it documents for an operation must actually be answered, except the few
/// listed in <see cref="NotRunThroughPrism"/> with the reason and the test that covers them instead.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class PrismConformanceTests(ConformanceFixture gateway)
{
    private const string Absent = "0123456789abcdef0123456789abcdef";

    /// <summary>Documented answers that cannot pass through a validating proxy, or need a failing cluster.</summary>
    private static readonly (Func<string, int, bool> Applies, string Why)[] NotRunThroughPrism =
    [
        ((_, status) => status == 415,
            "a body of an undocumented media type is a request violation by definition (ErrorTests.Text_plain_body_is_415_unsupported_media_type)"),
        ((_, status) => status == 503, "needs an unreachable cluster (Cluster/ProcessFailoverTests)"),
        ((operation, status) => operation is "qrCodePng" or "qrCodeSvg" && status == 400,
            "host_not_allowed needs a forged Host header, which the proxy replaces with the upstream's (Trust/LinkHostTests)"),
        ((operation, status) => operation is "terminalScreenEvents" or "screenEvents" && status == 200,
            "an event stream of a live screen never ends and Prism validates whole bodies (Screen/ScreenEventStreamTests)"),
        ((operation, status) => operation == "streamTerminalEvents" && status == 200,
            "an event stream never ends and Prism validates whole bodies (Http/TerminalEventsTests)"),
    ];

    [Fact]
    public async Task Walk_through_ClearLine_shapes_examples_and_every_documented_error_pass_Prism_without_a_violation()
    {
        using var probe = gateway.Anonymous();
        var documentText = await probe.GetStringAsync("/openapi/v1.json");
        var document = JsonNode.Parse(documentText)!;
        var file = Path.Combine(Path.GetTempPath(), $"widgets-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, documentText);
        try
        {
            await using var prism = await PrismProxy.StartAsync(file, gateway.BaseAddress);
            using var api = new PrismRecorder(prism);
            var scene = await Scene.Create(gateway, api);

            await WalkThrough(api, scene);
            await ErrorCases(api, scene);
            await ScreenCases(api, scene);
            await DocumentExamples(api, document, scene);
            await TokensAndScopes(api, document, scene);
            await RateLimits(api, scene);

            Assert.True(api.Violations.Count == 0, $"Prism found {api.Violations.Count} violation(s):\n{string.Join('\n', api.Violations)}");
            var missing = Documented(document)
                .Where(d => !api.Seen.Contains(d) && !NotRunThroughPrism.Any(n => n.Applies(d.Operation, d.Status)))
                .Select(d => $"{d.Operation} {d.Status}")
                .ToList();
            Assert.True(missing.Count == 0, $"Documented but never answered through Prism:\n{string.Join('\n', missing)}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The README's curl walk-through, as a POS and an operator do it, in ClearLine's request shapes.</summary>
    private static async Task WalkThrough(PrismRecorder api, Scene s)
    {
        Assert.Equal(200, (await api.Get("live", "/healthz")).Status);
        Assert.Equal(200, (await api.Get("ready", "/readyz")).Status);
        Assert.Equal(200, (await api.Get("getLocationSettings", s.Admin("settings"), s.AdminToken)).Status);
        Assert.Equal(200, (await api.Json("putLocationSettings", HttpMethod.Put, s.Admin("settings"), s.AdminToken, new { name = "Conformance store", timeZone = "America/New_York" })).Status);
        Assert.Equal(200, (await api.Json("putTerminal", HttpMethod.Put, s.Admin("terminals/lane-9"), s.AdminToken, new { name = "Lane 9" })).Status);
        Assert.Equal(200, (await api.Get("getTerminal", s.Admin("terminals/lane-9"), s.AdminToken)).Status);
        Assert.Equal(200, (await api.Get("listTerminals", s.Admin("terminals"), s.AdminToken)).Status);
        Assert.Equal(204, (await api.Delete("deleteTerminal", s.Admin("terminals/lane-9"), s.AdminToken)).Status);
        Assert.Equal(200, (await api.Get("listCatalogueWidgets", s.Admin("widgets"), s.AdminToken)).Status);
        var read = await api.Get("getWidget", s.Admin($"widgets/{s.LoyaltyId}"), s.AdminToken);
        Assert.Equal(200, read.Status);
        var edited = GatewayLocation.Draft("Join our rewards, now with coffee");
        Assert.Equal(200, (await api.Json("replaceWidget", HttpMethod.Put, s.Admin($"widgets/{s.LoyaltyId}"), s.AdminToken, edited,
            headers: new Dictionary<string, string> { ["If-Match"] = read.Headers.ETag!.ToString() })).Status);

        var list = await api.Json("listWidgets", HttpMethod.Post, s.Pos("widgets/list"), s.PosToken, new { posLocationId = s.LocationId }, GatewayJson.JsonPatch);
        Assert.Equal(200, list.Status);
        Assert.Equal(304, (await api.Json("listWidgets", HttpMethod.Post, s.Pos("widgets/list"), s.PosToken, new { posLocationId = s.LocationId },
            headers: new Dictionary<string, string> { ["If-None-Match"] = list.Headers.ETag!.ToString() })).Status);
        Assert.Equal(200, (await api.Json("listWidgets", HttpMethod.Post, s.Pos("widgets/list"), s.PosToken,
            new { posLocationId = s.LocationId, terminalId = "lane-1", context = "checkout" })).Status);

        var sessionId = await s.Start(api, "lane-1", s.LoyaltyId);
        var shown = await api.Json("showQrCode", HttpMethod.Post, s.Pos("widget/showQrCode"), s.PosToken,
            s.Interaction(sessionId, s.LoyaltyId, "lane-1", "Ana", "", ""), GatewayJson.JsonPatch);
        Assert.Equal(200, shown.Status);
        Assert.Equal(200, (await api.Json("sendMessage", HttpMethod.Post, s.Pos("widget/sendMessage"), s.PosToken,
            s.Interaction(sessionId, s.LoyaltyId, "lane-1", "Ana", "ana@example.com", "+14155550123"), GatewayJson.JsonPatch)).Status);
        Assert.Equal(200, (await api.Get("getWidgetSession", s.Pos($"widget/sessions/{sessionId}"), s.PosToken)).Status);

        var screen = api.Via(shown.Data["qrCodeHtmlLinkUrl"]!.GetValue<string>());
        Assert.Equal(200, (await api.Get("screenPage", screen.PathAndQuery)).Status);
        Assert.Equal(200, (await api.Get("screenState", screen.PathAndQuery + "/state")).Status);
        Assert.Equal(200, (await api.Get("qrCodePng", screen.PathAndQuery + "/qr.png")).Status);
        Assert.Equal(200, (await api.Get("qrCodeSvg", screen.PathAndQuery + "/qr.svg")).Status);
        var landing = api.Via(shown.Data["landingUrl"]!.GetValue<string>());
        var page = await api.Get("landingPage", landing.PathAndQuery);
        Assert.Equal(200, page.Status);
        var form = HtmlForm.Single(page.Text);
        var thanks = await api.Send("submitLanding", HttpMethod.Post, new Uri(landing, form.Action).PathAndQuery, null,
            form.Submit(new Dictionary<string, string> { ["firstName"] = "Ana", ["email"] = "ana@example.com", ["consent"] = "yes" }));
        Assert.Equal(200, thanks.Status);

        Assert.Equal(200, (await api.Get("getStats", s.Admin("stats"), s.AdminToken)).Status);
        Assert.Equal(200, (await api.Get("getStats", s.Admin("stats?format=csv"), s.AdminToken)).Status);
        Assert.Equal(200, (await api.Get("listConversions", s.Admin("conversions"), s.AdminToken)).Status);
        Assert.Equal(200, (await api.Json("erasePersonalData", HttpMethod.Post, s.Admin("privacy/erase"), s.AdminToken, new { email = "ana@example.com" })).Status);

        var other = await s.Start(api, "lane-2", s.LoyaltyId);
        Assert.Equal(200, (await api.Send("cancelWidgetSession", HttpMethod.Post, s.Pos($"widget/sessions/{other}/cancel"), s.PosToken, null)).Status);

        var clientId = $"conformance-{Guid.NewGuid():N}";
        Assert.Equal(201, (await api.Json("createClient", HttpMethod.Post, "/v2/admin/clients", s.AdminToken,
            new { clientId, scopes = new[] { "pos_integration" }, locations = new[] { new { posSystemId = s.PosSystemId, posLocationId = s.LocationId } } })).Status);
        Assert.Equal(409, (await api.Json("createClient", HttpMethod.Post, "/v2/admin/clients", s.AdminToken,
            new { clientId, scopes = new[] { "pos_integration" }, locations = new[] { new { posSystemId = s.PosSystemId, posLocationId = s.LocationId } } })).Status);
        Assert.Equal(200, (await api.Get("listClients", "/v2/admin/clients", s.AdminToken)).Status);
        Assert.Equal(204, (await api.Delete("revokeClient", $"/v2/admin/clients/{clientId}", s.AdminToken)).Status);
        var archived = await s.CreateWidget(api, GatewayLocation.Draft("Short-lived"));
        Assert.Equal(200, (await api.Delete("archiveWidget", s.Admin($"widgets/{archived}"), s.AdminToken)).Status);
    }

    /// <summary>Each documented refusal, with a request whose shape is valid (so Prism lets it through to be refused by us).</summary>
    private static async Task ErrorCases(PrismRecorder api, Scene s)
    {
        var huge = new string('x', 70 * 1024);
        var post = HttpMethod.Post;
        var put = HttpMethod.Put;

        // 400: fields of the right type with values we refuse.
        await api.Json("listWidgets", post, s.Pos("widgets/list"), s.PosToken, new { posLocationId = s.LocationId, context = "weekend" });
        await api.Json("startWidgetSession", post, s.Pos("widget/start"), s.PosToken, new { posLocationId = s.LocationId, terminalId = "lane 1", widgetId = 1 });
        var ended = await s.Start(api, "lane-3", s.LoyaltyId);
        await api.Send("cancelWidgetSession", post, s.Pos($"widget/sessions/{ended}/cancel"), s.PosToken, null);
        await api.Json("showQrCode", post, s.Pos("widget/showQrCode"), s.PosToken, s.Interaction(ended, s.LoyaltyId, "lane-3", "Ana", "", ""),
            headers: new Dictionary<string, string> { ["Idempotency-Key"] = "not valid" });
        await api.Json("sendMessage", post, s.Pos("widget/sendMessage"), s.PosToken, s.Interaction(ended, s.LoyaltyId, "lane-3", "Ana", "", ""));
        await api.Json("putLocationSettings", put, s.Admin("settings"), s.AdminToken, new { timeZone = "Mars/Olympus_Mons" });
        await api.Json("createWidget", post, s.Admin("widgets"), s.AdminToken, GatewayLocation.Draft("", timeoutSeconds: 500));
        await api.Json("replaceWidget", put, s.Admin($"widgets/{s.LoyaltyId}"), s.AdminToken, GatewayLocation.Draft("", timeoutSeconds: 500));
        await api.Json("putTerminal", put, s.Admin("terminals/lane%201"), s.AdminToken, new { name = "Lane one" });
        await api.Get("getStats", s.Admin("stats?from=2026-13-45"), s.AdminToken);
        await api.Get("listConversions", s.Admin("conversions?to=yesterday"), s.AdminToken);
        await api.Json("erasePersonalData", post, s.Admin("privacy/erase"), s.AdminToken, new { email = "not-an-email" });
        await api.Json("createClient", post, "/v2/admin/clients", s.AdminToken, new { clientId = "no-locations", scopes = new[] { "pos_integration" } });
        await api.Get("streamTerminalEvents", s.Pos("terminals/lane-1/events"), s.PosToken);

        // 404: what does not exist, or is another tenant's.
        await api.Json("listWidgets", post, s.Pos("widgets/list"), s.PosToken, new { posLocationId = "someone-elses-store" });
        await api.Json("startWidgetSession", post, s.Pos("widget/start"), s.PosToken, new { posLocationId = s.LocationId, terminalId = "lane-404", widgetId = "1" });
        await api.Json("showQrCode", post, s.Pos("widget/showQrCode"), s.PosToken, s.Interaction(Absent, s.LoyaltyId, "lane-1", "Ana", "", ""));
        await api.Json("sendMessage", post, s.Pos("widget/sendMessage"), s.PosToken, s.Interaction(Absent, s.LoyaltyId, "lane-1", "Ana", "a@example.com", ""));
        await api.Get("getWidgetSession", s.Pos($"widget/sessions/{Absent}"), s.PosToken);
        await api.Send("cancelWidgetSession", post, s.Pos($"widget/sessions/{Absent}/cancel"), s.PosToken, null);
        await api.Get("streamTerminalEvents", s.Pos($"terminals/lane-404/events?posLocationId={s.LocationId}"), s.PosToken);
        var nowhere = $"/v2/admin/pos/{s.PosSystemId}/locations/no%20such";
        await api.Get("getLocationSettings", nowhere + "/settings", s.AdminToken);
        await api.Json("putLocationSettings", put, nowhere + "/settings", s.AdminToken, new { name = "x" });
        await api.Get("listCatalogueWidgets", $"{nowhere}/widgets", s.AdminToken);
        await api.Json("createWidget", post, $"{nowhere}/widgets", s.AdminToken, GatewayLocation.Draft());
        await api.Get("getWidget", s.Admin("widgets/999"), s.AdminToken);
        await api.Json("replaceWidget", put, s.Admin("widgets/999"), s.AdminToken, GatewayLocation.Draft());
        await api.Delete("archiveWidget", s.Admin("widgets/999"), s.AdminToken);
        await api.Get("listTerminals", $"{nowhere}/terminals", s.AdminToken);
        await api.Get("getTerminal", s.Admin("terminals/lane-404"), s.AdminToken);
        await api.Json("putTerminal", put, $"{nowhere}/terminals/lane-1", s.AdminToken, new { name = "x" });
        await api.Delete("deleteTerminal", s.Admin("terminals/lane-404"), s.AdminToken);
        await api.Get("getStats", $"{nowhere}/stats", s.AdminToken);
        await api.Get("listConversions", $"{nowhere}/conversions", s.AdminToken);
        await api.Json("erasePersonalData", post, $"{nowhere}/privacy/erase", s.AdminToken, new { email = "ana@example.com" });
        await api.Delete("revokeClient", "/v2/admin/clients/nobody-here", s.AdminToken);
        const string forged = "/s/0123456789abcdef0123456789abcdef.4102444800.forged";
        await api.Get("screenPage", forged);
        await api.Get("screenState", forged + "/state");
        await api.Get("qrCodePng", forged + "/qr.png");
        await api.Get("qrCodeSvg", forged + "/qr.svg");
        await api.Get("landingPage", forged.Replace("/s/", "/w/", StringComparison.Ordinal));
        await api.Send("submitLanding", post, forged.Replace("/s/", "/w/", StringComparison.Ordinal), null,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "a@example.com" }));

        // 409, 412, 422: the session ended, someone saved first, a key reused for another request.
        await api.Json("showQrCode", post, s.Pos("widget/showQrCode"), s.PosToken, s.Interaction(ended, s.LoyaltyId, "lane-3", "Ana", "", ""));
        await api.Json("sendMessage", post, s.Pos("widget/sendMessage"), s.PosToken, s.Interaction(ended, s.LoyaltyId, "lane-3", "Ana", "a@example.com", ""));
        await api.Send("cancelWidgetSession", post, s.Pos($"widget/sessions/{ended}/cancel"), s.PosToken, null);
        await api.Json("replaceWidget", put, s.Admin($"widgets/{s.LoyaltyId}"), s.AdminToken, GatewayLocation.Draft(),
            headers: new Dictionary<string, string> { ["If-Match"] = "\"v1\"" });
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = $"conformance-{Guid.NewGuid():N}" };
        await api.Json("startWidgetSession", post, s.Pos("widget/start"), s.PosToken, new { posLocationId = s.LocationId, terminalId = "lane-4", widgetId = s.LoyaltyId }, headers: key);
        await api.Json("startWidgetSession", post, s.Pos("widget/start"), s.PosToken, new { posLocationId = s.LocationId, terminalId = "lane-5", widgetId = s.LoyaltyId }, headers: key);
        var live = await s.Start(api, "lane-6", s.LoyaltyId);
        var showKey = new Dictionary<string, string> { ["Idempotency-Key"] = $"conformance-{Guid.NewGuid():N}" };
        await api.Json("showQrCode", post, s.Pos("widget/showQrCode"), s.PosToken, s.Interaction(live, s.LoyaltyId, "lane-6", "Ana", "", ""), headers: showKey);
        await api.Json("showQrCode", post, s.Pos("widget/showQrCode"), s.PosToken, s.Interaction(live, s.LoyaltyId, "lane-6", "Bea", "", ""), headers: showKey);
        var sendKey = new Dictionary<string, string> { ["Idempotency-Key"] = $"conformance-{Guid.NewGuid():N}" };
        await api.Json("sendMessage", post, s.Pos("widget/sendMessage"), s.PosToken, s.Interaction(live, s.LoyaltyId, "lane-6", "Ana", "a@example.com", ""), headers: sendKey);
        await api.Json("sendMessage", post, s.Pos("widget/sendMessage"), s.PosToken, s.Interaction(live, s.LoyaltyId, "lane-6", "Ana", "b@example.com", ""), headers: sendKey);

        // 413: bodies over the limit that are otherwise well-formed.
        await api.Json("listWidgets", post, s.Pos("widgets/list"), s.PosToken, new { posLocationId = huge });
        await api.Json("startWidgetSession", post, s.Pos("widget/start"), s.PosToken, new { posLocationId = s.LocationId, terminalId = "lane-1", widgetId = 1, couponId = huge });
        await api.Json("showQrCode", post, s.Pos("widget/showQrCode"), s.PosToken, new { widgetId = 1, sessionId = live, posLocationId = s.LocationId, terminalId = "lane-6", couponId = huge });
        await api.Json("sendMessage", post, s.Pos("widget/sendMessage"), s.PosToken, new { widgetId = 1, sessionId = live, posLocationId = s.LocationId, terminalId = "lane-6", couponId = huge });
        await api.Json("putLocationSettings", put, s.Admin("settings"), s.AdminToken, new { name = huge });
        await api.Json("createWidget", post, s.Admin("widgets"), s.AdminToken, GatewayLocation.Draft(huge));
        await api.Json("replaceWidget", put, s.Admin($"widgets/{s.LoyaltyId}"), s.AdminToken, GatewayLocation.Draft(huge));
        await api.Json("putTerminal", put, s.Admin("terminals/lane-1"), s.AdminToken, new { name = huge });
        await api.Json("erasePersonalData", post, s.Admin("privacy/erase"), s.AdminToken, new { email = huge });
        await api.Json("createClient", post, "/v2/admin/clients", s.AdminToken, new { clientId = huge, scopes = new[] { "widgets_admin" } });
        await api.Send("issueToken", post, "/connect/token", null, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["scope"] = new string('x', 1100 * 1024),
        }), Basic(s.PosClientId, s.PosClientSecret));

        // The landing form: 400 (a field to correct), 403 (no anti-forgery token), 409 (a second entry), 413 (too large).
        await LandingRefusals(api, s);
    }

    private static async Task LandingRefusals(PrismRecorder api, Scene s)
    {
        var contest = await s.CreateWidget(api, Contest());
        var first = await s.ShowQr(api, "lane-7", contest);
        var page = await api.Get("landingPage", first.PathAndQuery);
        var form = HtmlForm.Single(page.Text);
        var target = new Uri(first, form.Action).PathAndQuery;
        await api.Send("submitLanding", HttpMethod.Post, target, null, form.Submit(new Dictionary<string, string> { ["email"] = "not an address", ["acceptRules"] = "yes" }));
        await api.Send("submitLanding", HttpMethod.Post, target, null, new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "ann@example.com" }));
        await api.Send("submitLanding", HttpMethod.Post, target, null, new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = new string('x', 17 * 1024) }));
        Assert.Equal(200, (await api.Send("submitLanding", HttpMethod.Post, target, null,
            form.Submit(new Dictionary<string, string> { ["email"] = "ann@example.com", ["acceptRules"] = "yes" }))).Status);

        var second = await s.ShowQr(api, "lane-8", contest);
        var again = HtmlForm.Single((await api.Get("landingPage", second.PathAndQuery)).Text);
        Assert.Equal(409, (await api.Send("submitLanding", HttpMethod.Post, new Uri(second, again.Action).PathAndQuery, null,
            again.Submit(new Dictionary<string, string> { ["email"] = "ann@example.com", ["acceptRules"] = "yes" }))).Status);
    }

    /// <summary>The terminal screen: its link, page, self-start and revocation, with their refusals.</summary>
    private static async Task ScreenCases(PrismRecorder api, Scene s)
    {
        var post = HttpMethod.Post;
        var carousel = await api.Json("carousel", post, s.Pos("carousel"), s.PosToken, new { posLocationId = s.LocationId, terminalId = "lane-6" }, GatewayJson.JsonPatch);
        Assert.True(carousel.Status == 200, carousel.Text);
        var screen = api.Via(carousel.Data["url"]!.GetValue<string>()).PathAndQuery;
        Assert.Equal(404, (await api.Json("carousel", post, s.Pos("carousel"), s.PosToken, new { posLocationId = s.LocationId, terminalId = "lane-404" })).Status);
        Assert.Equal(400, (await api.Json("carousel", post, s.Pos("carousel"), s.PosToken, new { posLocationId = s.LocationId, terminalId = "lane 1!" })).Status);
        await api.Json("carousel", post, s.Pos("carousel"), s.PosToken, new { posLocationId = s.LocationId, terminalId = new string('x', 70 * 1024) });

        var page = await api.Get("terminalScreenPage", screen);
        Assert.Equal(200, page.Status);
        var startToken = System.Text.RegularExpressions.Regex.Match(page.Text, "data-start-token=\"([^\"]+)\"").Groups[1].Value;
        var fromPage = new Dictionary<string, string> { ["X-Screen-Start"] = startToken };
        Assert.Equal(403, (await api.Json("terminalScreenStart", post, screen + "/start", null, new { widgetId = s.LoyaltyId }, headers: fromPage)).Status);
        using (var on = await s.Location.Admin.PutJson(s.Location.AdminRoute("settings"), new { selfStart = true }))
        {
            await on.Data();
        }

        Assert.Equal(400, (await api.Json("terminalScreenStart", post, screen + "/start", null, new { widgetId = -1 }, headers: fromPage)).Status);
        await api.Json("terminalScreenStart", post, screen + "/start", null, new { widgetId = s.LoyaltyId, pad = new string('x', 70 * 1024) }, headers: fromPage);
        Assert.Equal(404, (await api.Json("terminalScreenStart", post, screen + "/start", null, new { widgetId = 999999 }, headers: fromPage)).Status);
        var started = await api.Json("terminalScreenStart", post, screen + "/start", null, new { widgetId = s.LoyaltyId }, headers: fromPage);
        Assert.True(started.Status == 200, started.Text);

        Assert.Equal(404, (await api.Send("revokeTerminalScreen", post, s.Admin("terminals/lane-404/screen/revoke"), s.AdminToken, null)).Status);
        Assert.Equal(200, (await api.Send("revokeTerminalScreen", post, s.Admin("terminals/lane-6/screen/revoke"), s.AdminToken, null)).Status);
        Assert.Equal(404, (await api.Get("terminalScreenPage", screen)).Status);
        Assert.Equal(404, (await api.Json("terminalScreenStart", post, screen + "/start", null, new { widgetId = s.LoyaltyId }, headers: fromPage)).Status);
        Assert.Equal(404, (await api.Get("screenEvents", "/s/x/events")).Status);
    }

    /// <summary>The document's own request examples, sent as they are (ClearLine's shapes among them) by the demo POS client at demo/store-1.</summary>
    private static async Task DocumentExamples(PrismRecorder api, JsonNode document, Scene s)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var scopes = operation!["security"]?.AsArray().SelectMany(r => r!.AsObject()).SelectMany(r => r.Value!.AsArray()).Select(v => v!.GetValue<string>()) ?? [];
                var token = scopes.Contains("pos_integration") ? s.DemoPosToken : scopes.Contains("widgets_admin") ? s.AdminToken : null;
                var filled = path.Replace("{posSystemId}", "demo", StringComparison.Ordinal).Replace("{posLocationId}", "store-1", StringComparison.Ordinal);
                foreach (var (mediaType, media) in operation["requestBody"]?["content"]?.AsObject() ?? [])
                {
                    foreach (var (_, example) in media!["examples"]?.AsObject() ?? [])
                    {
                        if (!mediaType.Contains("json", StringComparison.Ordinal))
                        {
                            continue;
                        }

                        var answer = await api.Json(operation["operationId"]!.GetValue<string>(), new HttpMethod(method.ToUpperInvariant()), filled, token,
                            example!["value"]!.ToJsonString(), mediaType);
                        Assert.True(answer.Status < 500, $"{method} {path} example: {answer.Status} {answer.Text}");
                    }
                }
            }
        }
    }

    /// <summary>Every operation behind a scope, once with a forged token (401) and once with a token of the other scope (403).</summary>
    private static async Task TokensAndScopes(PrismRecorder api, JsonNode document, Scene s)
    {
        Assert.Equal(200, (await api.Send("issueToken", HttpMethod.Post, "/connect/token", null, TokenForm("pos_integration"), Basic(s.PosClientId, s.PosClientSecret))).Status);
        Assert.Equal(400, (await api.Send("issueToken", HttpMethod.Post, "/connect/token", null, TokenForm("widgets_admin"), Basic(s.PosClientId, s.PosClientSecret))).Status);
        Assert.Equal(400, (await api.Send("issueToken", HttpMethod.Post, "/connect/token", null,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password", ["scope"] = "pos_integration" }), Basic(s.PosClientId, s.PosClientSecret))).Status);
        Assert.Equal(400, (await api.Send("issueToken", HttpMethod.Post, "/connect/token", null,
            new FormUrlEncodedContent(Enumerable.Range(0, 1100).Select(i => KeyValuePair.Create($"f{i}", "x")).Append(KeyValuePair.Create("grant_type", "client_credentials"))),
            Basic(s.PosClientId, s.PosClientSecret))).Status);
        Assert.Equal(401, (await api.Send("issueToken", HttpMethod.Post, "/connect/token", null, TokenForm("pos_integration"), Basic(s.PosClientId, "wrong"))).Status);

        const string forgedToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJl";
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var scopes = operation!["security"]?.AsArray().SelectMany(r => r!["oauth2"]?.AsArray() ?? []).Select(v => v!.GetValue<string>()).ToList() ?? [];
                if (scopes.Count == 0)
                {
                    continue;
                }

                var id = operation["operationId"]!.GetValue<string>();
                var filled = path.Replace("{posSystemId}", s.PosSystemId, StringComparison.Ordinal).Replace("{posLocationId}", s.LocationId, StringComparison.Ordinal)
                    .Replace("{terminalId}", "lane-1", StringComparison.Ordinal).Replace("{widgetId}", "1", StringComparison.Ordinal)
                    .Replace("{sessionId}", Absent, StringComparison.Ordinal).Replace("{clientId}", "nobody", StringComparison.Ordinal);
                // A body Prism accepts: the operation's first example (whatever its media type), else an empty object.
                HttpContent? Body()
                {
                    if (operation["requestBody"]?["content"]?.AsObject() is not { } contents)
                    {
                        return null;
                    }

                    foreach (var (mediaType, media) in contents)
                    {
                        if (media!["examples"]?.AsObject().FirstOrDefault().Value?["value"] is { } value)
                        {
                            return PrismRecorder.Body(value.ToJsonString(), mediaType);
                        }
                    }

                    return PrismRecorder.Body("{}");
                }

                foreach (var (token, status) in new[] { (forgedToken, 401), (scopes.Contains("pos_integration") ? s.AdminToken : s.PosToken, 403) })
                {
                    var answer = await api.Send(id, new HttpMethod(method.ToUpperInvariant()), filled, token, Body());
                    Assert.True(answer.Status == status, $"{id} with a {(status == 401 ? "forged token" : "token of another scope")}: {answer.Status} {answer.Text}");
                }
            }
        }
    }

    /// <summary>Bursts past each abuse limit: 429 with Retry-After on every operation that documents it.</summary>
    private static async Task RateLimits(PrismRecorder api, Scene s)
    {
        var limited = await s.NewPosClient(api);
        var session = await s.Start(api, "lane-10", s.LoyaltyId);
        var post = HttpMethod.Post;
        var pos = new (string Operation, Func<Task<PrismAnswer>> Send)[]
        {
            ("listWidgets", () => api.Json("listWidgets", post, s.Pos("widgets/list"), limited, new { posLocationId = s.LocationId })),
            ("startWidgetSession", () => api.Json("startWidgetSession", post, s.Pos("widget/start"), limited, new { posLocationId = s.LocationId, terminalId = "lane-11", widgetId = s.LoyaltyId })),
            ("showQrCode", () => api.Json("showQrCode", post, s.Pos("widget/showQrCode"), limited, s.Interaction(session, s.LoyaltyId, "lane-10", "Ana", "", ""))),
            ("sendMessage", () => api.Json("sendMessage", post, s.Pos("widget/sendMessage"), limited, s.Interaction(session, s.LoyaltyId, "lane-10", "Ana", "", ""))),
            ("getWidgetSession", () => api.Get("getWidgetSession", s.Pos($"widget/sessions/{session}"), limited)),
            ("cancelWidgetSession", () => api.Send("cancelWidgetSession", post, s.Pos($"widget/sessions/{Absent}/cancel"), limited, null)),
            ("streamTerminalEvents", () => api.Get("streamTerminalEvents", s.Pos("terminals/lane-404/events?posLocationId=" + s.LocationId), limited)),
            ("carousel", () => api.Json("carousel", post, s.Pos("carousel"), limited, new { posLocationId = s.LocationId, terminalId = "lane-404" })),
        };
        foreach (var (operation, send) in pos)
        {
            Assert.True(await api.BurstUntilRefused(90, send), $"{operation}: no 429 past the per-client limit");
        }

        var screen = await s.ShowQr(api, "lane-12", s.LoyaltyId);
        foreach (var (operation, path) in new[] { ("landingPage", screen.PathAndQuery), ("screenPage", "/s/x"), ("screenState", "/s/x/state"), ("qrCodePng", "/s/x/qr.png"), ("qrCodeSvg", "/s/x/qr.svg"), ("screenEvents", "/s/x/events"),
            ("terminalScreenPage", "/t/x"), ("terminalScreenEvents", "/t/x/events") })
        {
            Assert.True(await api.BurstUntilRefused(60, () => api.Get(operation, path)), $"{operation}: no 429 past the per-IP limit");
        }

        Assert.True(await api.BurstUntilRefused(60, () => api.Json("terminalScreenStart", post, "/t/x/start", null, new { widgetId = 1 })),
            "terminalScreenStart: no 429 past the per-IP limit");
        Assert.True(await api.BurstUntilRefused(60, () => api.Send("submitLanding", post, "/w/x", null, new FormUrlEncodedContent(new Dictionary<string, string> { ["a"] = "b" }))),
            "submitLanding: no 429 past the per-IP limit");
        Assert.True(await api.BurstUntilRefused(60, () => api.Send("issueToken", post, "/connect/token", null, TokenForm("pos_integration"), Basic(s.PosClientId, s.PosClientSecret))),
            "issueToken: no 429 past the per-IP limit");
    }

    /// <summary>Every (operation, status) the document promises.</summary>
    private static IEnumerable<(string Operation, int Status)> Documented(JsonNode document) =>
        from item in document["paths"]!.AsObject()
        from operation in item.Value!.AsObject()
        from response in operation.Value!["responses"]!.AsObject()
        select (operation.Value!["operationId"]!.GetValue<string>(), int.Parse(response.Key, System.Globalization.CultureInfo.InvariantCulture));

    private static FormUrlEncodedContent TokenForm(string scope) =>
        new(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = scope });

    private static Dictionary<string, string> Basic(string clientId, string secret) =>
        new() { ["Authorization"] = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}"))).ToString() };

    private static JsonObject Contest()
    {
        var draft = GatewayLocation.Draft("Win a gift card");
        draft["type"] = "contestEntry";
        draft["settings"] = new JsonObject { ["contestRules"] = "One entry per person." };
        return draft;
    }

    /// <summary>The location, clients and widget the conformance run acts on (set up through the gateway directly, not through Prism).</summary>
    private sealed record Scene(GatewayFixture Gateway, GatewayLocation Location, string PosToken, string AdminToken, string DemoPosToken, int LoyaltyId)
    {
        public string PosSystemId => Location.PosSystemId;

        public string LocationId => Location.LocationId;

        public string PosClientId => Location.PosClientId;

        public string PosClientSecret => Location.PosClientSecret;

        public static async Task<Scene> Create(GatewayFixture gateway, PrismRecorder api)
        {
            var location = await gateway.CreateLocationAsync("pax", Enumerable.Range(1, 12).Select(i => $"lane-{i}").ToArray());
            var posToken = await gateway.GetToken(location.PosClientId, location.PosClientSecret, "pos_integration");
            var adminToken = await gateway.GetToken(GatewayFixture.AdminClientId, GatewayFixture.AdminClientSecret, "widgets_admin");
            var demoPosToken = await gateway.GetToken(GatewayFixture.PosClientId, GatewayFixture.PosClientSecret, "pos_integration");
            var scene = new Scene(gateway, location, posToken, adminToken, demoPosToken, 0);
            var loyalty = GatewayLocation.Draft();
            loyalty["type"] = "loyaltyEnrollment";
            return scene with { LoyaltyId = await scene.CreateWidget(api, loyalty) };
        }

        public string Pos(string path) => Location.PosRoute(path);

        public string Admin(string path) => path.Length == 0 ? Location.AdminRoute("").TrimEnd('/') : Location.AdminRoute(path);

        public object Interaction(string sessionId, int widgetId, string terminalId, string firstName, string email, string phone) => new
        {
            widgetId = widgetId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            sessionId,
            posLocationId = LocationId,
            terminalId,
            profile = new { firstName, lastName = "", customerEmail = email, customerPhone = phone, salesPerson = "Sam" },
        };

        public async Task<int> CreateWidget(PrismRecorder api, JsonObject draft)
        {
            var created = await api.Json("createWidget", HttpMethod.Post, Admin("widgets"), AdminToken, draft);
            Assert.True(created.Status == 201, created.Text);
            return created.Data["id"]!.GetValue<int>();
        }

        public async Task<string> Start(PrismRecorder api, string terminalId, int widgetId)
        {
            var started = await api.Json("startWidgetSession", HttpMethod.Post, Pos("widget/start"), PosToken,
                new { posLocationId = LocationId, terminalId, widgetId = widgetId.ToString(System.Globalization.CultureInfo.InvariantCulture) }, GatewayJson.JsonPatch);
            Assert.True(started.Status == 200, started.Text);
            return started.Data["sessionId"]!.GetValue<string>();
        }

        /// <summary>Starts a session and shows its QR code; returns its landing link, through Prism.</summary>
        public async Task<Uri> ShowQr(PrismRecorder api, string terminalId, int widgetId)
        {
            var sessionId = await Start(api, terminalId, widgetId);
            var shown = await api.Json("showQrCode", HttpMethod.Post, Pos("widget/showQrCode"), PosToken, Interaction(sessionId, widgetId, terminalId, "Ana", "", ""));
            Assert.True(shown.Status == 200, shown.Text);
            return api.Via(shown.Data["landingUrl"]!.GetValue<string>());
        }

        /// <summary>A POS client of its own (a rate limit counts per client), created through Prism.</summary>
        public async Task<string> NewPosClient(PrismRecorder api)
        {
            var clientId = $"limited-{Guid.NewGuid():N}";
            var created = await api.Json("createClient", HttpMethod.Post, "/v2/admin/clients", AdminToken,
                new { clientId, scopes = new[] { "pos_integration" }, locations = new[] { new { posSystemId = PosSystemId, posLocationId = LocationId } } });
            Assert.True(created.Status == 201, created.Text);
            return await Gateway.GetToken(clientId, created.Data["clientSecret"]!.GetValue<string>(), "pos_integration");
        }
    }
}
