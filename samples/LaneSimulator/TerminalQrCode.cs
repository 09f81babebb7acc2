using QRCoder;

namespace Widgets.Samples.LaneSimulator;

/// <summary>A QR code drawn with Unicode half blocks (two modules per character), so a phone can scan it off the terminal.</summary>
public static class TerminalQrCode
{
    /// <summary>
    /// The code with its quiet zone. A terminal draws the blocks in its text colour: on the usual dark background the
    /// blocks must be the code's light modules (QRCoder's default); on a light background, its dark modules (inverted).
    /// </summary>
    public static string Render(string text, bool lightTerminal)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var code = new AsciiQRCode(data);
        return code.GetGraphicSmall(drawQuietZones: true, invert: lightTerminal);
    }
}
