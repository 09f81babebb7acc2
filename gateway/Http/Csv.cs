using System.Globalization;
using System.Text;

namespace Widgets.Gateway.Http;

/// <summary>
/// CSV as the operator API and the console write it (one home): RFC 4180 quoting, and text fields that a spreadsheet
/// would run as a formula (<c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab, CR first) defused with a leading apostrophe.
/// </summary>
public static class Csv
{
    /// <summary>Quotes a text field and defuses spreadsheet formulas an operator- or customer-supplied text could carry.</summary>
    public static string Text(string? value)
    {
        value ??= "";
        var safe = value.Length > 0 && "=+-@\t\r".Contains(value[0]) ? "'" + value : value;
        return $"\"{safe.Replace("\"", "\"\"")}\"";
    }

    /// <summary>A number or date as written in every locale (invariant culture), unquoted.</summary>
    public static string Value(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    /// <summary>Appends one row of already-formatted fields.</summary>
    public static void Row(StringBuilder csv, params string[] fields) => csv.Append(string.Join(',', fields)).Append('\n');
}
