using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Trust;

/// <summary>
/// Point 5, hostile input: every route the gateway maps (read from its endpoint data source; the console's are swept by
/// its own tests) gets malformed JSON, wrong types, missing and extra fields, 1 MB strings, control characters, emoji,
/// right-to-left text, SQL and HTML/script payloads, comma-joined names and numeric edge cases. No answer is a 5xx;
/// whatever must be refused is a 4xx problem+json (an HTML page may answer with an HTML 4xx); the refused requests
/// store and send nothing; hostile text that is accepted (it is just text) is shown encoded.
/// </summary>
[Collection(TrustCollection.Name)]
public sealed partial class HostileInputTests(TrustFixture gateway, ITestOutputHelper output)
{
    [Fact]
    public async Task Hostile_input_on_every_endpoint_is_never_a_5xx_refused_input_is_4xx_problem_json_and_stores_nothing_and_pages_encode_it()
    {
        var target = await SweepTarget.Create(gateway);
        var refused = new Sweep(output);
        var tolerated = new Sweep(output);
        var before = await target.Snapshot();
        var (emails, texts) = (gateway.Smtp.Received.Count, gateway.Twilio.Received.Count);

        await refused.Run(new Probes(gateway, target, refuse: true).All());

        var after = await target.Snapshot();
        var (emailsAfter, textsAfter) = (gateway.Smtp.Received.Count, gateway.Twilio.Received.Count);
        // Unsigned STOP replies from this number were refused: it still gets messages.
        var control = await (await target.Location.StartSession("lane-2", target.Session.WidgetId)).SendOne("sms", target.ControlPhone);

        await tolerated.Run(new Probes(gateway, target, refuse: false).All());
        var encoded = await target.PagesOfHostileWidget();
        using var chosen = await gateway.RequestToken(target.ClientId, Hostile.ChosenSecret, "pos_integration");

        refused.Report("Refused input");
        tolerated.Report("Tolerated input");
        var all = refused.Results.Concat(tolerated.Results).ToList();
        output.WriteLine($"Total: {all.Count} requests, {all.Count(r => r.Status >= 500)} answered 5xx.");
        var unprobed = new GatewayRoutes(gateway.Endpoints).NotReached(all.Select(r => (r.Method, r.Path)), route => !SweptElsewhere(route));
        Assert.True(unprobed.Count == 0, $"Routes the gateway maps that the sweep never probed:\n{string.Join("\n", unprobed)}");
        var violations = refused.Violations().Concat(tolerated.Violations()).OrderBy(v => v.Contains("a server error", StringComparison.Ordinal) ? 0 : 1).ToList();
        Assert.True(violations.Count == 0, $"{violations.Count} of {all.Count} answers break the rules:\n{string.Join("\n", violations.Take(60))}");
        Assert.Equal(before, after);
        Assert.Equal((emails, texts), (emailsAfter, textsAfter));
        Assert.Equal("sent", control.Text("status"));
        Assert.Equal(HttpStatusCode.Unauthorized, chosen.StatusCode);
        Assert.All(encoded, page =>
        {
            Assert.DoesNotContain(Hostile.Script, page);
            Assert.Contains("&lt;script&gt;alert(", page);
        });
    }

    /// <summary>
    /// The operator console's routes: signed in by cookie, its forms have a hostile sweep of their own
    /// (<c>Console/ConsoleHostileInputTests</c>), as has the framework route its forms use.
    /// </summary>
    private static bool SweptElsewhere(GatewayRoute route) =>
        route.Template.StartsWith("/console/", StringComparison.Ordinal) || route.Template.StartsWith("/_framework/", StringComparison.Ordinal);

    /// <summary>
    /// The sweep's own location: a widget, a session on lane-1 with its QR shown and an email and an SMS sent, the
    /// landing page opened by a phone (which holds its CSRF cookie), and the links the customer got.
    /// </summary>
    private sealed class SweepTarget
    {
        public required TrustFixture Gateway { get; init; }

        public required GatewayLocation Location { get; init; }

        public required TrustSession Session { get; init; }

        public required ShownQrCode Shown { get; init; }

        public required HttpClient Admin { get; init; }

        public required HttpClient Phone { get; init; }

        public required string Csrf { get; init; }

        public required string Email { get; init; }

        public required string SmsMessageId { get; init; }

        public required string SmsPhone { get; init; }

        public required Uri Unsubscribe { get; init; }

        /// <summary>The terminal screen link of lane-1 (<c>/t/{token}</c>), as the POS's carousel call gives it.</summary>
        public required Uri TerminalScreen { get; init; }

        /// <summary>The token the screen page carries for its self-start calls.</summary>
        public required string StartToken { get; init; }

        public string ControlPhone { get; } = TrustSetup.Phone();

        /// <summary>The id of the client the POST clients probes name (only the one with extra fields may create it).</summary>
        public string ClientId { get; } = $"sweep-{Guid.NewGuid():N}";

        public string ScreenToken => Shown.ScreenUrl.Segments[^1];

        public string LandingToken => Shown.LandingUrl.Segments[^1];

        public string TerminalScreenToken => TerminalScreen.Segments[^1];

        public static async Task<SweepTarget> Create(TrustFixture gateway)
        {
            var location = await gateway.CreateLocationAsync("pax", "lane-1", "lane-2");
            var widgetId = (await location.CreateWidget(GatewayLocation.Draft("Sweep", timeoutSeconds: 60))).Int("id");
            var shown = await location.ShowQrCode(widgetId);
            var session = new TrustSession(location, widgetId, "lane-1", shown.SessionId);
            var (email, phone) = (TrustSetup.Email("sweep"), TrustSetup.Phone());
            string smsId;
            using (var sent = await session.Send(email: email, phone: phone))
            {
                smsId = Assert.Single((await sent.Data())["messages"]!.AsArray(), m => m!.Text("channel") == "sms")!.Text("messageId");
            }

            var customer = gateway.Anonymous();
            using var page = await customer.GetAsync(shown.LandingUrl);
            var form = HtmlForm.Single(await page.Html(HttpStatusCode.OK));
            var screen = await TerminalScreenLink(location);
            var screenPage = await gateway.Anonymous().GetStringAsync(screen);
            var startToken = System.Text.RegularExpressions.Regex.Match(screenPage, "data-start-token=\"([^\"]+)\"").Groups[1].Value;
            Assert.NotEmpty(startToken);
            return new SweepTarget
            {
                Gateway = gateway,
                Location = location,
                Session = session,
                Shown = shown,
                Admin = await gateway.AdminClient(),
                Phone = customer,
                Csrf = form.ValueOf("csrf"),
                Email = email,
                SmsMessageId = smsId,
                SmsPhone = phone,
                Unsubscribe = new Uri(gateway.Smtp.To(email).Single().Headers["List-Unsubscribe"]!.Trim('<', '>')),
                TerminalScreen = screen,
                StartToken = startToken,
            };
        }

