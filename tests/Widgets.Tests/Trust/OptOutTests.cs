using System.Net;
using System.Net.Http.Headers;
using Widgets.Tests.Customer;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Point 3, opt-out: an SMS reply of a carrier opt-out word (any case, trailing words allowed) on Twilio's signed
/// inbound webhook suppresses the number until START/UNSTOP; an unsigned or mis-signed webhook changes nothing; every
/// email carries a working unsubscribe link and RFC 8058 one-click headers. A suppressed recipient gets nothing and
/// the response says <c>suppressed</c>.
/// </summary>
[Collection(TrustCollection.Name)]
public sealed class OptOutTests(TrustFixture gateway)
{
    [Theory]
    [InlineData("STOP", "START")]
    [InlineData("stopall", "unstop")]
    [InlineData("Unsubscribe me please", "Start again")]
    [InlineData("  cancel.", "START")]
    [InlineData("End", "UNSTOP")]
    [InlineData("QUIT now", "start")]
    [InlineData("rEvOkE", "Unstop please")]
    [InlineData("OPTOUT thanks", "START")]
    public async Task Signed_sms_opt_out_reply_suppresses_the_number_and_an_opt_in_reply_lifts_it(string optOut, string optIn)
    {
        var location = await gateway.CreateLocationAsync();
        var (phone, email) = (TrustSetup.Phone(), TrustSetup.Email());

        using (var reply = await gateway.SmsReply(phone, optOut))
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
            Assert.Equal("text/xml", reply.Content.Headers.ContentType?.MediaType);
        }

        var stopped = await location.StartSession();
        using (var response = await stopped.Send(email: email, phone: phone))
        {
            var messages = (await response.Data())["messages"]!.AsArray();
            var sms = Assert.Single(messages, m => m!.Text("channel") == "sms")!;
            Assert.Equal("suppressed", sms.Text("status"));
            Assert.Equal("optedOut", sms.Text("reason"));
            Assert.Equal("sent", Assert.Single(messages, m => m!.Text("channel") == "email")!.Text("status"));
        }

        Assert.Empty(gateway.Twilio.To(phone));
        var shown = Assert.Single(await stopped.Messages(), m => m!.Text("channel") == "sms")!;
        Assert.Equal("suppressed", shown.Text("status"));
        Assert.Equal("optedOut", shown.Text("reason"));

        using (var reply = await gateway.SmsReply(phone, optIn))
        {
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }

