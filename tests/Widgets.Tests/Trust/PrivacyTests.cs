using System.Net;
using System.Text.Json.Nodes;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Issue 13 point 12, erasure: <c>POST …/privacy/erase</c> removes one person's email, phone, names and answers from
/// the location's conversions, sessions (active and ended), messages and contest ledger, and from the database file
/// itself; another person's data, the funnel counts and the person's opt-out stay; a second call erases nothing; bad
/// input is a 4xx problem and erases nothing.
/// </summary>
[Collection(TrustCollection.Name)]
public sealed class PrivacyTests(TrustFixture gateway)
{
    private const string ContestRules = "One entry per person.";

    [Fact]
    public async Task Erasing_a_person_leaves_their_email_phone_names_and_answers_nowhere_and_keeps_counts_others_and_their_opt_out()
    {
        var location = await gateway.CreateLocationAsync("pax", "lane-1", "lane-2", "lane-3");
        var contest = (await location.CreateWidget(Draft("contestEntry"))).Int("id");
        var survey = (await location.CreateWidget(Draft("survey"))).Int("id");
        var ada = Person.New("Adaerase");
        var bob = Person.New("Boberase");

        // Ada: a contest entry (after an email and an SMS), a survey with an answer only she gave, an active session.
        var entered = await location.ShowQrCode(contest, "lane-1", ada.Profile);
        await SendBoth(location, entered, ada);
        await Submit(entered, new() { ["email"] = ada.Email, ["acceptRules"] = "yes" });
        var surveyed = await location.ShowQrCode(survey, "lane-2", ada.Profile);
        await Submit(surveyed, new() { ["answers.overall"] = "2", ["answers.comment"] = ada.Answer });
        var active = await location.ShowQrCode(contest, "lane-3", ada.Profile);

        // Bob, the control: the same widgets, his own details.
        var bobs = await location.ShowQrCode(survey, "lane-2", bob.Profile);
        await SendBoth(location, bobs, bob);
        await Submit(bobs, new() { ["answers.overall"] = "5", ["answers.comment"] = bob.Answer });

        // Ada texted STOP before she asked to be forgotten.
        using (var stop = await gateway.SmsReply(ada.Phone, "STOP"))
        {
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        }

        var counts = await StatsWhen(location, s => Total(s, "converted") == 3 && Total(s, "messagesSent") == 4);
        Assert.True(StoredState.FilesContain(gateway.DataDirectory, ada.Email), "The test's check of the database file cannot find what it looks for.");

        var erased = await Erase(location, new { email = ada.Email.ToUpperInvariant(), phone = ada.Phone });

        Assert.Equal(2, erased.Int("conversions"));
        Assert.Equal(3, erased.Int("sessions"));
        Assert.Equal(2, erased.Int("messages"));
        Assert.Equal(1, erased.Int("ledgerEntries"));

        // Nowhere an operator, the POS or the database file could show it.
        var conversions = await location.Conversions();
        Assert.Equal(3, conversions.Count);
        var adas = conversions.Where(c => c!.Text("sessionId") != bobs.SessionId).ToList();
        Assert.All(adas, c => Assert.NotNull(c!["erasedAt"]));
        foreach (var shown in new[] { entered, surveyed, active })
        {
            var session = (await location.Session(shown.SessionId)).ToJsonString();
            Assert.True(ada.NotIn(session), $"Session {shown.SessionId} still shows Ada: {session}");
        }

        Assert.True(ada.NotIn(conversions.ToJsonString()), $"The conversions still show Ada: {conversions.ToJsonString()}");
        using (var csv = await location.Admin.GetAsync(location.AdminRoute("stats?format=csv")))
        {
            Assert.True(ada.NotIn(await csv.Content.ReadAsStringAsync()));
        }

        foreach (var value in ada.Values)
        {
            Assert.False(StoredState.FilesContain(gateway.DataDirectory, value), $"The database files still hold '{value}'.");
        }

        Assert.DoesNotContain(gateway.Logs.Lines, line => !ada.NotIn(line));

        // Bob and the counts stay.
        var bobsConversion = Assert.Single(conversions, c => c!.Text("sessionId") == bobs.SessionId)!;
        Assert.Equal(bob.Answer, bobsConversion["answers"]!.Text("comment"));
        Assert.Null(bobsConversion["erasedAt"]);
        foreach (var value in bob.Values)
        {
            Assert.True(StoredState.FilesContain(gateway.DataDirectory, value), $"Bob's '{value}' was erased with Ada's.");
        }
        Assert.Equal(counts, await Stats(location));

        // Her opt-out stays: an SMS to her number is still suppressed.
        var next = await location.StartSession("lane-1", contest);
        var sms = await next.SendOne("sms", ada.Phone);
        Assert.Equal("suppressed", sms.Text("status"));
        Assert.Equal("optedOut", sms.Text("reason"));

        // Her contest entry is gone with her: she may enter again.
        var again = await location.ShowQrCode(contest, "lane-2", ada.Profile);
        await Submit(again, new() { ["email"] = ada.Email, ["acceptRules"] = "yes" });

        // A second erasure finds nothing more of what was erased (the new session and entry are new data).
        var repeated = await Erase(location, new { email = ada.Email });
        Assert.Equal(1, repeated.Int("conversions"));
        Assert.Equal(0, (await Erase(location, new { email = ada.Email, phone = ada.Phone })).Int("conversions"));
    }