        /// <summary>Lane-1's screen link; asking again gives the same one until the operator revokes it.</summary>
        private static async Task<Uri> TerminalScreenLink(GatewayLocation location)
        {
            using var response = await location.Pos.PostJson(location.PosRoute("carousel"), new { posLocationId = location.LocationId, terminalId = "lane-1" });
            return new Uri((await response.Data()).Text("url"));
        }

        /// <summary>All a refused request could have changed: the location, its catalogue and terminals, the session, conversions and clients.</summary>
        public async Task<string> Snapshot()
        {
            var parts = new List<string>();
            foreach (var path in new[] { "settings", "widgets", "terminals", "conversions" })
            {
                using var response = await Admin.GetAsync(Location.AdminRoute(path).TrimEnd('/'));
                parts.Add((await response.Data()).ToJsonString());
            }

            parts.Add((await Location.Session(Session.SessionId)).ToJsonString());
            parts.Add((await TerminalScreenLink(Location)).ToString());
            using var clients = await Admin.GetAsync("/v2/admin/clients");
            parts.Add(string.Join(",", (await clients.Data()).AsArray().Select(c => c!.Text("clientId")).Order(StringComparer.Ordinal)));
            return string.Join("\n", parts);
        }

        /// <summary>
        /// A widget whose every text is the script payload, shown on the screen and the landing page of a new
        /// session whose profile names are the payload too: the pages as the customer gets them.
        /// </summary>
        public async Task<IReadOnlyList<string>> PagesOfHostileWidget()
        {
            var draft = GatewayLocation.Draft(Hostile.Script);
            draft["description"] = Hostile.Script;
            draft["content"] = new JsonObject
            {
                ["headline"] = Hostile.Script,
                ["body"] = Hostile.Script,
                ["smsText"] = Hostile.Script + " {url}",
                ["emailSubject"] = Hostile.Script,
                ["emailBody"] = Hostile.Script,
            };
            var widgetId = (await Location.CreateWidget(draft)).Int("id");
            var shown = await Location.ShowQrCode(widgetId, "lane-2", CustomerLinks.Profile(Hostile.Script, Hostile.AttributeBreakout));
            var pages = new List<string>();
            foreach (var url in new[] { shown.ScreenUrl, shown.LandingUrl })
            {
                using var response = await Gateway.Anonymous().GetAsync(url);
                pages.Add(await response.Html(HttpStatusCode.OK));
            }

            return pages;
        }
    }

    /// <summary>
    /// A JSON endpoint with a valid body (the template), the fields the sweep attacks and the headers every call of it
    /// carries; a <paramref name="RefusedOnly"/> endpoint gets no probe that may be accepted.
    /// </summary>
    private sealed record JsonEndpoint(
        string Name, HttpMethod Method, string Url, HttpClient Client, JsonObject Template, JsonField[] Fields, bool BodyOptional = false,
        IReadOnlyDictionary<string, string>? Headers = null, bool RefusedOnly = false);

    /// <summary>The probes of one phase: those that must be refused, or those that may be accepted.</summary>
    private sealed partial class Probes(TrustFixture gateway, SweepTarget target, bool refuse)
    {
        private const string NoSuchSession = "0123456789abcdef0123456789abcdef";

        private static readonly string[] Contexts = ["checkout", "idle", "postPurchase"];

        private static readonly string[] Types = ["loyaltyEnrollment", "promotionSignup", "contactCollection", "couponDelivery", "survey", "contestEntry"];

        private GatewayLocation Location => target.Location;

        public IEnumerable<Probe> All() =>
            JsonEndpoints().SelectMany(JsonProbes)
                .Concat(RouteProbes())
                .Concat(TokenProbes())
                .Concat(LandingFormProbes())
                .Concat(WebhookProbes())
                .Concat(OperationsProbes());