        var restarted = await location.StartSession();
        Assert.Equal("sent", (await restarted.SendOne("sms", phone)).Text("status"));
        Assert.Single(gateway.Twilio.To(phone));
    }

    [Fact]
    public async Task Ordinary_sms_replies_do_not_suppress_the_number()
    {
        var location = await gateway.CreateLocationAsync();
        var phone = TrustSetup.Phone();
        foreach (var body in new[] { "Thanks!", "please don't stop", "STOPPED by the store today", "🛑" })
        {
            using var reply = await gateway.SmsReply(phone, body);
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }

        var session = await location.StartSession();
        Assert.Equal("sent", (await session.SendOne("sms", phone)).Text("status"));
        Assert.Single(gateway.Twilio.To(phone));
    }

    [Fact]
    public async Task Sms_opt_out_without_a_valid_Twilio_signature_is_403_and_suppresses_nothing()
    {
        var location = await gateway.CreateLocationAsync();
        var phone = TrustSetup.Phone();
        var forgeries = new Dictionary<string, Func<Uri, Dictionary<string, string>, string?>>
        {
            ["no signature"] = (_, _) => null,
            ["garbage signature"] = (_, _) => "c2lnbmF0dXJl",
            ["signed with another auth token"] = (url, fields) => FakeTwilio.Sign(url.ToString(), fields, "another-auth-token"),
            ["signed for another URL"] = (_, fields) => FakeTwilio.Sign("https://evil.example/webhooks/twilio/sms", fields),
            ["signed over another body"] = (url, fields) => FakeTwilio.Sign(url.ToString(), new Dictionary<string, string>(fields) { ["Body"] = "Hello" }),
            ["signed without the From field"] = (url, fields) => FakeTwilio.Sign(url.ToString(), fields.Where(f => f.Key != "From")),
        };

        foreach (var (forgery, sign) in forgeries)
        {
            using var reply = await gateway.SmsReply(phone, "STOP", sign);
            var problem = await reply.Problem(HttpStatusCode.Forbidden, "invalid_signature");
            Assert.True(problem is not null, forgery);
        }

        using (var form = new HttpRequestMessage(HttpMethod.Post, "/webhooks/twilio/sms") { Content = GatewayJson.Body(new { From = phone, Body = "STOP" }) })
        {
            using var json = await gateway.Anonymous().SendAsync(form);
            Assert.True(json.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType or HttpStatusCode.Forbidden,
                $"A JSON opt-out answered {(int)json.StatusCode}.");
        }

        var session = await location.StartSession();
        Assert.Equal("sent", (await session.SendOne("sms", phone)).Text("status"));
        Assert.Single(gateway.Twilio.To(phone));
    }

    [Fact]
    public async Task Every_email_has_a_working_unsubscribe_link_and_one_click_headers_and_an_unsubscribed_address_gets_nothing()
    {
        var location = await gateway.CreateLocationAsync();
        var email = TrustSetup.Email();
        var first = await location.StartSession();
        Assert.Equal("sent", (await first.SendOne("email", email)).Text("status"));
        var mail = Assert.Single(gateway.Smtp.To(email));

        var header = mail.Headers["List-Unsubscribe"] ?? throw new Xunit.Sdk.XunitException("The email has no List-Unsubscribe header.");
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
        Assert.Matches("^<https?://[^>]+>$", header);
        var link = new Uri(header.Trim('<', '>'));
        Assert.StartsWith(new Uri(gateway.BaseAddress, "/u/").ToString(), link.ToString());
        Assert.Contains(link.ToString(), mail.TextBody);
        Assert.Contains($"href=\"{link}\"", mail.HtmlBody);

        var customer = gateway.Anonymous();
        using (var page = await customer.GetAsync(link))
        {
            var html = await page.Html(HttpStatusCode.OK);
            Assert.DoesNotContain(email, html);
            Assert.Contains("Stop all marketing emails", CustomerLinks.PageText(html));

            // The link names the recipient by a hash: neither it nor the page reveals the address.
            var encoded = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(email)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            Assert.DoesNotContain(encoded[..12], link.ToString());
            Assert.DoesNotContain(email.Split('@')[0], link.ToString());
            Assert.Equal(link.AbsolutePath, new Uri(link, HtmlForm.Single(html).Action).AbsolutePath);
        }

        // A forged link (one signature character changed) unsubscribes nobody.
        var forged = link.ToString()[..^1] + (link.ToString()[^1] == 'A' ? 'B' : 'A');
        using (var refused = await customer.PostAsync(forged, OneClick()))
        {
            await refused.Html(HttpStatusCode.NotFound);
        }

        var second = await location.StartSession();
        Assert.Equal("sent", (await second.SendOne("email", email)).Text("status"));
        Assert.Equal(2, gateway.Smtp.To(email).Count);

        // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the URL, without cookies or a page.
        using (var oneClick = await customer.PostAsync(link, OneClick()))
        {
            await oneClick.Html(HttpStatusCode.OK);
        }

        var third = await location.StartSession();
        var suppressed = await third.SendOne("email", email);
        Assert.Equal("suppressed", suppressed.Text("status"));
        Assert.Equal("optedOut", suppressed.Text("reason"));
        Assert.Equal(2, gateway.Smtp.To(email).Count);
    }

    private static FormUrlEncodedContent OneClick()
    {
        var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" });
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return content;
    }
}
