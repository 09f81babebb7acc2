using StbImageSharp;
using Xunit;
using ZXing;
using ZXing.Common;

namespace Widgets.Tests.Customer;

/// <summary>Reads a QR code out of a generated image: pixels from StbImageSharp, text from ZXing.Net.</summary>
public static class QrDecoder
{
    /// <summary>
    /// The text the QR code in <paramref name="image"/> (PNG, JPEG, …) encodes; fails the test when there is none, or
    /// when the code has no light quiet zone around it (a camera needs one; the pure-image mode below does not).
    /// </summary>
    /// <remarks>
    /// ZXing's camera-style finder-pattern detector misses about 1 % of valid symbols of our landing URLs' shape at
    /// every scale, also symbols made by ZXing's own encoder (measured on 1,000 URLs), so it would make the test
    /// flaky. Its <see cref="DecodingOptions.PureBarcode"/> mode, meant for a generated image that holds nothing
    /// but the code, read every one of them.
    /// </remarks>
    public static string Decode(byte[] image)
    {
        var pixels = ImageResult.FromMemory(image, ColorComponents.RedGreenBlueAlpha);
        AssertQuietZone(pixels);
        var source = new RGBLuminanceSource(pixels.Data, pixels.Width, pixels.Height, RGBLuminanceSource.BitmapFormat.RGBA32);
        var reader = new BarcodeReaderGeneric
        {
            Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], PureBarcode = true },
        };
        var result = reader.Decode(source);
        Assert.True(result is not null, $"No QR code found in the {pixels.Width}×{pixels.Height} image.");
        return result.Text;
    }

    /// <summary>
    /// A 4-module quiet zone is at least 4 % of the image's side for every QR version (8 of at most 185 modules), so
    /// a band of that width along each edge must be light.
    /// </summary>
    private static void AssertQuietZone(ImageResult pixels)
    {
        var band = Math.Max(1, (int)(Math.Min(pixels.Width, pixels.Height) * 0.04));
        for (var y = 0; y < pixels.Height; y++)
        {
            for (var x = 0; x < pixels.Width; x++)
            {
                var inBand = x < band || y < band || x >= pixels.Width - band || y >= pixels.Height - band;
                var at = ((y * pixels.Width) + x) * 4;
                var light = pixels.Data[at] > 200 && pixels.Data[at + 1] > 200 && pixels.Data[at + 2] > 200 && pixels.Data[at + 3] > 200;
                Assert.True(!inBand || light, $"Dark pixel at ({x}, {y}) within {band} px of the edge of the {pixels.Width}×{pixels.Height} QR image: no quiet zone.");
            }
        }
    }
}