        /// <summary>Every JSON endpoint with a valid body (the template) and the fields the sweep attacks.</summary>
        private IEnumerable<JsonEndpoint> JsonEndpoints()
        {
            var pos = Location.Pos;
            var admin = target.Admin;
            var interaction = Json(Location.InteractionBody(target.Session.SessionId, target.Session.WidgetId, "lane-1", email: target.Email));
            JsonField[] interactionFields =
            [
                new("widgetId", FieldKind.PositiveInt, Required: true),
                new("sessionId", FieldKind.Id, Required: true),
                new("posLocationId", FieldKind.Id, Required: true),
                new("terminalId", FieldKind.Id, Required: true),
                new("profile", FieldKind.Object),
                new("profile.firstName", FieldKind.ProfileText),
                new("profile.lastName", FieldKind.ProfileText),
                new("profile.salesPerson", FieldKind.ProfileText),
                new("couponId", FieldKind.Text),
            ];
            yield return new("POST widgets/list", HttpMethod.Post, Location.PosRoute("widgets/list"), pos,
                new JsonObject { ["posLocationId"] = Location.LocationId, ["terminalId"] = "lane-1", ["context"] = "checkout" },
                [new("posLocationId", FieldKind.Id, Required: true), new("terminalId", FieldKind.Id), new("context", FieldKind.Id, Names: Contexts)]);
            yield return new("POST widget/start", HttpMethod.Post, Location.PosRoute("widget/start"), pos,
                Json(Location.StartBody("lane-2", target.Session.WidgetId)),
                [new("posLocationId", FieldKind.Id, Required: true), new("terminalId", FieldKind.Id, Required: true),
                    new("widgetId", FieldKind.PositiveInt, Required: true), new("couponId", FieldKind.Text)]);
            yield return new("POST widget/showQrCode", HttpMethod.Post, Location.PosRoute("widget/showQrCode"), pos, interaction,
                [.. interactionFields, new("profile.customerEmail", FieldKind.ProfileText), new("profile.customerPhone", FieldKind.ProfileText)]);
            var send = (JsonObject)interaction.DeepClone();
            send["consent"] = new JsonObject { ["marketing"] = true, ["text"] = "Yes, email me." };
            yield return new("POST widget/sendMessage", HttpMethod.Post, Location.PosRoute("widget/sendMessage"), pos, send,
                [.. interactionFields, new("channel", FieldKind.Id, Names: ["sms", "email"]), new("consent", FieldKind.Object), new("consent.marketing", FieldKind.Bool), new("consent.text", FieldKind.Text)]);
            yield return new("POST carousel", HttpMethod.Post, Location.PosRoute("carousel"), pos,
                new JsonObject { ["posLocationId"] = Location.LocationId, ["terminalId"] = "lane-1" },
                [new("posLocationId", FieldKind.Id, Required: true), new("terminalId", FieldKind.Id, Required: true)]);
            // Only the screen's own page may start (its X-Screen-Start token); the body is checked before self-start is.
            // Refused bodies only: a tolerated one would start a session on the sweep's lane once a settings probe turned
            // self-start on.
            yield return new("POST /t/{token}/start", HttpMethod.Post, $"/t/{target.TerminalScreenToken}/start", gateway.Anonymous(),
                new JsonObject { ["widgetId"] = target.Session.WidgetId }, [new("widgetId", FieldKind.PositiveInt, Required: true)],
                Headers: new Dictionary<string, string> { ["X-Screen-Start"] = target.StartToken }, RefusedOnly: true);
            yield return new("PUT settings", HttpMethod.Put, Location.AdminRoute("settings"), admin,
                new JsonObject
                {
                    ["name"] = "Sweep store",
                    ["timeZone"] = "UTC",
                    ["locale"] = "fr",
                    ["carouselSeconds"] = 10,
                    ["selfStart"] = true,
                    ["retentionDays"] = 30,
                    ["brand"] = new JsonObject { ["name"] = "Sweep", ["logoUrl"] = "/icons/demo/loyalty.svg", ["primaryColor"] = "#0B6E4F", ["backgroundColor"] = "#F7F5EF" },
                },
                [
                    new("name", FieldKind.Text), new("timeZone", FieldKind.Id), new("locale", FieldKind.Id), new("carouselSeconds", FieldKind.PositiveInt),
                    new("selfStart", FieldKind.Bool), new("retentionDays", FieldKind.PositiveInt), new("brand", FieldKind.Object), new("brand.name", FieldKind.Text),
                    new("brand.logoUrl", FieldKind.Id), new("brand.primaryColor", FieldKind.Id), new("brand.backgroundColor", FieldKind.Id),
                ]);
            JsonField[] widgetFields =
            [
                new("name", FieldKind.Text, Required: true), new("type", FieldKind.Id, Required: true, Names: Types), new("icon", FieldKind.Id),
                new("description", FieldKind.Text), new("contexts", FieldKind.List, Names: Contexts), new("channels", FieldKind.List, Names: ["qr", "sms", "email"]),
                new("timeoutSeconds", FieldKind.PositiveInt), new("status", FieldKind.Id, Names: ["active", "paused", "archived"]), new("startsAt", FieldKind.Id),
                new("sortOrder", FieldKind.Int),
                new("content", FieldKind.Object), new("content.headline", FieldKind.Text), new("content.body", FieldKind.Text),
                new("content.smsText", FieldKind.Text), new("content.emailSubject", FieldKind.Text), new("content.emailBody", FieldKind.Text),
                new("settings", FieldKind.Object), new("settings.couponPrefix", FieldKind.Id), new("settings.contestRules", FieldKind.Text),
            ];
            var draft = GatewayLocation.Draft("Swept");
            draft["startsAt"] = "2020-01-01T00:00:00Z";
            draft["status"] = "paused";
            draft["sortOrder"] = 5;
            draft["settings"] = new JsonObject { ["couponPrefix"] = "SWEEP", ["contestRules"] = "One entry." };
            yield return new("POST widgets", HttpMethod.Post, Location.AdminRoute("widgets"), admin, draft, widgetFields);
            yield return new("PUT widgets/{id}", HttpMethod.Put, Location.AdminRoute($"widgets/{target.Session.WidgetId}"), admin, draft, widgetFields);
            yield return new("PUT terminals/{id}", HttpMethod.Put, Location.AdminRoute("terminals/lane-7"), admin,
                new JsonObject { ["name"] = "Lane 7" }, [new("name", FieldKind.Text)], BodyOptional: true);
            // An address nobody used: the accepted probes (extra or repeated fields) erase nothing the snapshot holds.
            yield return new("POST privacy/erase", HttpMethod.Post, Location.AdminRoute("privacy/erase"), admin,
                new JsonObject { ["email"] = TrustSetup.Email("nobody"), ["phone"] = "+16502539999" },
                [new("email", FieldKind.Id), new("phone", FieldKind.Id)]);
            yield return new("POST clients", HttpMethod.Post, "/v2/admin/clients", admin,
                new JsonObject
                {
                    ["clientId"] = target.ClientId,
                    ["scopes"] = new JsonArray("pos_integration"),
                    ["locations"] = new JsonArray(new JsonObject { ["posSystemId"] = "pax", ["posLocationId"] = Location.LocationId }),
                },
                [new("clientId", FieldKind.Id, Required: true), new("scopes", FieldKind.List, Required: true), new("locations", FieldKind.List, Required: true),
                    new("locations[0].posSystemId", FieldKind.Id), new("locations[0].posLocationId", FieldKind.Id)]);
        }

