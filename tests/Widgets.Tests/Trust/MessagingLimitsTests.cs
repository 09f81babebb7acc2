using System.Net;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Point 3, limits and delivery: a recipient gets at most the configured number of messages a day from one merchant
/// (the rest are <c>suppressed</c> with <c>dailyLimit</c>), no SMS in the location's quiet hours (<c>quietHours</c>;
/// email still goes), and Twilio's signed status callback sets the status the session shows.
/// </summary>
[Collection(TrustCollection.Name)]
public sealed class MessagingLimitsTests(TrustFixture gateway)
{
    [Fact]
    public async Task Message_over_the_daily_limit_of_a_merchant_is_suppressed_dailyLimit_while_another_merchant_may_still_send()
    {
        var merchant = await gateway.CreateLocationAsync();
        var (email, phone) = (TrustSetup.Email(), TrustSetup.Phone());

        for (var i = 0; i < TrustFixture.DailyLimit; i++)
        {
            var session = await merchant.StartSession();
            using var response = await session.Send(email: email, phone: phone);
            Assert.All((await response.Data())["messages"]!.AsArray(), m => Assert.Equal("sent", m.Text("status")));
        }

        var over = await merchant.StartSession();
        using (var response = await over.Send(email: email, phone: phone))
        {
            var messages = (await response.Data())["messages"]!.AsArray();
            Assert.Equal(2, messages.Count);
            Assert.All(messages, m =>
            {
                Assert.Equal("suppressed", m.Text("status"));
                Assert.Equal("dailyLimit", m.Text("reason"));
            });
        }

        Assert.Equal(TrustFixture.DailyLimit, gateway.Smtp.To(email).Count);
        Assert.Equal(TrustFixture.DailyLimit, gateway.Twilio.To(phone).Count);

        var another = await (await gateway.CreateLocationAsync()).StartSession();
        Assert.Equal("sent", (await another.SendOne("email", email)).Text("status"));
        Assert.Equal(TrustFixture.DailyLimit + 1, gateway.Smtp.To(email).Count);
    }

    [Fact]
    public async Task Sms_in_the_quiet_hours_of_the_locations_time_zone_is_suppressed_quietHours_and_the_email_is_still_sent()
    {
        var quiet = await gateway.CreateLocationAsync();
        using (var zone = await quiet.Admin.PutJson(quiet.AdminRoute("settings"), new { timeZone = TrustFixture.QuietTimeZone }))
        {
            Assert.Equal(TrustFixture.QuietTimeZone, (await zone.Data()).Text("timeZone"));
        }

        var (email, phone) = (TrustSetup.Email(), TrustSetup.Phone());
        var session = await quiet.StartSession();

        using (var response = await session.Send(email: email, phone: phone))
        {
            var messages = (await response.Data())["messages"]!.AsArray();
            var sms = Assert.Single(messages, m => m!.Text("channel") == "sms")!;
            Assert.Equal("suppressed", sms.Text("status"));
            Assert.Equal("quietHours", sms.Text("reason"));
            Assert.Equal("sent", Assert.Single(messages, m => m!.Text("channel") == "email")!.Text("status"));
        }

        Assert.Empty(gateway.Twilio.To(phone));
        Assert.Single(gateway.Smtp.To(email));

        // The same hour is not quiet in UTC, the zone of a location that set none.
        var daytime = await (await gateway.CreateLocationAsync()).StartSession();
        var other = TrustSetup.Phone();
        Assert.Equal("sent", (await daytime.SendOne("sms", other)).Text("status"));
        Assert.Single(gateway.Twilio.To(other));
    }

    [Fact]
    public async Task Signed_delivery_status_callbacks_set_the_status_the_session_shows_and_unsigned_ones_are_403()
    {
        var location = await gateway.CreateLocationAsync();
        var delivered = await SendSms(location, "lane-1");
        var failed = await SendSms(location, "lane-2");

        using (var unsigned = await gateway.Anonymous().SendAsync(TrustSetup.Signed(delivered.Callback, Status(delivered, "failed"), (_, _) => null)))
        {
            await unsigned.Problem(HttpStatusCode.Forbidden, "invalid_signature");
        }

        using (var forged = await gateway.Anonymous().SendAsync(TrustSetup.Signed(delivered.Callback, Status(delivered, "failed"),
            (_, fields) => FakeTwilio.Sign(failed.Callback.ToString(), fields))))
        {
            await forged.Problem(HttpStatusCode.Forbidden, "invalid_signature");
        }

        Assert.Equal("sent", await StatusOf(delivered));

        foreach (var (sms, status) in new[] { (delivered, "delivered"), (failed, "failed") })
        {
            using var callback = await gateway.Anonymous().SendAsync(TrustSetup.Signed(sms.Callback, Status(sms, status)));
            Assert.Equal(HttpStatusCode.NoContent, callback.StatusCode);
        }

        Assert.Equal("delivered", await StatusOf(delivered));
        Assert.Equal("failed", await StatusOf(failed));
    }

    /// <summary>An SMS sent through Twilio in a session of its own, with the status callback URL Twilio was given.</summary>
    private async Task<SentSms> SendSms(GatewayLocation location, string terminalId)
    {
        var session = await location.StartSession(terminalId);
        var phone = TrustSetup.Phone();
        var messageId = (await session.SendOne("sms", phone)).Text("messageId");
        var request = Assert.Single(gateway.Twilio.To(phone));
        Assert.True(request.Authenticated, "The gateway did not authenticate to Twilio with the account SID and auth token.");
        Assert.Equal(FakeTwilio.From, request.From);
        Assert.EndsWith("Reply STOP to opt out.", request.Body);
        var callback = new Uri(request.StatusCallback ?? throw new Xunit.Sdk.XunitException("No StatusCallback was given to Twilio."));
        Assert.Equal(new Uri(gateway.BaseAddress, $"/webhooks/twilio/status/{session.SessionId}/{messageId}"), callback);
        return new SentSms(session, messageId, phone, callback);
    }

    private static async Task<string> StatusOf(SentSms sms) =>
        Assert.Single(await sms.Session.Messages(), m => m!.Text("messageId") == sms.MessageId)!.Text("status");

    /// <summary>The fields of Twilio's status callback.</summary>
    private static Dictionary<string, string> Status(SentSms sms, string status)
    {
        var fields = new Dictionary<string, string>
        {
            ["AccountSid"] = FakeTwilio.AccountSid,
            ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"),
            ["MessageStatus"] = status,
            ["SmsStatus"] = status,
            ["To"] = sms.Phone,
            ["From"] = FakeTwilio.From,
            ["ApiVersion"] = "2010-04-01",
        };
        if (status == "failed")
        {
            fields["ErrorCode"] = "30003";
        }

        return fields;
    }

    private sealed record SentSms(TrustSession Session, string MessageId, string Phone, Uri Callback);
}
