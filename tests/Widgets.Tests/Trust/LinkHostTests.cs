using System.Net;
using Microsoft.Extensions.Configuration;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Links;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Customer links (QR codes, texts, emails) are built from a configured public base URL or, without one, only from a
/// host this service answers to: a forged Host header must never send a customer to someone else's site.
/// </summary>
[Collection(TrustCollection.Name)]
public sealed class LinkHostTests(TrustFixture gateway)
{
    private const string Forged = "evil.example";

    [Fact]
    public async Task Calls_that_make_links_on_a_forged_host_are_400_host_not_allowed_and_start_show_or_send_nothing()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var phone = TrustSetup.Phone();

        using var start = await OnForgedHost(location.Pos, HttpMethod.Post, location.PosRoute("widget/start"), location.StartBody("lane-1", widgetId));
        await start.Problem(HttpStatusCode.BadRequest, "host_not_allowed");
        Assert.Null((await location.Terminal("lane-1"))["activeSessionId"]);

        var session = await location.StartSession("lane-2", widgetId);
        using var show = await OnForgedHost(location.Pos, HttpMethod.Post, location.PosRoute("widget/showQrCode"), session.Body());
        await show.Problem(HttpStatusCode.BadRequest, "host_not_allowed");
        using var send = await OnForgedHost(location.Pos, HttpMethod.Post, location.PosRoute("widget/sendMessage"), session.Body(phone: phone));
        await send.Problem(HttpStatusCode.BadRequest, "host_not_allowed");
        Assert.Empty(await session.Messages());
        Assert.Empty(gateway.Twilio.To(phone));
        Assert.Null((await location.Session(session.SessionId))["qrShownAt"]);

        using var shown = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"), session.Body());
        var screen = new Uri((await shown.Data()).Text("qrCodeHtmlLinkUrl"));
        Assert.Equal(gateway.BaseAddress.Authority, screen.Authority);
        using var anonymous = gateway.Anonymous();
        using var qr = await OnForgedHost(anonymous, HttpMethod.Get, screen.PathAndQuery + "/qr.png");
        await qr.Problem(HttpStatusCode.BadRequest, "host_not_allowed");
    }

    [Fact]
    public void Production_start_without_a_public_base_url_warns_and_names_the_setting() =>
        Assert.Contains(gateway.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Set Widgets:PublicBaseUrl=", StringComparison.Ordinal));

    [Theory]
    [InlineData("https://shop.example.com", Forged, "https://shop.example.com/s/")]
    [InlineData(null, "widgets.internal:8080", "http://widgets.internal:8080/s/")]
    [InlineData(null, "localhost:5080", "http://localhost:5080/s/")]
    [InlineData(null, "[::1]:5080", "http://[::1]:5080/s/")]
    [InlineData(null, Forged, null)]
    public void Link_base_is_the_configured_url_else_a_loopback_or_allowed_host_else_none(string? publicBaseUrl, string host, string? screenPrefix)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Widgets:PublicBaseUrl"] = publicBaseUrl,
            ["AllowedHosts"] = "widgets.internal;*.shop.example.com",
            ["Auth:SigningKey"] = TrustFixture.SigningKey,
        }).Build();
        var keys = new SigningKeys(configuration, Microsoft.Extensions.Logging.Abstractions.NullLogger<SigningKeys>.Instance);
        var urls = new PublicUrls(configuration, new LinkTokens(keys, TimeProvider.System, configuration), new UnsubscribeTokens(keys));
        var request = new Microsoft.AspNetCore.Http.DefaultHttpContext().Request;
        request.Scheme = "http";
        request.Host = new Microsoft.AspNetCore.Http.HostString(host);

        var linkBase = urls.Base(request);

        Assert.Equal(screenPrefix, linkBase is null ? null : urls.Screen(linkBase, new string('a', 32))[..screenPrefix!.Length]);
    }

    private static Task<HttpResponseMessage> OnForgedHost(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : GatewayJson.Body(body) };
        request.Headers.Host = Forged;
        return client.SendAsync(request);
    }
}