        private IEnumerable<Probe> JsonProbes(JsonEndpoint e)
        {
            Probe Body(string what, byte[] body, bool mustRefuse, string mediaType = GatewayJson.Json) =>
                new(e.Name, what, mustRefuse, e.Client, () =>
                {
                    var content = new ByteArrayContent(body);
                    if (mediaType.Length > 0)
                    {
                        content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
                    }

                    var request = new HttpRequestMessage(e.Method, e.Url) { Content = content };
                    foreach (var (name, value) in e.Headers ?? new Dictionary<string, string>())
                    {
                        request.Headers.Add(name, value);
                    }

                    return request;
                });

            if (!refuse && e.RefusedOnly)
            {
                yield break;
            }

            if (!refuse)
            {
                yield return Body("extra fields", JsonBodies.WithExtras(e.Template), false);
                yield return Body("duplicate field", Hostile.Utf8(e.Template.ToJsonString().Insert(1, "\"x\":1,\"x\":2,")), false);
                foreach (var field in e.Fields.Where(f => f.Kind is FieldKind.Text or FieldKind.ProfileText))
                {
                    foreach (var (name, value) in Hostile.Texts.Where(t => field.Kind == FieldKind.Text || !t.Name.StartsWith("control characters", StringComparison.Ordinal)))
                    {
                        yield return Body($"{field.Path}: {name}", JsonBodies.With(e.Template, field.Path, Hostile.Token(value)), false);
                    }
                }

                foreach (var field in e.Fields.Where(f => f.Kind == FieldKind.Int))
                {
                    foreach (var number in new[] { "-1", "0", "2147483647", "-2147483648" })
                    {
                        yield return Body($"{field.Path}: {number}", JsonBodies.With(e.Template, field.Path, number), false);
                    }
                }

                yield break;
            }

            foreach (var (name, bytes) in Hostile.MalformedBodies.Where(b => !(b.Bytes.Length == 0 && e.BodyOptional)))
            {
                yield return Body(name, bytes, true);
            }

            foreach (var mediaType in new[] { "text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x", "" })
            {
                yield return Body($"media type '{mediaType}'", Hostile.Utf8(e.Template.ToJsonString()), true, mediaType);
            }

            if (e.Fields.Any(f => f.Required))
            {
                yield return Body("empty object", Hostile.Utf8("{}"), true);
            }

            foreach (var field in e.Fields)
            {
                if (field.Required)
                {
                    yield return Body($"{field.Path}: missing", JsonBodies.Without(e.Template, field.Path), true);
                    yield return Body($"{field.Path}: null", JsonBodies.With(e.Template, field.Path, "null"), true);
                }

                foreach (var token in WrongTypes(field.Kind))
                {
                    yield return Body($"{field.Path}: {token}", JsonBodies.With(e.Template, field.Path, token), true);
                }

                yield return Body($"{field.Path}: 1 MB", JsonBodies.With(e.Template, field.Path, Hostile.Token(Hostile.OneMegabyte)), true);
                foreach (var joined in CommaJoined(field.Names ?? []))
                {
                    var token = Hostile.Token(joined);
                    yield return Body($"{field.Path}: \"{joined}\"", JsonBodies.With(e.Template, field.Path, field.Kind == FieldKind.List ? $"[{token}]" : token), true);
                }

                if (field.Kind is FieldKind.Id or FieldKind.Text or FieldKind.ProfileText)
                {
                    foreach (var (name, token) in Hostile.InvalidStrings)
                    {
                        yield return Body($"{field.Path}: {name}", JsonBodies.With(e.Template, field.Path, token), true);
                    }
                }

                var refusedTexts = field.Kind switch
                {
                    FieldKind.Id => Hostile.Texts,
                    FieldKind.ProfileText => Hostile.Texts.Where(t => t.Name.StartsWith("control characters", StringComparison.Ordinal)),
                    _ => [],
                };
                foreach (var (name, value) in refusedTexts)
                {
                    if (name is "empty" or "whitespace" && !field.Required)
                    {
                        continue;
                    }

                    yield return Body($"{field.Path}: {name}", JsonBodies.With(e.Template, field.Path, Hostile.Token(value)), true);
                }
            }
        }

        /// <summary>Every two names of a closed set joined by a comma, and one with a space after the comma.</summary>
        private static IEnumerable<string> CommaJoined(string[] names)
        {
            for (var i = 0; i < names.Length; i++)
            {
                for (var j = i + 1; j < names.Length; j++)
                {
                    yield return $"{names[i]},{names[j]}";
                }
            }

            if (names.Length > 1)
            {
                yield return $"{names[0]}, {names[1]}";
            }
        }

        private static IEnumerable<string> WrongTypes(FieldKind kind) => kind switch
        {
            FieldKind.PositiveInt => [.. Hostile.Numbers, "true", "[]", "{}"],
            FieldKind.Int => [.. Hostile.Numbers.Where(n => n is not ("-1" or "0")), "true", "[]", "{}"],
            FieldKind.Bool => ["\"yes\"", "\"true\"", "1", "[]", "{}"],
            FieldKind.Object => ["123", "\"text\"", "[]", "true"],
            FieldKind.List => ["\"pos_integration\"", "123", "{}", "[123]", "[null]", "[\"no-such-value\"]", "[{}]"],
            _ => ["123", "-1", "1e309", "true", "[]", "{}"],
        };

