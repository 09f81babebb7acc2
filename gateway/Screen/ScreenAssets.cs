using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace Widgets.Gateway.Screen;

/// <summary>
/// The static files of the screens, served by the gateway from memory (no CDN, no web fonts): the screen script and
/// the demo widgets' icons. The script's URL carries a hash of its content, so browsers may keep it for a year.
/// </summary>
public static class ScreenAssets
{
    private static readonly byte[] Script = Encoding.UTF8.GetBytes(ScreenScript.Source);

    public static string ScriptPath { get; } = $"/screen/screen.js?v={Convert.ToHexStringLower(SHA256.HashData(Script))[..12]}";

    /// <summary>The demo widgets' icons by file name: white line drawings, shown on the brand's primary colour.</summary>
    public static IReadOnlyDictionary<string, byte[]> DemoIcons { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["loyalty"] = Svg("<path d=\"M32 10l6.5 13.2 14.5 2.1-10.5 10.2 2.5 14.5L32 43.2 19 50l2.5-14.5L11 25.3l14.5-2.1z\"/>"),
        ["coupon"] = Svg("<path d=\"M8 20h48v8a4 4 0 000 8v8H8v-8a4 4 0 000-8z\"/><path d=\"M26 38l12-12\"/><circle cx=\"27\" cy=\"27\" r=\"2.5\"/><circle cx=\"37\" cy=\"37\" r=\"2.5\"/>"),
        ["promotion"] = Svg("<path d=\"M10 27v10h8l18 10V17L18 27z\"/><path d=\"M44 24a10 10 0 010 16\"/><path d=\"M50 18a18 18 0 010 28\"/><path d=\"M18 37l3 12h7l-3-11\"/>"),
        ["contact"] = Svg("<rect x=\"8\" y=\"16\" width=\"48\" height=\"32\" rx=\"4\"/><path d=\"M9 18l23 17 23-17\"/>"),
        ["survey"] = Svg("<rect x=\"14\" y=\"10\" width=\"36\" height=\"46\" rx=\"4\"/><path d=\"M24 10v-2h16v2\"/><path d=\"M21 25l3 3 6-6M21 40l3 3 6-6M34 26h10M34 41h10\"/>"),
        ["contest"] = Svg("<rect x=\"10\" y=\"26\" width=\"44\" height=\"10\" rx=\"2\"/><path d=\"M14 36v18h36V36M32 26v28\"/><path d=\"M32 26c-4-8-14-10-14-3 0 3 6 3 14 3zM32 26c4-8 14-10 14-3 0 3-6 3-14 3z\"/>"),
    }.ToDictionary(e => e.Key, e => Encoding.UTF8.GetBytes(e.Value), StringComparer.Ordinal);

    private static readonly string LongCache = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromDays(365), Extensions = { new("immutable") } }.ToString();
    private static readonly string DayCache = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromDays(1) }.ToString();

    public static IEndpointRouteBuilder MapScreenAssets(this IEndpointRouteBuilder app)
    {
        app.MapGet("/screen/screen.js", (HttpContext context) =>
        {
            Static(context.Response, LongCache);
            return TypedResults.Bytes(Script, "text/javascript; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/icons/demo/{name}.svg", Results<FileContentHttpResult, NotFound> (string name, HttpContext context) =>
        {
            if (!DemoIcons.TryGetValue(name, out var svg))
            {
                return TypedResults.NotFound();
            }

            Static(context.Response, DayCache);
            return TypedResults.Bytes(svg, "image/svg+xml");
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static void Static(HttpResponse response, string cacheControl)
    {
        response.Headers.CacheControl = cacheControl;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";
    }

    private static string Svg(string paths) =>
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" viewBox=\"0 0 64 64\" fill=\"none\" stroke=\"#fff\" stroke-width=\"3.5\" "
        + "stroke-linecap=\"round\" stroke-linejoin=\"round\">" + paths + "</svg>";
}
