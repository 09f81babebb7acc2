using StbImageSharp;
using Xunit;
using ZXing;
using ZXing.Common;

namespace Widgets.Tests.Customer;

/// <summary>Reads a QR code out of an image the way a phone camera app would: pixels in, text out (ZXing.Net on StbImageSharp's decoded pixels).</summary>
public static class QrDecoder
{
    /// <summary>The text the QR code in <paramref name="image"/> (PNG, JPEG, …) encodes; fails the test when there is none.</summary>
    public static string Decode(byte[] image)
    {
        var pixels = ImageResult.FromMemory(image, ColorComponents.RedGreenBlueAlpha);
        var source = new RGBLuminanceSource(pixels.Data, pixels.Width, pixels.Height, RGBLuminanceSource.BitmapFormat.RGBA32);
        var reader = new BarcodeReaderGeneric
        {
            Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true },
        };
        var result = reader.Decode(source);
        Assert.True(result is not null, $"No QR code found in the {pixels.Width}×{pixels.Height} image.");
        return result.Text;
    }
}
