using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Widgets.Client;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Client;

/// <summary>
/// The typed .NET client (<c>clients/dotnet</c>) against the real gateway on Kestrel, registered as an integrator
/// registers it; <see cref="WireLog"/> shows what went over the wire underneath.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ClientTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Token_then_list_and_the_second_list_is_a_304_answered_with_the_kept_list()
    {
        var location = await gateway.CreateLocationAsync();
        var rewards = await location.CreateWidgetId("Join our rewards");
        using var pos = ClientUnderTest.For(location);
        var request = new ListWidgetsRequest { PosLocationId = location.LocationId, TerminalId = "lane-1", Context = WidgetContexts.Checkout };

        var first = await pos.Client.ListWidgetsAsync(request);
        var second = await pos.Client.ListWidgetsAsync(request);

        var widget = Assert.Single(first.Widgets);
        Assert.Equal(rewards, widget.Id);
        Assert.Equal("Join our rewards", widget.Name);
        Assert.Equal("https://cdn.shop.test/icons/rewards.png", widget.Icon);
        Assert.Equal("loyaltyEnrollment", widget.Type);
        Assert.Equal([WidgetContexts.Checkout, WidgetContexts.Idle], widget.Contexts);
        Assert.Equal([WidgetChannels.Qr, WidgetChannels.Sms, WidgetChannels.Email], widget.Channels);
        Assert.Equal(45, widget.TimeoutSeconds);
        Assert.False(first.NotModified);
        Assert.True(second.NotModified);
        Assert.Equal(first.Widgets, second.Widgets);
        Assert.Equal(first.ETag, second.ETag);

        var token = Assert.Single(pos.Tokens.To("connect/token"));
        Assert.Equal(HttpStatusCode.OK, token.Status);
        var lists = pos.Wire.To("widgets/list");
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.NotModified], lists.Select(e => e.Status));
        Assert.Null(lists[0].IfNoneMatch);
        Assert.Equal(first.ETag, lists[1].IfNoneMatch);
        Assert.Equal("", lists[1].Body);
        Assert.True(token.Sequence < lists[0].Sequence, "The list went out before the token request.");

        // A change to the catalogue shows at once: the kept list is not current any more.
        var coupon = await location.CreateWidgetId("Get 10% off");
        var third = await pos.Client.ListWidgetsAsync(request);

        Assert.False(third.NotModified);
        Assert.Equal(new[] { rewards, coupon }.Order(), third.Widgets.Select(w => w.Id).Order());
        Assert.NotEqual(first.ETag, third.ETag);
        Assert.Single(pos.Tokens.To("connect/token"));
    }

    [Fact]
    public async Task Lane_flow_lists_starts_shows_the_QR_sends_by_SMS_and_email_and_the_session_times_out()
    {
        var location = await gateway.CreateLocationAsync();
        await location.CreateWidgetId("Join our rewards", timeoutSeconds: 5);
        using var pos = ClientUnderTest.For(location);
        var email = $"ada.{Guid.NewGuid():N}@example.com";

        var widget = (await pos.Client.ListWidgetsAsync(new ListWidgetsRequest { PosLocationId = location.LocationId, TerminalId = "lane-1" })).Widgets.Single();
        var started = await pos.Client.StartSessionAsync(new StartSessionRequest { PosLocationId = location.LocationId, TerminalId = "lane-1", WidgetId = widget.Id });
        var qr = await pos.Client.ShowQrCodeAsync(new ShowQrCodeRequest
        {
            WidgetId = widget.Id,
            SessionId = started.SessionId,
            PosLocationId = location.LocationId,
            TerminalId = "lane-1",
            Profile = new CustomerProfile { FirstName = "Ada", SalesPerson = "Sam" },
        });
        var sent = await pos.Client.SendMessageAsync(new SendMessageRequest
        {
            WidgetId = widget.Id,
            SessionId = started.SessionId,
            PosLocationId = location.LocationId,
            TerminalId = "lane-1",
            Profile = new CustomerProfile { FirstName = "Ada", CustomerEmail = email, CustomerPhone = "+14155550123", SalesPerson = "Sam" },
        });
        var during = await pos.Client.GetSessionAsync(started.SessionId);

        Assert.Matches("^[0-9a-f]{32}$", started.SessionId);
        Assert.Equal(5, started.TimeoutSeconds);
        Assert.StartsWith(new Uri(gateway.BaseAddress, "/s/").ToString(), started.QrCodePreviewHtmlLinkUrl);
        Assert.EndsWith($"/widget/sessions/{started.SessionId}", started.StatusUrl);
        Assert.StartsWith(new Uri(gateway.BaseAddress, $"/w/{started.SessionId}.").ToString(), qr.LandingUrl);
        Assert.Equal(qr.QrCodeHtmlLinkUrl + "/qr.png", qr.QrCodePngUrl);
        Assert.Equal([WidgetChannels.Email, WidgetChannels.Sms], sent.Messages.Select(m => m.Channel).Order(StringComparer.Ordinal));
        Assert.All(sent.Messages, m => Assert.Equal(MessageStatuses.Sent, m.Status));
        Assert.Equal(SessionStates.Active, during.State);
        Assert.Equal(sent.Messages.Select(m => m.MessageId).Order(), during.Messages.Select(m => m.MessageId).Order());
        var mail = await gateway.Smtp.WaitForMessageTo(email, GatewayFixture.Patience);
        Assert.Contains(new Uri(gateway.BaseAddress, $"/w/{started.SessionId}.").ToString(), mail.TextBody);

        var ended = await Eventually.Returns(() => pos.Client.GetSessionAsync(started.SessionId), s => s.IsEnded, GatewayFixture.Patience, "the session to time out");
        Assert.Equal(SessionStates.TimedOut, ended.State);
        Assert.True(ended.EndedAt >= during.LastInteractionAt.AddSeconds(5), $"Ended at {ended.EndedAt:O}, last interaction {during.LastInteractionAt:O}.");

        var late = await Assert.ThrowsAsync<WidgetsConflictException>(() => pos.Client.ShowQrCodeAsync(new ShowQrCodeRequest
        {
            WidgetId = widget.Id,
            SessionId = started.SessionId,
            PosLocationId = location.LocationId,
            TerminalId = "lane-1",
        }));
        Assert.Equal((409, ProblemCodes.SessionEnded), (late.Status, late.Code));
    }

    [Fact]
    public async Task Cancel_ends_the_session_and_a_second_cancel_is_a_typed_session_ended_conflict()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        using var pos = ClientUnderTest.For(location);
        var started = await pos.Client.StartSessionAsync(new StartSessionRequest { PosLocationId = location.LocationId, TerminalId = "lane-2", WidgetId = widgetId });

        var cancelled = await pos.Client.CancelSessionAsync(started.SessionId);
        var again = await Assert.ThrowsAsync<WidgetsConflictException>(() => pos.Client.CancelSessionAsync(started.SessionId));

        Assert.Equal(SessionStates.Cancelled, cancelled.State);
        Assert.Equal("lane-2", cancelled.TerminalId);
        Assert.NotNull(cancelled.EndedAt);
        Assert.Equal(ProblemCodes.SessionEnded, again.Code);
    }

    [Fact]
    public async Task Start_whose_answer_is_lost_is_retried_with_its_Idempotency_Key_and_starts_one_session()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        using var pos = ClientUnderTest.For(location, network: () => new LosesAnswers(r => r.RequestUri!.AbsolutePath.EndsWith("/widget/start", StringComparison.Ordinal), times: 1));
        var request = new StartSessionRequest { PosLocationId = location.LocationId, TerminalId = "lane-1", WidgetId = widgetId };

        var started = await pos.Client.StartSessionAsync(request);

        var attempts = Assert.Single(pos.Wire.Calls("widget/start"));
        Assert.True(attempts.Count == 2, pos.Wire.Describe());
        Assert.All(attempts, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(attempts, a => Assert.Contains(started.SessionId, a.Body, StringComparison.Ordinal));
        var key = Assert.Single(attempts.Select(a => a.IdempotencyKey).Distinct());
        Assert.NotNull(key);

        // A second session on lane-1 would have superseded the first.
        Assert.Equal(SessionStates.Active, (await pos.Client.GetSessionAsync(started.SessionId)).State);

        // The key belongs to one call: the next start is a new session, which supersedes the first.
        var next = await pos.Client.StartSessionAsync(request);
        Assert.NotEqual(started.SessionId, next.SessionId);
        Assert.NotEqual(key, pos.Wire.Calls("widget/start")[1].Single().IdempotencyKey);
        Assert.Equal(SessionStates.Superseded, (await pos.Client.GetSessionAsync(started.SessionId)).State);
    }

    [Fact]
    public async Task Send_whose_answer_is_lost_is_retried_with_its_Idempotency_Key_and_the_customer_gets_one_email()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        using var pos = ClientUnderTest.For(location, network: () => new LosesAnswers(r => r.RequestUri!.AbsolutePath.EndsWith("/widget/sendMessage", StringComparison.Ordinal), times: 1));
        var started = await pos.Client.StartSessionAsync(new StartSessionRequest { PosLocationId = location.LocationId, TerminalId = "lane-1", WidgetId = widgetId });
        var email = $"grace.{Guid.NewGuid():N}@example.com";

        var sent = await pos.Client.SendMessageAsync(new SendMessageRequest
        {
            WidgetId = widgetId,
            SessionId = started.SessionId,
            PosLocationId = location.LocationId,
            TerminalId = "lane-1",
            Profile = new CustomerProfile { FirstName = "Grace", CustomerEmail = email },
        });

        var attempts = Assert.Single(pos.Wire.Calls("widget/sendMessage"));
        Assert.True(attempts.Count == 2, pos.Wire.Describe());
        Assert.Single(attempts.Select(a => a.IdempotencyKey).Distinct());
        var message = Assert.Single(sent.Messages);
        Assert.Equal(MessageStatuses.Sent, message.Status);

        // Both attempts were answered before the call returned, and a send is handed to SMTP before it answers.
        var mail = Assert.Single(gateway.Smtp.To(email));
        Assert.Equal($"{message.MessageId}@widgets", mail.MessageId);
    }

    [Fact]
    public async Task Start_on_an_unregistered_terminal_is_a_WidgetsNotFoundException_with_code_terminal_not_found()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        using var pos = ClientUnderTest.For(location);

        var refused = await Assert.ThrowsAsync<WidgetsNotFoundException>(() =>
            pos.Client.StartSessionAsync(new StartSessionRequest { PosLocationId = location.LocationId, TerminalId = "lane-9", WidgetId = widgetId }));

        Assert.Equal(404, refused.Status);
        Assert.Equal(ProblemCodes.TerminalNotFound, refused.Code);
        Assert.False(string.IsNullOrWhiteSpace(refused.Title));
        Assert.False(string.IsNullOrWhiteSpace(refused.Detail));
        Assert.Empty(refused.Errors);
        Assert.Contains("terminal_not_found", refused.Message, StringComparison.Ordinal);
        Assert.Single(pos.Wire.To("widget/start"));
    }

    [Fact]
    public async Task Invalid_fields_are_a_WidgetsValidationException_with_validation_failed_and_each_field_error()
    {
        var location = await gateway.CreateLocationAsync();
        using var pos = ClientUnderTest.For(location);

        var refused = await Assert.ThrowsAsync<WidgetsValidationException>(() =>
            pos.Client.StartSessionAsync(new StartSessionRequest { PosLocationId = location.LocationId, TerminalId = "lane 1", WidgetId = 0 }));

        Assert.Equal(400, refused.Status);
        Assert.Equal(ProblemCodes.ValidationFailed, refused.Code);
        Assert.False(string.IsNullOrWhiteSpace(refused.Detail));
        Assert.Equal(["terminalId", "widgetId"], refused.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.All(refused.Errors.Values, messages => Assert.All(messages, m => Assert.False(string.IsNullOrWhiteSpace(m))));
        Assert.Contains("terminalId: ", refused.Message, StringComparison.Ordinal);
        Assert.Single(pos.Wire.To("widget/start"));
    }

    [Fact]
    public async Task Wrong_secret_is_a_WidgetsAuthenticationException_with_code_invalid_client_and_no_API_call()
    {
        var location = await gateway.CreateLocationAsync();
        using var pos = ClientUnderTest.For(location, o => o.ClientSecret = "not-the-secret");

        var refused = await Assert.ThrowsAsync<WidgetsAuthenticationException>(() =>
            pos.Client.ListWidgetsAsync(new ListWidgetsRequest { PosLocationId = location.LocationId }));

        Assert.Equal((401, ProblemCodes.InvalidClient), (refused.Status, refused.Code));
        Assert.Single(pos.Tokens.To("connect/token"));
        Assert.Empty(pos.Wire.Exchanges);
    }

    [Fact]
    public async Task Token_refused_after_the_client_is_re_created_is_replaced_once_with_the_rotated_secret_and_no_call_fails()
    {
        var location = await gateway.CreateLocationAsync();
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Widgets:BaseAddress"] = gateway.BaseAddress.ToString(),
            ["Widgets:ClientId"] = location.PosClientId,
            ["Widgets:ClientSecret"] = location.PosClientSecret,
            ["Widgets:PosSystemId"] = location.PosSystemId,
        });
        using var pos = ClientUnderTest.For(location, register: services => services.AddWidgetsClient(configuration.GetSection("Widgets")));
        var request = new ListWidgetsRequest { PosLocationId = location.LocationId };
        await pos.Client.ListWidgetsAsync(request);
        var firstToken = Assert.Single(pos.Tokens.To("connect/token"));

        // The gateway refuses tokens issued more than a second before their client was (re-)created; tokens carry whole seconds.
        await Eventually.ClockPasses(DateTimeOffset.UtcNow.AddSeconds(2));
        using (var revoked = await location.Admin.DeleteAsync($"/v2/admin/clients/{location.PosClientId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        using var recreated = await location.Admin.PostJson("/v2/admin/clients", new
        {
            clientId = location.PosClientId,
            scopes = new[] { "pos_integration" },
            locations = new[] { new { posSystemId = location.PosSystemId, posLocationId = location.LocationId } },
        });
        configuration["Widgets:ClientSecret"] = (await recreated.Data(HttpStatusCode.Created)).Text("clientSecret");
        ((IConfigurationRoot)configuration).Reload();

        // Every call succeeds for the caller; underneath, the old token is refused once and replaced.
        await Eventually.Holds(async () =>
        {
            await pos.Client.ListWidgetsAsync(request);
            return pos.Tokens.To("connect/token").Count == 2;
        }, GatewayFixture.Patience, "the client to replace its refused token");

        var refusedAttempt = Assert.Single(pos.Wire.To("widgets/list"), e => e.Status == HttpStatusCode.Unauthorized);
        var renewed = pos.Tokens.To("connect/token")[1];
        var retried = pos.Wire.To("widgets/list").Single(e => e.Sequence > refusedAttempt.Sequence);
        Assert.Equal(HttpStatusCode.OK, renewed.Status);
        Assert.True(refusedAttempt.Sequence < renewed.Sequence && renewed.Sequence < retried.Sequence, pos.Wire.Describe());
        Assert.True(retried.Status is HttpStatusCode.OK or HttpStatusCode.NotModified, retried.ToString());
        Assert.NotEqual(refusedAttempt.Authorization, retried.Authorization);
        Assert.True(firstToken.Sequence < refusedAttempt.Sequence);
    }

    [Fact]
    public async Task Token_is_renewed_a_minute_before_it_expires_and_kept_until_then()
    {
        var location = await gateway.CreateLocationAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var pos = ClientUnderTest.For(location, services: s => s.AddSingleton<TimeProvider>(clock));
        var request = new ListWidgetsRequest { PosLocationId = location.LocationId };

        await pos.Client.ListWidgetsAsync(request).WaitAsync(GatewayFixture.Patience);
        clock.Advance(TimeSpan.FromMinutes(58));
        await pos.Client.ListWidgetsAsync(request).WaitAsync(GatewayFixture.Patience);
        var tokensBeforeTheMargin = pos.Tokens.To("connect/token").Count;
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await pos.Client.ListWidgetsAsync(request).WaitAsync(GatewayFixture.Patience);

        Assert.Equal(1, tokensBeforeTheMargin);
        var tokens = pos.Tokens.To("connect/token");
        Assert.Equal(2, tokens.Count);
        var lists = pos.Wire.To("widgets/list");
        Assert.Equal(3, lists.Count);
        Assert.DoesNotContain(lists, e => e.Status == HttpStatusCode.Unauthorized);
        Assert.True(lists[1].Sequence < tokens[1].Sequence && tokens[1].Sequence < lists[2].Sequence, "The token was not renewed before the third call.");
    }

    [Fact]
    public async Task Carousel_for_an_unregistered_terminal_is_a_WidgetsNotFoundException()
    {
        var location = await gateway.CreateLocationAsync();
        using var pos = ClientUnderTest.For(location);

        var refused = await Assert.ThrowsAsync<WidgetsNotFoundException>(() =>
            pos.Client.GetCarouselAsync(new CarouselRequest { PosLocationId = location.LocationId, TerminalId = "lane-9" }));

        // not_found while the gateway does not serve the route yet; terminal_not_found once it does (API.md).
        Assert.Contains(refused.Code, new[] { ProblemCodes.NotFound, ProblemCodes.TerminalNotFound });
        Assert.Equal(404, refused.Status);
    }

    [Fact]
    public async Task Carousel_sends_location_and_terminal_and_reads_the_screen_link_from_the_data_envelope()
    {
        // The gateway does not serve carousel yet: a stand-in answers it as API.md specifies.
        var wire = new WireLog();
        var server = new ContractStandIn();
        using var client = new WidgetsClient(
            new WidgetsClientOptions { BaseAddress = new Uri("http://widgets.test/base"), ClientId = "pos", ClientSecret = "s3cret", PosSystemId = "pax" },
            wire.Handler(server));

        var link = await client.GetCarouselAsync(new CarouselRequest { PosLocationId = "store-1", TerminalId = "lane-1" });

        Assert.Equal("http://widgets.test/t/screen-token", link.Url);
        Assert.Null(link.ExpiresAt);
        var call = Assert.Single(wire.To("carousel"));
        Assert.Equal(("POST", "/base/v2/pos/pax/carousel"), (call.Method, call.Path));
        Assert.Equal("Bearer stand-in-token", call.Authorization);
        Assert.Equal(new JsonObject { ["posLocationId"] = "store-1", ["terminalId"] = "lane-1" }.ToJsonString(), server.Bodies.Single().ToJsonString());
        Assert.Equal("Basic cG9zOnMzY3JldA==", wire.To("connect/token").Single().Authorization);
    }

    [Fact]
    public async Task Token_request_answered_503_is_retried_after_its_Retry_After_as_part_of_the_call()
    {
        // A token endpoint that is failing over cannot be produced on demand in the embedded gateway: a stand-in answers.
        var wire = new WireLog();
        var server = new ContractStandIn { TokenUnavailable = 1 };
        using var client = new WidgetsClient(
            new WidgetsClientOptions { BaseAddress = new Uri("http://widgets.test/base"), ClientId = "pos", ClientSecret = "s3cret", PosSystemId = "pax" },
            wire.Handler(server));

        var link = await client.GetCarouselAsync(new CarouselRequest { PosLocationId = "store-1", TerminalId = "lane-1" });

        Assert.Equal("http://widgets.test/t/screen-token", link.Url);
        var tokens = wire.To("connect/token");
        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], tokens.Select(t => t.Status));
        Assert.True(tokens[0].GapBefore(tokens[1]) >= TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(20), string.Join("\n", tokens));
        Assert.Single(wire.To("carousel"));
    }

    /// <summary>Answers /connect/token and carousel the way API.md specifies them, and keeps the bodies it got.</summary>
    private sealed class ContractStandIn : HttpMessageHandler
    {
        public List<JsonNode> Bodies { get; } = [];

        /// <summary>How many token requests are answered 503 with <c>Retry-After: 1</c> first.</summary>
        public int TokenUnavailable { get; set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path == "/base/connect/token" && TokenUnavailable-- > 0)
            {
                var unavailable = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
                {
                    Content = new StringContent("""{"status":503,"title":"Service unavailable","detail":"Failing over.","code":"unavailable"}""", System.Text.Encoding.UTF8, "application/problem+json"),
                };
                unavailable.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
                return unavailable;
            }

            if (path == "/base/connect/token")
            {
                return new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = JsonContent.Create(new JsonObject { ["access_token"] = "stand-in-token", ["token_type"] = "Bearer", ["expires_in"] = 3600, ["scope"] = "pos_integration" }),
                };
            }

            if (path == "/base/v2/pos/pax/carousel" && request.Method == HttpMethod.Post)
            {
                Bodies.Add(JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!);
                return new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = JsonContent.Create(new JsonObject { ["data"] = new JsonObject { ["url"] = "http://widgets.test/t/screen-token", ["expiresAt"] = null } }),
                };
            }

            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }
    }
}
