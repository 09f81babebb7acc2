using System.Text.Json.Nodes;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Http;

/// <summary>
/// Issue 13 point 12, erasure of a session that is still live: a person asks to be forgotten moments after the POS
/// gave their details, while the session's funnel row would still wait for its batch. The erasure finds the session by
/// every contact it holds, the first or a later one, and afterwards the POS, the landing link and the outbox show
/// nothing of them.
/// </summary>
public sealed class LiveSessionErasureTests(LiveSessionErasureTests.SlowBatchGateway gateway) : IClassFixture<LiveSessionErasureTests.SlowBatchGateway>
{
    private static int phones = Random.Shared.Next(0, 10000);

    [Fact]
    public async Task Erasing_right_after_showQrCode_and_sendMessage_finds_the_live_session_and_leaves_nothing_personal()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var ada = Person.New("Ada");
        var shown = await location.ShowQrCode(widgetId, "lane-1", ada.Profile);
        var sent = await Send(location, shown.SessionId, widgetId, ada.Profile);
        Assert.Equal(["sent", "sent"], sent.Select(m => m!.Text("status")));
        Assert.Contains(ada.PhoneDigits, await File.ReadAllTextAsync(gateway.SmsOutboxFile));

        var erased = await Erase(location, new { email = ada.Email });

        Assert.Equal(1, erased.Int("sessions"));
        Assert.Equal(2, erased.Int("messages"));
        var session = await location.Session(shown.SessionId);
        Assert.Equal("active", session.Text("state"));
        Assert.True(ada.NotIn(session.ToJsonString()), $"The POS still sees Ada: {session.ToJsonString()}");
        using var phone = gateway.Anonymous();
        using var landing = await phone.GetAsync(shown.LandingUrl);
        var html = await landing.Html(System.Net.HttpStatusCode.OK);
        Assert.True(ada.NotIn(html), "The landing page still shows Ada.");
        Assert.DoesNotContain("is this you", html, StringComparison.Ordinal);
        Assert.DoesNotContain(ada.PhoneDigits, await File.ReadAllTextAsync(gateway.SmsOutboxFile));
    }

    [Fact]
    public async Task A_session_that_texted_two_emails_is_found_and_erased_by_the_second()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var first = Person.New("First");
        var second = Person.New("Second");
        var sessionId = (await location.Start("lane-1", widgetId)).Text("sessionId");
        await Send(location, sessionId, widgetId, first.EmailOnly);
        await Send(location, sessionId, widgetId, second.EmailOnly);
        Assert.Equal(2, (await location.Session(sessionId))["messages"]!.AsArray().Count);

        var erased = await Erase(location, new { email = second.Email });

        Assert.Equal(1, erased.Int("sessions"));
        Assert.Equal(2, erased.Int("messages"));
        var session = (await location.Session(sessionId)).ToJsonString();
        Assert.True(first.NotIn(session) && second.NotIn(session), $"The POS still sees an erased email: {session}");
    }

    private static async Task<JsonArray> Send(GatewayLocation location, string sessionId, int widgetId, JsonObject profile)
    {
        using var response = await location.Pos.PostJson(location.PosRoute("widget/sendMessage"), new JsonObject
        {
            ["widgetId"] = widgetId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["sessionId"] = sessionId,
            ["posLocationId"] = location.LocationId,
            ["terminalId"] = "lane-1",
            ["profile"] = profile.DeepClone(),
        });
        return (await response.Data())["messages"]!.AsArray();
    }

    private static async Task<JsonNode> Erase(GatewayLocation location, object body)
    {
        using var response = await location.Admin.PostJson(location.AdminRoute("privacy/erase"), body);
        return (await response.Data())["erased"]!;
    }

    /// <summary>A customer whose every detail carries a tag no other test uses (the email's domain too, which a masked email keeps).</summary>
    private sealed record Person(string Tag, string FirstName, string Email, string Phone)
    {
        public JsonObject Profile => CustomerLinks.Profile(FirstName, "Surname" + Tag, Email, Phone);

        public JsonObject EmailOnly => CustomerLinks.Profile(FirstName, "Surname" + Tag, Email);

        /// <summary>The phone without its '+', as the outbox's JSON writes it.</summary>
        public string PhoneDigits => Phone[1..];

        public static Person New(string name)
        {
            var tag = Guid.NewGuid().ToString("N")[..10];
            return new Person(tag, name + tag, $"{name.ToLowerInvariant()}.{tag}@{tag}.example.com", $"+1650253{Interlocked.Increment(ref phones) % 10000:0000}");
        }

        /// <summary>Whether nothing of the person is in <paramref name="text"/>: no tag, and neither the phone nor its masked last digits.</summary>
        public bool NotIn(string text) =>
            !text.Contains(Tag, StringComparison.OrdinalIgnoreCase) && !text.Contains(PhoneDigits, StringComparison.Ordinal)
            && !text.Contains("*" + Phone[^4..], StringComparison.Ordinal);
    }

    /// <summary>
    /// The embedded gateway with a session journal that batches live sessions' rows for five minutes, far longer than a
    /// test runs: the erasure can only find a session whose contacts were stored when they arrived.
    /// </summary>
    public sealed class SlowBatchGateway : GatewayFixture
    {
        protected override void Configure(IDictionary<string, string?> settings) =>
            settings["Widgets:Sessions:StatsFlushInterval"] = "00:05:00";
    }
}
