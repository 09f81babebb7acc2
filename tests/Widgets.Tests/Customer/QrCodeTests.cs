using System.Net;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Customer;

/// <summary>The QR images behind the screen page, read back with a real QR decoder.</summary>
[Collection(GatewayCollection.Name)]
public sealed class QrCodeTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Qr_png_decodes_to_the_landing_url_which_opens_the_landing_page_and_counts_a_scan()
    {
        var location = await gateway.CreateLocationAsync();
        var draft = GatewayLocation.Draft("Scan for rewards");
        draft["content"]!["headline"] = "Scan me for double points";
        var widgetId = (await location.CreateWidget(draft)).Int("id");
        var shown = await location.ShowQrCode(widgetId);
        var customer = gateway.Anonymous();

        using var png = await customer.GetAsync(shown.PngUrl);
        Assert.Equal(HttpStatusCode.OK, png.StatusCode);
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        var decoded = QrDecoder.Decode(await png.Content.ReadAsByteArrayAsync());

        var landingBase = new Uri(gateway.BaseAddress, "/w/").ToString();
        Assert.StartsWith(landingBase, decoded);
        Assert.StartsWith(shown.SessionId + ".", decoded[landingBase.Length..]);
        Assert.Equal(shown.LandingUrl.GetLeftPart(UriPartial.Authority), new Uri(decoded).GetLeftPart(UriPartial.Authority));

        using var landing = await customer.GetAsync(decoded);
        var html = await landing.Html(HttpStatusCode.OK);
        Assert.Contains("Scan me for double points", CustomerLinks.PageText(html));

        var row = await location.StatsWhen(widgetId, r => r.Long("scanned") == 1, "the scan to be counted");
        Assert.Equal(1, row.Long("started"));
        Assert.Equal(1, row.Long("qrShown"));
        Assert.Equal(0, row.Long("converted"));
        Assert.True((await shown.ScreenState(customer))["scanned"]!.GetValue<bool>(), "The screen state does not show the scan.");
    }

    [Fact]
    public async Task Qr_svg_is_served_as_an_svg_image()
    {
        var location = await gateway.CreateLocationAsync();
        var shown = await location.ShowQrCode(await location.CreateWidgetId());

        using var svg = await gateway.Anonymous().GetAsync(shown.SvgUrl);

        Assert.Equal(HttpStatusCode.OK, svg.StatusCode);
        Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", svg.Headers.GetValues("X-Content-Type-Options").Single());
        var document = System.Xml.Linq.XDocument.Parse(await svg.Content.ReadAsStringAsync());
        Assert.Equal("svg", document.Root!.Name.LocalName);
        Assert.NotNull(document.Root.Attribute("viewBox"));
    }
}
