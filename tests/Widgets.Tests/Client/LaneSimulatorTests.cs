using System.Text.RegularExpressions;
using Widgets.Client;
using Widgets.Samples.LaneSimulator;
using Widgets.Tests.Infrastructure;
using Xunit;
using ZXing;
using ZXing.Common;

namespace Widgets.Tests.Client;

/// <summary><c>samples/LaneSimulator</c>, the README's way to watch a lane work, run against the real gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed partial class LaneSimulatorTests(GatewayFixture gateway)
{
    private const int PixelsPerModule = 4;

    [Fact]
    public async Task Lane_simulator_prints_a_QR_code_a_phone_reads_as_the_landing_page_sends_the_link_and_sees_the_timeout()
    {
        var location = await gateway.CreateLocationAsync();
        await location.CreateWidgetId("Join our rewards", timeoutSeconds: 3);
        var email = $"ana.{Guid.NewGuid():N}@example.com";
        using var client = new WidgetsClient(new WidgetsClientOptions
        {
            BaseAddress = gateway.BaseAddress,
            ClientId = location.PosClientId,
            ClientSecret = location.PosClientSecret,
            PosSystemId = location.PosSystemId,
        });
        var output = new StringWriter();
        var settings = new LaneSettings
        {
            BaseUrl = gateway.BaseAddress,
            PosSystemId = location.PosSystemId,
            LocationId = location.LocationId,
            Email = email,
            PollInterval = TimeSpan.FromMilliseconds(200),
        };

        var ended = await new LaneSimulation(client, settings, output).RunAsync(CancellationToken.None).WaitAsync(GatewayFixture.Patience);

        var printed = output.ToString();
        Assert.Equal(SessionStates.TimedOut, ended.State);
        Assert.Contains("asked again: 304 Not Modified", printed, StringComparison.Ordinal);
        var landing = LandingLine().Match(printed).Groups[1].Value;
        Assert.StartsWith(new Uri(gateway.BaseAddress, $"/w/{ended.SessionId}.").ToString(), landing);
        Assert.Equal(landing, ReadTerminalQrCode(printed, darkBackground: true));
        Assert.Matches(@"email\s+a\*\*\*@example\.com\s+sent", printed);
        Assert.Matches(@"sms\s+\+1\*+0123\s+sent", printed);
        Assert.Matches(@"timedOut\s+ended", printed);
        await gateway.Smtp.WaitForMessageTo(email, GatewayFixture.Patience);
    }

    [Fact]
    public void Drawing_for_a_light_terminal_reads_the_same_on_a_light_background()
    {
        const string Landing = "http://127.0.0.1:5080/w/0123456789abcdef0123456789abcdef.1796850155.ILK3ozMcHA1nsbkGQBQQeieyjBJ";
        var drawing = TerminalQrCode.Render(Landing, lightTerminal: true);

        Assert.Equal(Landing, Read(drawing.Split('\n'), darkBackground: false));
    }

    /// <summary>The QR code the simulator printed, read as a phone sees it on the terminal: blocks in the text colour.</summary>
    private static string ReadTerminalQrCode(string printed, bool darkBackground)
    {
        var lines = printed.Split('\n');
        var from = Array.FindIndex(lines, l => l.StartsWith("3. QR code", StringComparison.Ordinal)) + 1;
        var to = Array.FindIndex(lines, l => l.Contains("landing page:", StringComparison.Ordinal));
        var rows = lines[from..to].Where(l => l.Length > 0).Select(l => l[12..]).ToList();
        return Read(rows, darkBackground);
    }

    /// <summary>
    /// Half blocks to modules (each character is two, one above the other), then pixels, then ZXing. On a dark
    /// background, module rows and columns at the edge without ink are the terminal's own background (an odd-sized
    /// code leaves half a line of it at the bottom): a camera sees them as the dark surroundings, so they are cut off.
    /// </summary>
    private static string Read(IReadOnlyList<string> rows, bool darkBackground)
    {
        rows = rows.Where(r => r.Length > 0).ToList();
        var inked = new List<bool[]>();
        var width = rows.Max(r => r.Length);
        foreach (var row in rows)
        {
            var glyphs = row.PadRight(width);
            inked.Add(glyphs.Select(g => g is '█' or '▀').ToArray());
            inked.Add(glyphs.Select(g => g is '█' or '▄').ToArray());
        }

        var (top, bottom, left, right) = (0, inked.Count - 1, 0, width - 1);
        if (darkBackground)
        {
            while (top < bottom && !inked[top].Any(i => i)) top++;
            while (bottom > top && !inked[bottom].Any(i => i)) bottom--;
            while (left < right && !inked.Any(r => r[left])) left++;
            while (right > left && !inked.Any(r => r[right])) right--;
        }

        var (columns, lines) = (right - left + 1, bottom - top + 1);
        var pixels = new byte[columns * PixelsPerModule * lines * PixelsPerModule];
        var stride = columns * PixelsPerModule;
        for (var y = 0; y < lines * PixelsPerModule; y++)
        {
            for (var x = 0; x < stride; x++)
            {
                var ink = inked[top + (y / PixelsPerModule)][left + (x / PixelsPerModule)];
                pixels[(y * stride) + x] = ink == darkBackground ? (byte)255 : (byte)0;
            }
        }

        var source = new RGBLuminanceSource(pixels, stride, lines * PixelsPerModule, RGBLuminanceSource.BitmapFormat.Gray8);
        var reader = new BarcodeReaderGeneric { Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], PureBarcode = true } };
        var result = reader.Decode(source);
        Assert.True(result is not null, $"No QR code in the drawing:\n{string.Join("\n", rows)}");
        return result.Text;
    }

    [GeneratedRegex(@"landing page: (\S+)")]
    private static partial Regex LandingLine();
}
