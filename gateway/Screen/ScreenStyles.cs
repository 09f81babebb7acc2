using System.Globalization;

namespace Widgets.Gateway.Screen;

/// <summary>
/// The terminal screen's stylesheet, on top of the customer screen's (<see cref="Customer.PageStyles.Screen"/>):
/// sized by the viewport so it reads at arm's length from 800×480 to 1920×1080 and in portrait; coloured by the
/// location's brand.
/// </summary>
internal static class ScreenStyles
{
    public const string Terminal = """
        body{background:var(--bg);color:var(--fg)}
        .terminal{height:100vh;position:relative}
        .terminal .copy p,.terminal .center p{color:var(--muted)}
        .terminal .copy .hint{color:var(--primary)}
        .terminal .timer{color:var(--muted)}.terminal .timer b{color:var(--fg)}
        .terminal .bar{background:var(--track)}.terminal .bar span{background:var(--primary)}
        .terminal .qr{box-shadow:0 0 0 .8vh var(--primary),0 2vh 6vh rgba(0,0,0,.25)}
        .terminal .qr img{width:min(74vh,46vw)}
        .terminal .icon-info{color:var(--primary)}
        .terminal .copy h1{font-size:clamp(2rem,min(8vh,5vw),6rem)}
        .terminal .copy p{font-size:clamp(1.1rem,min(4vh,2.6vw),3rem)}
        .idle{height:100vh;display:flex;flex-direction:column;padding:4vh 6vw}
        .brand{display:flex;align-items:center;gap:2vw;min-height:8vh;font-weight:800;font-size:clamp(1.2rem,3.2vh,2.4rem)}
        .brand .logo{height:9vh;max-width:30vw;object-fit:contain}
        .slides{flex:1;position:relative}
        .slide{position:absolute;inset:0;display:grid;grid-template-columns:auto minmax(0,1fr);align-items:center;gap:5vw;opacity:0;transition:opacity .6s;pointer-events:none}
        .slide.current{opacity:1;pointer-events:auto}
        .slide.calm{grid-template-columns:1fr;text-align:center}
        .wicon{width:min(42vh,30vw);height:min(42vh,30vw);border-radius:4vh;background:var(--primary);padding:3vh;object-fit:contain}
        .wicon.none{opacity:.25}
        .slide h1{margin:0;font-size:clamp(1.8rem,min(7vh,5.2vw),6rem);line-height:1.05;font-weight:800;letter-spacing:-.02em}
        .slide p{margin:2.5vh 0 0;font-size:clamp(1.1rem,min(3.8vh,2.8vw),3rem);line-height:1.3}
        .tap{margin-top:4vh;min-height:9vh;padding:0 4vw;border:0;border-radius:5vh;background:var(--primary);color:var(--on-primary);font:inherit;font-weight:800;font-size:clamp(1.1rem,min(4vh,3vw),2.6rem);cursor:pointer}
        .tap:active{transform:scale(.97)}
        .dots{display:flex;justify-content:center;gap:1.2vh;padding:2vh 0}
        .dots i{width:1.4vh;height:1.4vh;border-radius:50%;background:var(--track)}.dots i.on{background:var(--primary)}
        .idle-hint{margin:0;text-align:center;font-size:clamp(.95rem,2.6vh,1.8rem);color:var(--muted)}
        .toast{position:fixed;left:50%;bottom:4vh;transform:translateX(-50%);margin:0;padding:1.6vh 3vw;border-radius:3vh;background:var(--fg);color:var(--bg);font-weight:700;font-size:clamp(1rem,3vh,2rem);max-width:90vw;text-align:center}
        @media (orientation:portrait){
          .slide{grid-template-columns:1fr;justify-items:center;text-align:center;align-content:center}
          .wicon{width:34vw;height:34vw}
          .slide h1{font-size:clamp(1.8rem,7vw,6rem)}.slide p{font-size:clamp(1.1rem,3.6vw,3rem)}
          .tap{font-size:clamp(1.1rem,4vw,2.6rem)}
          .terminal .qr img{width:76vw}
          .terminal .copy h1{font-size:clamp(2rem,7vw,6rem)}.terminal .copy p{font-size:clamp(1.1rem,3.6vw,3rem)}
          .brand{justify-content:center}
        }
        """;

    /// <summary>The brand's colours as CSS variables; text is dark or light, whichever reads on the background.</summary>
    public static string Brand(LocationBrand brand)
    {
        var bg = Color(brand.BackgroundColor, "#FFFFFF");
        var primary = Color(brand.PrimaryColor, "#1F4FD1");
        var darkBackground = Luminance(bg) < 0.179;
        var fg = darkBackground ? "#F8FAFC" : "#0F172A";
        var muted = darkBackground ? "#CBD5E1" : "#475569";
        var track = darkBackground ? "rgba(255,255,255,.18)" : "rgba(15,23,42,.12)";
        var onPrimary = Luminance(primary) < 0.179 ? "#FFFFFF" : "#0F172A";
        return $":root{{--bg:{bg};--fg:{fg};--muted:{muted};--track:{track};--primary:{primary};--on-primary:{onPrimary}}}";
    }

    /// <summary>Only a checked <c>#RRGGBB</c> reaches the stylesheet.</summary>
    private static string Color(string? value, string fallback) => LocationSettingsRules.IsColor(value) ? value! : fallback;

    private static double Luminance(string hex)
    {
        double Channel(int at)
        {
            var c = int.Parse(hex.AsSpan(at, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        return (0.2126 * Channel(1)) + (0.7152 * Channel(3)) + (0.0722 * Channel(5));
    }
}
