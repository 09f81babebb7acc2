using System.Globalization;
using System.Text.Json;

namespace Widgets.Samples.LaneSimulator;

/// <summary>What the simulated lane does, from the command line; every argument has a default that fits the demo.</summary>
public sealed record LaneSettings
{
    public const string Usage = """
        Usage: dotnet run --project samples/LaneSimulator -- [options]

          --base-url URL        the gateway                                  (http://localhost:5080)
          --client-id ID        POS client id                                (demo-pos)
          --client-secret S     its secret     (default: "Pos" in gateway/data/demo-secrets.json)
          --pos-system ID       POS system id in the routes                  (demo)
          --location ID         posLocationId                                (store-1)
          --terminal ID         terminalId, the lane                         (lane-1)
          --context NAME        checkout | idle | postPurchase               (checkout)
          --widget ID           the widget to start       (default: the first listed with a QR code)
          --email ADDRESS       where the link is emailed                    (ana@example.com)
          --phone NUMBER        where the link is texted, E.164              (+14155550123)
          --light-terminal      draw the QR for dark text on a light background
          --help                this text

        Ctrl+C cancels the session and stops.
        """;

    public Uri BaseUrl { get; init; } = new("http://localhost:5080");

    public string ClientId { get; init; } = "demo-pos";

    public string? ClientSecret { get; init; }

    public string PosSystemId { get; init; } = "demo";

    public string LocationId { get; init; } = "store-1";

    public string TerminalId { get; init; } = "lane-1";

    public string Context { get; init; } = "checkout";

    public int? WidgetId { get; init; }

    public string Email { get; init; } = "ana@example.com";

    public string Phone { get; init; } = "+14155550123";

    public bool LightTerminal { get; init; }

    /// <summary>How often the session is read while it is watched.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often an unchanged state is printed again (the countdown).</summary>
    public TimeSpan ReprintInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Parses <c>--name value</c> pairs; returns null and an error message when they do not make sense.</summary>
    public static (LaneSettings? Settings, string? Error) Parse(IReadOnlyList<string> args)
    {
        var settings = new LaneSettings();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h")
            {
                return (null, "");
            }

            if (name == "--light-terminal")
            {
                settings = settings with { LightTerminal = true };
                continue;
            }

            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                return (null, $"{name} needs a value.");
            }

            var value = args[++i];
            switch (name)
            {
                case "--base-url" when Uri.TryCreate(value, UriKind.Absolute, out var url):
                    settings = settings with { BaseUrl = url };
                    break;
                case "--client-id":
                    settings = settings with { ClientId = value };
                    break;
                case "--client-secret":
                    settings = settings with { ClientSecret = value };
                    break;
                case "--pos-system":
                    settings = settings with { PosSystemId = value };
                    break;
                case "--location":
                    settings = settings with { LocationId = value };
                    break;
                case "--terminal":
                    settings = settings with { TerminalId = value };
                    break;
                case "--context":
                    settings = settings with { Context = value };
                    break;
                case "--widget" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var widget):
                    settings = settings with { WidgetId = widget };
                    break;
                case "--email":
                    settings = settings with { Email = value };
                    break;
                case "--phone":
                    settings = settings with { Phone = value };
                    break;
                default:
                    return (null, $"Unknown option or bad value: {name} {value}");
            }
        }

        return (settings, null);
    }

    /// <summary>
    /// The demo POS secret the gateway writes at its first start (<c>gateway/data/demo-secrets.json</c>, <c>"Pos"</c>),
    /// looked for from <paramref name="directory"/> upwards, so the simulator finds it from the repository root or below.
    /// </summary>
    public static string? DemoSecret(string directory)
    {
        for (var folder = new DirectoryInfo(directory); folder is not null; folder = folder.Parent)
        {
            var file = Path.Combine(folder.FullName, "gateway", "data", "demo-secrets.json");
            if (File.Exists(file))
            {
                using var secrets = JsonDocument.Parse(File.ReadAllText(file));
                return secrets.RootElement.TryGetProperty("Pos", out var pos) ? pos.GetString() : null;
            }
        }

        return null;
    }
}