        /// <summary>Hostile ids in the path and query of every route, and wrong methods.</summary>
        private IEnumerable<Probe> RouteProbes()
        {
            if (!refuse)
            {
                yield break;
            }

            var pos = Location.Pos;
            var admin = target.Admin;
            var anonymous = gateway.Anonymous();
            // Strings no id can be; numbers are refused where an id is a number (widgets, sessions), not where any token is a valid id.
            var texts = Hostile.Texts.Where(t => t.Name is not ("empty" or "whitespace")).Select(t => (t.Name, Value: t.Value, Number: false))
                .Append(("5 KB id", new string('a', 5 * 1024), false))
                .Append(("encoded slash", "a/../b", false));
            var numbers = Hostile.Numbers.Where(n => n != "\"\"").Select(n => ($"number {n}", n.Trim('"'), true));
            var list = Json(new { posLocationId = Location.LocationId }).ToJsonString();
            foreach (var (name, raw, number) in texts.Concat(numbers))
            {
                var x = Uri.EscapeDataString(raw);
                yield return new("GET widgets/{widgetId}", name, true, admin, () => Get(Location.AdminRoute($"widgets/{x}")));
                yield return new("PUT widgets/{widgetId}", name, true, admin, () => Put(Location.AdminRoute($"widgets/{x}"), GatewayLocation.Draft("Never")));
                yield return new("DELETE widgets/{widgetId}", name, true, admin, () => new HttpRequestMessage(HttpMethod.Delete, Location.AdminRoute($"widgets/{x}")));
                yield return new("GET /v2/pos/{pos}/widget/sessions/{sessionId}", name, true, pos, () => Get(Location.PosRoute($"widget/sessions/{x}")));
                yield return new("POST /v2/pos/{pos}/widget/sessions/{sessionId}/cancel", name, true, pos, () => Post(Location.PosRoute($"widget/sessions/{x}/cancel"), null));
                yield return new("DELETE /v2/admin/clients/{clientId}", name, true, admin, () => new HttpRequestMessage(HttpMethod.Delete, $"/v2/admin/clients/{x}"));
                yield return new("GET stats?from=", name, true, admin, () => Get(Location.AdminRoute($"stats?from={x}")));
                yield return new("GET stats?to=", name, true, admin, () => Get(Location.AdminRoute($"stats?to={x}")));
                yield return new("GET stats?format=", name, true, admin, () => Get(Location.AdminRoute($"stats?format={x}")));
                yield return new("GET conversions?from=", name, true, admin, () => Get(Location.AdminRoute($"conversions?from={x}")));
                yield return new("GET conversions?to=", name, true, admin, () => Get(Location.AdminRoute($"conversions?to={x}")));
                if (raw != "0")
                {
                    yield return new("GET stats?widgetId=", name, true, admin, () => Get(Location.AdminRoute($"stats?widgetId={x}")));
                }

                foreach (var page in new[] { "/s/{0}", "/s/{0}/state", "/s/{0}/events", "/s/{0}/qr.png", "/s/{0}/qr.svg", "/w/{0}", "/u/{0}", "/t/{0}", "/icons/demo/{0}.svg" })
                {
                    yield return new($"GET {string.Format(System.Globalization.CultureInfo.InvariantCulture, page, "{token}")}", name, true, anonymous,
                        () => Get(string.Format(System.Globalization.CultureInfo.InvariantCulture, page, x)), Html: true);
                }

                yield return new("POST /w/{token}", name, true, anonymous, () => Post($"/w/{x}", Form(("firstName", "Eve"))), Html: true);
                yield return new("POST /u/{token}", name, true, anonymous, () => Post($"/u/{x}", Form(("List-Unsubscribe", "One-Click"))), Html: true);
                yield return new("POST /t/{token}/start", name, true, anonymous, () => Post($"/t/{x}/start", Json(new { widgetId = target.Session.WidgetId })));
                // A screen whose link is not (or no longer) valid is told so on its own stream, which it understands: the
                // "unpaired" event, never the terminal's state.
                yield return new("GET /t/{token}/events", name, false, anonymous, () => Get($"/t/{x}/events"));
                if (number)
                {
                    continue;
                }

                yield return new("POST /v2/pos/{posSystemId}/widgets/list", name, true, pos, () => Post($"/v2/pos/{x}/widgets/list", list));
                yield return new("GET /v2/pos/{posSystemId}/widget/sessions/{sessionId}", name, true, pos, () => Get($"/v2/pos/{x}/widget/sessions/{target.Session.SessionId}"));
                yield return new("GET /v2/pos/{pos}/terminals/{terminalId}/events", name, true, pos, () => Get(Location.PosRoute($"terminals/{x}/events?posLocationId={Location.LocationId}")));
                yield return new("GET /v2/pos/{pos}/terminals/{terminalId}/events?posLocationId=", name, true, pos, () => Get(Location.PosRoute($"terminals/lane-1/events?posLocationId={x}")));
                yield return new("GET /v2/admin/pos/{posSystemId}/locations/{posLocationId}/widgets", name, true, admin, () => Get($"/v2/admin/pos/{x}/locations/{Location.LocationId}/widgets"));
                yield return new("GET /v2/admin/pos/{pos}/locations/{posLocationId}/settings", name, true, admin, () => Get($"/v2/admin/pos/pax/locations/{x}/settings"));
                yield return new("PUT /v2/admin/pos/{pos}/locations/{posLocationId}/settings", name, true, admin, () => Put($"/v2/admin/pos/pax/locations/{x}/settings", Json(new { timeZone = "UTC" })));
                yield return new("GET /v2/admin/.../terminals of {posLocationId}", name, true, admin, () => Get($"/v2/admin/pos/pax/locations/{x}/terminals"));
                yield return new("GET terminals/{terminalId}", name, true, admin, () => Get(Location.AdminRoute($"terminals/{x}")));
                yield return new("PUT terminals/{terminalId}", name, true, admin, () => Put(Location.AdminRoute($"terminals/{x}"), Json(new { name = "Never" })));
                yield return new("DELETE terminals/{terminalId}", name, true, admin, () => new HttpRequestMessage(HttpMethod.Delete, Location.AdminRoute($"terminals/{x}")));
                yield return new("POST terminals/{terminalId}/screen/revoke", name, true, admin, () => Post(Location.AdminRoute($"terminals/{x}/screen/revoke"), null));
            }

            // The terminal's screen link with its signature changed: not paired, and nothing starts.
            var screenToken = target.TerminalScreenToken;
            var at = screenToken[screenToken.Length / 2] == '.' ? screenToken.Length / 2 + 1 : screenToken.Length / 2;
            var tampered = screenToken[..at] + (screenToken[at] == 'A' ? 'B' : 'A') + screenToken[(at + 1)..];
            yield return new("GET /t/{token}", "tampered signature", true, anonymous, () => Get($"/t/{tampered}"), Html: true);
            yield return new("POST /t/{token}/start", "tampered signature", true, anonymous, () =>
            {
                var request = Post($"/t/{tampered}/start", Json(new { widgetId = target.Session.WidgetId }));
                request.Headers.Add("X-Screen-Start", target.StartToken);
                return request;
            });
            yield return new("POST /t/{token}/start", "no X-Screen-Start", true, anonymous, () => Post($"/t/{screenToken}/start", Json(new { widgetId = target.Session.WidgetId })));
            yield return new("POST /t/{token}/start", "from another site", true, anonymous, () =>
            {
                var request = Post($"/t/{screenToken}/start", Json(new { widgetId = target.Session.WidgetId }));
                request.Headers.Add("X-Screen-Start", target.StartToken);
                request.Headers.Add("Sec-Fetch-Site", "cross-site");
                return request;
            });

            // Customer link tokens with a valid signature's neighbours: the expiry as an overflowing or negative number.
            var parts = target.LandingToken.Split('.');
            foreach (var expiry in new[] { "99999999999999999999999", "-1", "0", "1e10" })
            {
                var token = $"{parts[0]}.{expiry}.{parts[2]}";
                yield return new("GET /w/{token}", $"expiry {expiry}", true, anonymous, () => Get($"/w/{token}"), Html: true);
                yield return new("GET /s/{token}", $"expiry {expiry}", true, anonymous, () => Get($"/s/{token}"), Html: true);
            }

            foreach (var ifMatch in new[] { "\"v999\"", "W/\"v1x\"", "garbage", "\"v-1\"", "\"v2147483648\"", "\"" + Hostile.Script + "\"" })
            {
                yield return new("PUT widgets/{widgetId}", $"If-Match {ifMatch}", true, admin, () =>
                {
                    var request = Put(Location.AdminRoute($"widgets/{target.Session.WidgetId}"), GatewayLocation.Draft("Never"));
                    request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
                    return request;
                });
            }

            yield return new("GET stats", "range over 92 days", true, admin, () => Get(Location.AdminRoute("stats?from=2020-01-01&to=2026-01-01")));
            yield return new("GET stats", "to before from", true, admin, () => Get(Location.AdminRoute("stats?from=2026-01-02&to=2026-01-01")));

            // Wrong methods on every route.
            foreach (var (route, path, client) in new[]
            {
                ("widgets/list", Location.PosRoute("widgets/list"), pos), ("widget/start", Location.PosRoute("widget/start"), pos),
                ("widget/showQrCode", Location.PosRoute("widget/showQrCode"), pos), ("widget/sendMessage", Location.PosRoute("widget/sendMessage"), pos),
                ("widget/sessions/{id}", Location.PosRoute($"widget/sessions/{target.Session.SessionId}"), pos),
                ("widget/sessions/{id}/cancel", Location.PosRoute($"widget/sessions/{target.Session.SessionId}/cancel"), pos),
                ("widgets", Location.AdminRoute("widgets"), admin), ("widgets/{id}", Location.AdminRoute($"widgets/{target.Session.WidgetId}"), admin),
                ("terminals/{id}", Location.AdminRoute("terminals/lane-1"), admin), ("stats", Location.AdminRoute("stats"), admin),
                ("conversions", Location.AdminRoute("conversions"), admin), ("/v2/admin/clients", "/v2/admin/clients", admin), ("/connect/token", "/connect/token", anonymous),
                ("/s/{token}", $"/s/{target.ScreenToken}", anonymous), ("/w/{token}", $"/w/{target.LandingToken}", anonymous),
                ("/webhooks/twilio/sms", "/webhooks/twilio/sms", anonymous), ("/healthz", "/healthz", anonymous),
                ("carousel", Location.PosRoute("carousel"), pos), ("terminals/{id}/screen/revoke", Location.AdminRoute("terminals/lane-1/screen/revoke"), admin),
                ("/t/{token}", $"/t/{target.TerminalScreenToken}", anonymous), ("/t/{token}/start", $"/t/{target.TerminalScreenToken}/start", anonymous),
            })
            {
                yield return new($"PATCH {route}", "wrong method", true, client, () => new HttpRequestMessage(HttpMethod.Patch, path) { Content = GatewayJson.Body(new { }) });
            }
        }

