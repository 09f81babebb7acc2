using System.Text;

namespace Widgets.Gateway.Customer;

/// <summary>
/// Renders form controls with their labels and error messages, remembering which fields it showed so the page can
/// list any remaining errors at the top. Every value is HTML-encoded here.
/// </summary>
internal sealed class FormControls(IReadOnlyDictionary<string, string[]> errors, string optionalMark)
{
    private readonly HashSet<string> shown = new(StringComparer.Ordinal);
    private int nextId;

    /// <summary>Errors of fields this form did not render (e.g. an answer to an unknown question).</summary>
    public IEnumerable<string> UnshownErrors => errors.Where(e => !shown.Contains(e.Key)).SelectMany(e => e.Value);

    public string Text(string name, string label, string value, string type, string autocomplete, int maxLength, bool required = false, bool optional = false, string? inputMode = null)
    {
        var (invalid, error, describedBy) = Error(name);
        var mode = inputMode is null ? "" : $" inputmode=\"{inputMode}\"";
        return $"<label class=\"field{invalid}\">{Html.Encode(label)}{Optional(optional)}"
            + $"<input type=\"{type}\" name=\"{Html.Encode(name)}\" value=\"{Html.Encode(value)}\" autocomplete=\"{autocomplete}\"{mode} maxlength=\"{maxLength}\"{Required(required)}{describedBy}>"
            + $"{error}</label>\n";
    }

    public string TextArea(string name, string label, string value, int maxLength, bool required)
    {
        var (invalid, error, describedBy) = Error(name);
        return $"<label class=\"field{invalid}\">{Html.Encode(label)}{Optional(!required)}"
            + $"<textarea name=\"{Html.Encode(name)}\" maxlength=\"{maxLength}\" rows=\"4\"{Required(required)}{describedBy}>{Html.Encode(value)}</textarea>"
            + $"{error}</label>\n";
    }

    public string Checkbox(string name, string text, bool isChecked, bool required)
    {
        var (invalid, error, describedBy) = Error(name);
        return $"<label class=\"check{invalid}\"><input type=\"checkbox\" name=\"{Html.Encode(name)}\" value=\"yes\"{(isChecked ? " checked" : "")}{Required(required)}{describedBy}>"
            + $"<span>{Html.Encode(text)}{error}</span></label>\n";
    }

    /// <summary>A group of radio buttons drawn as large tap targets; <paramref name="options"/> are (value, label) pairs.</summary>
    public string Radios(string name, string legend, IEnumerable<(string Value, string Label)> options, string? selected, bool required, string cssClass, string? footer = null)
    {
        var (invalid, error, describedBy) = Error(name);
        var html = new StringBuilder($"<fieldset class=\"{invalid.Trim()}\"{describedBy}><legend>{Html.Encode(legend)}{Optional(!required)}</legend><div class=\"choices {cssClass}\">");
        var first = true;
        foreach (var (value, label) in options)
        {
            html.Append($"<label class=\"choice\"><input type=\"radio\" name=\"{Html.Encode(name)}\" value=\"{Html.Encode(value)}\"")
                .Append(value == selected ? " checked" : "").Append(first ? Required(required) : "")
                .Append($"><span>{Html.Encode(label)}</span></label>");
            first = false;
        }

        return html.Append("</div>").Append(footer).Append(error).Append("</fieldset>\n").ToString();
    }

    public static string Hidden(string name, string value) => $"<input type=\"hidden\" name=\"{Html.Encode(name)}\" value=\"{Html.Encode(value)}\">\n";

    private (string Invalid, string Error, string DescribedBy) Error(string name)
    {
        shown.Add(name);
        if (!errors.TryGetValue(name, out var messages) || messages.Length == 0)
        {
            return ("", "", "");
        }

        var id = $"error-{++nextId}";
        return (" invalid", $"<span class=\"error\" id=\"{id}\">{Html.Encode(string.Join(" ", messages))}</span>", $" aria-invalid=\"true\" aria-describedby=\"{id}\"");
    }

    private string Optional(bool optional) => optional ? $" <span class=\"optional\">{Html.Encode(optionalMark)}</span>" : "";

    private static string Required(bool required) => required ? " required" : "";
}