    [Fact]
    public async Task Erasing_twice_answers_200_with_zeros()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var ada = Person.New("Twice");
        var shown = await location.ShowQrCode(widgetId, "lane-1", ada.Profile);
        await StatsWhen(location, s => Total(s, "qrShown") == 1);

        var first = await Erase(location, new { email = ada.Email });
        var second = await Erase(location, new { email = ada.Email });

        Assert.Equal(1, first.Int("sessions"));
        Assert.Equal(["conversions", "ledgerEntries", "messages", "sessions"], second.Keys());
        Assert.All(second.AsObject(), p => Assert.Equal(0, p.Value!.GetValue<int>()));
        Assert.True(ada.NotIn((await location.Session(shown.SessionId)).ToJsonString()));
    }

    [Fact]
    public async Task Phone_typed_on_the_landing_page_in_national_form_is_found_by_its_E164_number()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var ada = Person.New("National");
        var national = $"({ada.Phone[2..5]}) {ada.Phone[5..8]}-{ada.Phone[8..]}";
        var shown = await location.ShowQrCode(widgetId, "lane-1", CustomerLinks.Profile("Someone"));
        await Submit(shown, new() { ["firstName"] = ada.FirstName, ["phone"] = national, ["consent"] = "yes" });
        await StatsWhen(location, s => Total(s, "converted") == 1);

        var erased = await Erase(location, new { phone = ada.Phone });

        Assert.Equal(1, erased.Int("conversions"));
        var conversion = Assert.Single(await location.Conversions())!;
        Assert.Null(conversion["phone"]);
        Assert.Null(conversion["firstName"]);
        Assert.DoesNotContain(national, conversion.ToJsonString());
    }

    [Fact]
    public async Task Erase_without_a_contact_with_a_malformed_or_hostile_one_is_400_and_erases_nothing()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var ada = Person.New("Refused");
        var shown = await location.ShowQrCode(widgetId, "lane-1", ada.Profile);
        await Submit(shown, new() { ["firstName"] = ada.FirstName, ["email"] = ada.Email, ["consent"] = "yes" });
        await StatsWhen(location, s => Total(s, "converted") == 1);
        var before = (await location.Conversions()).ToJsonString();

        var bodies = new (object Body, string Field)[]
        {
            (new { }, "email"),
            (new { email = "", phone = "" }, "email"),
            (new { email = (string?)null }, "email"),
            (new { email = "not-an-email" }, "email"),
            (new { email = $"Ada <{ada.Email}>" }, "email"),
            (new { email = ada.Email + "\r\nBcc: x@example.com" }, "email"),
            (new { email = "'; DROP TABLE WidgetConversions; --" }, "email"),
            (new { email = Hostile.Script }, "email"),
            (new { email = new string('a', 300) + "@example.com" }, "email"),
            (new { phone = "12" }, "phone"),
            (new { phone = "+1 (650) 253-000x" }, "phone"),
            (new { phone = "\u202E0123" }, "phone"),
            (new { email = ada.Email, phone = "not a phone" }, "phone"),
        };
        foreach (var (body, field) in bodies)
        {
            using var response = await location.Admin.PostJson(location.AdminRoute("privacy/erase"), body);
            await response.ValidationProblem(field);
        }

        using (var wrongType = await location.Admin.PostJson(location.AdminRoute("privacy/erase"), new { email = 5 }))
        {
            await wrongType.ValidationProblem("email");
        }

        using (var notJson = await location.Admin.PostAsync(location.AdminRoute("privacy/erase"), new StringContent("email=" + ada.Email)))
        {
            await notJson.Problem(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        }

        // Another tenant's operator: the location does not exist for them.
        var other = await gateway.CreateLocationAsync();
        var othersAdmin = await gateway.LocationAdmin(other);
        using (var foreign = await othersAdmin.PostJson(location.AdminRoute("privacy/erase"), new { email = ada.Email }))
        {
            await foreign.Problem(HttpStatusCode.NotFound, "location_not_found");
        }

        // The POS may not erase.
        using (var pos = await location.Pos.PostJson(location.AdminRoute("privacy/erase"), new { email = ada.Email }))
        {
            await pos.Problem(HttpStatusCode.Forbidden, "insufficient_scope");
        }

        Assert.Equal(before, (await location.Conversions()).ToJsonString());
        Assert.Contains(ada.Email, before);
    }

    private static async Task<JsonNode> Erase(GatewayLocation location, object body)
    {
        using var response = await location.Admin.PostJson(location.AdminRoute("privacy/erase"), body);
        return (await response.Data())["erased"]!;
    }

    private static async Task SendBoth(GatewayLocation location, ShownQrCode shown, Person person)
    {
        var session = new TrustSession(location, shown.WidgetId, shown.TerminalId, shown.SessionId);
        using var response = await session.Send(body: new
        {
            widgetId = shown.WidgetId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            sessionId = shown.SessionId,
            posLocationId = location.LocationId,
            terminalId = shown.TerminalId,
            profile = person.Profile,
        });
        var messages = (await response.Data())["messages"]!.AsArray();
        Assert.All(messages, m => Assert.Equal("sent", m!.Text("status")));
    }

    private async Task Submit(ShownQrCode shown, Dictionary<string, string> typed)
    {
        var phone = gateway.Anonymous();
        using var page = await phone.GetAsync(shown.LandingUrl);
        var form = HtmlForm.Single(await page.Html(HttpStatusCode.OK));
        using var response = await phone.PostAsync(form.Target(shown.LandingUrl), form.Submit(typed));
        await response.Html(HttpStatusCode.OK);
    }

    /// <summary>The funnel steps of each widget (not timedOut: a session may time out while the test runs).</summary>
    private static async Task<string> Stats(GatewayLocation location)
    {
        using var response = await location.Admin.GetAsync(location.AdminRoute("stats"));
        var widgets = (await response.Data())["widgets"]!.AsArray();
        return string.Join("; ", widgets.Select(w => string.Join(",",
            new[] { "widgetId", "started", "qrShown", "messagesSent", "scanned", "converted" }.Select(c => $"{c}={w!.Long(c)}"))));
    }

    private static async Task<string> StatsWhen(GatewayLocation location, Func<JsonArray, bool> holds)
    {
        await Eventually.Holds(async () =>
        {
            using var response = await location.Admin.GetAsync(location.AdminRoute("stats"));
            return holds((await response.Data())["widgets"]!.AsArray());
        }, GatewayFixture.Patience, "the funnel to count the test's sessions");
        return await Stats(location);
    }

    private static long Total(JsonArray widgets, string counter) => widgets.Sum(w => w!.Long(counter));

    private static JsonObject Draft(string type)
    {
        var draft = GatewayLocation.Draft($"A {type} offer", timeoutSeconds: 60);
        draft["type"] = type;
        draft["settings"] = type switch
        {
            "contestEntry" => new JsonObject { ["contestRules"] = ContestRules },
            "survey" => new JsonObject
            {
                ["surveyQuestions"] = new JsonArray(
                    new JsonObject { ["id"] = "overall", ["text"] = "How was your visit?", ["kind"] = "rating", ["required"] = true },
                    new JsonObject { ["id"] = "comment", ["text"] = "Anything we could do better?", ["kind"] = "text" }),
            },
            _ => null,
        };
        return draft;
    }

    /// <summary>A customer with details no other test uses, so finding one of them anywhere means it was not erased.</summary>
    private sealed record Person(string FirstName, string LastName, string Email, string Phone, string Answer)
    {
        public IReadOnlyList<string> Values => [FirstName, LastName, Email, Phone, Answer];

        public JsonObject Profile => CustomerLinks.Profile(FirstName, LastName, Email, Phone);

        public static Person New(string name)
        {
            var tag = Guid.NewGuid().ToString("N")[..10];
            return new Person($"{name}{tag}", $"Surname{tag}", TrustSetup.Email(name.ToLowerInvariant()), TrustSetup.Phone(), $"Answer only {name} {tag} gave");
        }

        public bool NotIn(string text) => !Values.Any(v => text.Contains(v, StringComparison.OrdinalIgnoreCase));
    }
}