        /// <summary><c>POST /connect/token</c>: form fields, Basic headers and bodies an attacker would try.</summary>
        private IEnumerable<Probe> TokenProbes()
        {
            var anonymous = gateway.Anonymous();
            const string Endpoint = "POST /connect/token";
            Probe Token(string what, bool mustRefuse, HttpContent content, string? authorization = "valid")
            {
                var body = Bytes(content);
                return new(Endpoint, what, mustRefuse, anonymous, () =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = body() };
                    if (authorization == "valid")
                    {
                        request.Headers.Authorization = Basic(GatewayFixture.PosClientId, GatewayFixture.PosClientSecret);
                    }
                    else if (authorization is not null)
                    {
                        request.Headers.TryAddWithoutValidation("Authorization", authorization);
                    }

                    return request;
                });
            }

            if (!refuse)
            {
                yield return Token("extra fields", false, Form(("grant_type", "client_credentials"), ("scope", "pos_integration"), ("extra", Hostile.Script), ("audience", "evil")));
                foreach (var (name, value) in Hostile.Texts)
                {
                    yield return Token($"unknown field holding {name}", false, Form(("grant_type", "client_credentials"), ("x", value)));
                }

                yield break;
            }

            foreach (var (name, value) in Hostile.Texts.Append(("1 KB", new string('a', 1024))))
            {
                yield return Token($"grant_type: {name}", true, Form(("grant_type", value), ("scope", "pos_integration")));
                yield return Token($"scope: {name}", true, Form(("grant_type", "client_credentials"), ("scope", value + " widgets_admin")));
                yield return Token($"client_id: {name}", true, Form(("grant_type", "client_credentials"), ("client_id", value), ("client_secret", "x")), authorization: null);
                yield return Token($"client_secret: {name}", true, Form(("grant_type", "client_credentials"), ("client_id", GatewayFixture.PosClientId), ("client_secret", value)), authorization: null);
                yield return Token($"Basic id: {name}", true, Form(("grant_type", "client_credentials")), Basic(value, "secret").ToString());
                yield return Token($"Basic secret: {name}", true, Form(("grant_type", "client_credentials")), Basic(GatewayFixture.PosClientId, value).ToString());
            }

            yield return Token("grant_type twice", true, Form(("grant_type", "client_credentials"), ("grant_type", "password")));
            yield return Token("missing grant_type", true, Form(("scope", "pos_integration")));
            yield return Token("admin scope for a POS client", true, Form(("grant_type", "client_credentials"), ("scope", "widgets_admin")));
            yield return Token("JSON body", true, GatewayJson.Body(new { grant_type = "client_credentials" }));
            yield return Token("no body", true, new ByteArrayContent([]));
            yield return Token("malformed form", true, Raw("%%%=&&=%zz&grant_type", "application/x-www-form-urlencoded"));
            yield return Token("invalid UTF-8 form", true, new ByteArrayContent([0x67, 0x3D, 0xC3, 0x28, 0xFF]) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") } });
            yield return Token("1500 fields", true, Raw(string.Join("&", Enumerable.Range(0, 1500).Select(i => $"f{i}=1")), "application/x-www-form-urlencoded"));
            yield return Token("a 3000-character field name", true, Raw($"{new string('k', 3000)}=1&grant_type=client_credentials", "application/x-www-form-urlencoded"));
            yield return Token("1 MB form", true, Raw($"grant_type=client_credentials&x={Hostile.OneMegabyte}", "application/x-www-form-urlencoded"));
            foreach (var header in new[] { "Basic", "Basic !!!!", "Basic " + Convert.ToBase64String(Hostile.Utf8("no-colon")), "Basic " + Convert.ToBase64String(Hostile.Utf8(":")),
                "Basic " + Convert.ToBase64String(Hostile.Utf8("%ZZ:%ZZ")), "Basic " + new string('A', 8000), "Bearer x", "Digest x" })
            {
                yield return Token($"Authorization '{(header.Length > 40 ? header[..40] + "…" : header)}'", true, Form(("grant_type", "client_credentials")), header);
            }
        }

