using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Widgets.Gateway.Customer;

/// <summary>Encodes text for HTML. Every value a page echoes goes through here; letters of any script stay readable.</summary>
internal static class Html
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Encode(string? text) => string.IsNullOrEmpty(text) ? "" : Encoder.Encode(text);
}
