using QRCoder;

namespace Widgets.Gateway.Customer;

/// <summary>
/// QR images of a landing URL: error correction M, QRCoder's 4-module quiet zone, 12 px per module in PNG (large
/// enough to scan from arm's length) and a scalable SVG for the screen page.
/// </summary>
internal static class QrImages
{
    public const int PngPixelsPerModule = 12;

    public static byte[] Png(string text)
    {
        using var data = Encode(text);
        using var png = new PngByteQRCode(data);
        return png.GetGraphic(PngPixelsPerModule, drawQuietZones: true);
    }

    public static string Svg(string text)
    {
        using var data = Encode(text);
        using var svg = new SvgQRCode(data);
        return svg.GetGraphic(10, "#000000", "#ffffff", drawQuietZones: true, SvgQRCode.SizingMode.ViewBoxAttribute);
    }

    private static QRCodeData Encode(string text) => QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.M);
}