        /// <summary>The landing form of the session, posted by the phone that holds its CSRF cookie: never a conversion, as consent is never ticked.</summary>
        private IEnumerable<Probe> LandingFormProbes()
        {
            if (!refuse)
            {
                yield break;
            }

            const string Endpoint = "POST /w/{token} (form)";
            var url = $"/w/{target.LandingToken}";
            Probe Landing(string what, HttpContent content)
            {
                var body = Bytes(content);
                return new(Endpoint, what, true, target.Phone, () => new HttpRequestMessage(HttpMethod.Post, url) { Content = body() }, Html: true);
            }

            foreach (var field in new[] { "firstName", "lastName", "email", "phone", "consent", "answers.q1", "csrf" })
            {
                foreach (var (name, value) in Hostile.Texts.Append(("1 MB", Hostile.OneMegabyte)))
                {
                    var fields = new List<(string, string)> { ("csrf", target.Csrf), ("firstName", "Eve"), ("email", "eve@example.com") };
                    fields.RemoveAll(f => f.Item1 == field);
                    fields.Add((field, value));
                    yield return Landing($"{field}: {name}", Form([.. fields]));
                }
            }

            yield return Landing("JSON body", GatewayJson.Body(new { csrf = target.Csrf, firstName = "Eve", consent = "yes" }));
            yield return Landing("text/plain body", Raw("csrf=x", "text/plain"));
            yield return Landing("no content type", new ByteArrayContent(Hostile.Utf8("csrf=x")));
            yield return Landing("malformed form", Raw("%%%=&&=%zz&csrf", "application/x-www-form-urlencoded"));
            yield return Landing("100 fields", Raw(string.Join("&", Enumerable.Range(0, 100).Select(i => $"f{i}=1")), "application/x-www-form-urlencoded"));
            yield return Landing("a 200-character field name", Raw($"{new string('k', 200)}=1&csrf={target.Csrf}", "application/x-www-form-urlencoded"));
            yield return Landing("invalid UTF-8", new ByteArrayContent([0x61, 0x3D, 0xC3, 0x28, 0xFF]) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") } });
            yield return Landing("17 KB form", Form(("csrf", target.Csrf), ("firstName", new string('a', 17 * 1024))));
        }

        /// <summary>Twilio's webhooks: refused unless signed; signed hostile fields change nothing.</summary>
        private IEnumerable<Probe> WebhookProbes()
        {
            var anonymous = gateway.Anonymous();
            var sms = new Uri(gateway.BaseAddress, "/webhooks/twilio/sms");
            var status = new Uri(gateway.BaseAddress, $"/webhooks/twilio/status/{target.Session.SessionId}/{target.SmsMessageId}");
            Probe Hook(string endpoint, string what, bool mustRefuse, Uri url, Dictionary<string, string> fields, bool signed) =>
                new(endpoint, what, mustRefuse, anonymous, () => TrustSetup.Signed(url, fields, signed ? null : (_, _) => "AAAA"));

            foreach (var (name, value) in Hostile.Texts.Append(("1 KB", new string('a', 1024))))
            {
                var reply = new Dictionary<string, string> { ["From"] = target.ControlPhone, ["Body"] = "STOP " + value, ["To"] = FakeTwilio.From };
                var fromHostile = new Dictionary<string, string> { ["From"] = value, ["Body"] = "STOP", ["To"] = FakeTwilio.From };
                var update = new Dictionary<string, string> { ["MessageStatus"] = value, ["ErrorCode"] = value, ["MessageSid"] = value };
                var failed = new Dictionary<string, string> { ["MessageStatus"] = "failed", ["ErrorCode"] = value };
                if (refuse)
                {
                    yield return Hook("POST /webhooks/twilio/sms", $"unsigned STOP with Body: {name}", true, sms, reply, signed: false);
                    yield return Hook("POST /webhooks/twilio/status/{sessionId}/{messageId}", $"unsigned failed with ErrorCode: {name}", true, status, failed, signed: false);
                    var x = Uri.EscapeDataString(value.Length == 0 ? "%" : value);
                    yield return Hook("POST /webhooks/twilio/status/{sessionId}/{messageId}", $"unsigned, ids: {name}", true,
                        new Uri(gateway.BaseAddress, $"/webhooks/twilio/status/{x}/{x}"), failed, signed: false);
                }
                else
                {
                    yield return Hook("POST /webhooks/twilio/sms", $"signed, From: {name}", false, sms, fromHostile, signed: true);
                    yield return Hook("POST /webhooks/twilio/sms", $"signed, Body: {name}", false, sms, new() { ["From"] = target.SmsPhone, ["Body"] = value }, signed: true);
                    yield return Hook("POST /webhooks/twilio/status/{sessionId}/{messageId}", $"signed, status: {name}", false, status, update, signed: true);
                    var x = Uri.EscapeDataString(value.Length == 0 ? "%" : value);
                    var elsewhere = new Uri(gateway.BaseAddress, $"/webhooks/twilio/status/{x}/{NoSuchSession}");
                    yield return Hook("POST /webhooks/twilio/status/{sessionId}/{messageId}", $"signed, ids: {name}", false, elsewhere, failed, signed: true);
                }
            }

            if (!refuse)
            {
                yield break;
            }

            foreach (var url in new[] { sms, status })
            {
                var endpoint = url == sms ? "POST /webhooks/twilio/sms" : "POST /webhooks/twilio/status/{sessionId}/{messageId}";
                yield return new(endpoint, "JSON body", true, anonymous, () => new HttpRequestMessage(HttpMethod.Post, url) { Content = GatewayJson.Body(new { From = target.ControlPhone, Body = "STOP" }) });
                yield return new(endpoint, "no body", true, anonymous, () => new HttpRequestMessage(HttpMethod.Post, url));
                yield return new(endpoint, "17 KB form", true, anonymous, () => TrustSetup.Signed(url, new() { ["From"] = target.ControlPhone, ["Body"] = "STOP " + new string('a', 17 * 1024) }));
                yield return new(endpoint, "1500 fields", true, anonymous, () => new HttpRequestMessage(HttpMethod.Post, url)
                {
                    Content = Raw(string.Join("&", Enumerable.Range(0, 1500).Select(i => $"f{i}=1")), "application/x-www-form-urlencoded"),
                });
                yield return new(endpoint, "a 3000-character field name", true, anonymous, () => new HttpRequestMessage(HttpMethod.Post, url)
                {
                    Content = Raw($"{new string('k', 3000)}=1&Body=STOP", "application/x-www-form-urlencoded"),
                });
                yield return new(endpoint, "malformed form", true, anonymous, () => new HttpRequestMessage(HttpMethod.Post, url) { Content = Raw("%%%=&&=%zz", "application/x-www-form-urlencoded") });
            }
        }

        /// <summary>The unsubscribe page of a real link, the screens, health, readiness, metrics, OpenAPI, static assets and the dashboard.</summary>
        private IEnumerable<Probe> OperationsProbes()
        {
            var anonymous = gateway.Anonymous();
            foreach (var (name, value) in Hostile.Texts)
            {
                var q = Uri.EscapeDataString(value);
                if (refuse)
                {
                    yield return new("GET /dashboard", name, true, anonymous, () => Get($"/dashboard/{q}"));
                }
                else
                {
                    yield return new("GET /healthz", name, false, anonymous, () => Get($"/healthz?x={q}"));
                    yield return new("GET /readyz", name, false, anonymous, () => Get($"/readyz?x={q}"));
                    yield return new("GET /openapi/v1.json", name, false, anonymous, () => Get($"/openapi/v1.json?x={q}"));
                    yield return new("GET /u/{token}", name, false, anonymous, () => Get($"{target.Unsubscribe.AbsolutePath}?x={q}"), Html: true);
                    yield return new("GET /s/{token}", name, false, anonymous, () => Get($"/s/{target.ScreenToken}?x={q}"), Html: true);
                    yield return new("GET /s/{token}/state", name, false, anonymous, () => Get($"/s/{target.ScreenToken}/state?x={q}"));
                    yield return new("GET /s/{token}/qr.svg", name, false, anonymous, () => Get($"/s/{target.ScreenToken}/qr.svg?x={q}"));
                    yield return new("GET /s/{token}/qr.png", name, false, anonymous, () => Get($"/s/{target.ScreenToken}/qr.png?x={q}"));
                    yield return new("GET /s/{token}/events", name, false, anonymous, () => Get($"/s/{target.ScreenToken}/events?x={q}"));
                    yield return new("GET /t/{token}", name, false, anonymous, () => Get($"/t/{target.TerminalScreenToken}?x={q}"), Html: true);
                    yield return new("GET /t/{token}/events", name, false, anonymous, () => Get($"/t/{target.TerminalScreenToken}/events?idle={q}"));
                    yield return new("GET /metrics", name, false, anonymous, () => Get($"/metrics?x={q}"));
                    yield return new("GET /screen/screen.js", name, false, anonymous, () => Get($"/screen/screen.js?x={q}"));
                    yield return new("GET /icons/demo/{name}.svg", name, false, anonymous, () => Get($"/icons/demo/loyalty.svg?x={q}"));
                    yield return new("GET /w/{token}", name, false, target.Phone, () => Get($"/w/{target.LandingToken}?x={q}"), Html: true);
                    yield return new("GET /v2/admin/clients", name, false, target.Admin, () => Get($"/v2/admin/clients?x={q}"));
                    yield return new("GET widgets", name, false, target.Admin, () => Get(Location.AdminRoute($"widgets?x={q}")));
                }
            }

            if (refuse)
            {
                yield return new("GET /dashboard", "no credential", true, anonymous, () => Get("/dashboard/"));
            }

            // Every route of Orleans' dashboard and of Scalar's API reference, as the gateway maps them (their packages
            // choose them): the dashboard answers nobody without the admin credential; the reference is public.
            foreach (var route in new GatewayRoutes(gateway.Endpoints).All)
            {
                var path = RouteParameter().Replace(route.Template, p => p.Value.Contains(":int", StringComparison.Ordinal) ? "1" : "x");
                if (refuse && route.Template.StartsWith("/dashboard/", StringComparison.Ordinal))
                {
                    yield return new($"{route.Method} {route.Template}", "no credential", true, anonymous, () => new HttpRequestMessage(new HttpMethod(route.Method), path));
                }
                else if (!refuse && route.Template.StartsWith("/scalar/", StringComparison.Ordinal))
                {
                    yield return new($"{route.Method} {route.Template}", "query", false, anonymous, () => new HttpRequestMessage(new HttpMethod(route.Method), $"{path}?x=%3Cscript%3E"));
                }
            }
        }

        [System.Text.RegularExpressions.GeneratedRegex(@"\{[^}]*\}")]
        private static partial System.Text.RegularExpressions.Regex RouteParameter();

        private static JsonObject Json(object body) => System.Text.Json.JsonSerializer.SerializeToNode(body, System.Text.Json.JsonSerializerOptions.Web)!.AsObject();

        private static HttpRequestMessage Get(string url) => new(HttpMethod.Get, url);

        private static HttpRequestMessage Post(string url, object? body) => new(HttpMethod.Post, url) { Content = Content(body) };

        private static HttpRequestMessage Put(string url, object body) => new(HttpMethod.Put, url) { Content = Content(body) };

        private static HttpContent? Content(object? body) => body switch
        {
            null => null,
            HttpContent content => content,
            string json => GatewayJson.Raw(json, GatewayJson.Json),
            JsonNode node => GatewayJson.Raw(node.ToJsonString(), GatewayJson.Json),
            _ => GatewayJson.Body(body),
        };

        private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
            new(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));

        private static ByteArrayContent Raw(string body, string mediaType)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
            return content;
        }

        /// <summary>
        /// Reads <paramref name="content"/> once (while the probes are listed) and makes a fresh copy of it for each
        /// request: a request owns and disposes its content, and probes are sent concurrently.
        /// </summary>
        private static Func<HttpContent> Bytes(HttpContent content)
        {
            using (content)
            {
                var bytes = content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
                var type = content.Headers.ContentType?.ToString();
                return () =>
                {
                    var copy = new ByteArrayContent(bytes);
                    if (type is not null)
                    {
                        copy.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
                    }

                    return copy;
                };
            }
        }

        private static AuthenticationHeaderValue Basic(string id, string secret) =>
            new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(id)}:{Uri.EscapeDataString(secret)}")));
    }
}
