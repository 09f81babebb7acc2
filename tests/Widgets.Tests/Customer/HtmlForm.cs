using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace Widgets.Tests.Customer;

/// <summary>One field of a rendered HTML form: an <c>input</c> or a <c>textarea</c>, with its attribute values decoded.</summary>
public sealed record HtmlField(string Name, string Type, string Value, bool Checked, bool Required);

/// <summary>
/// The single form of a page as a browser would submit it: a small reader of the markup the gateway renders, so a
/// test posts exactly the fields the page shows (hidden ones included) and nothing the page does not show.
/// </summary>
public sealed partial class HtmlForm
{
    private HtmlForm(string action, string method, IReadOnlyList<HtmlField> fields)
    {
        Action = action;
        Method = method;
        Fields = fields;
    }

    public string Action { get; }

    public string Method { get; }

    public IReadOnlyList<HtmlField> Fields { get; }

    /// <summary>The only form of <paramref name="html"/>; fails the test unless there is exactly one.</summary>
    public static HtmlForm Single(string html)
    {
        var forms = FormTag().Matches(html);
        Assert.True(forms.Count == 1, $"Expected one form, found {forms.Count} in: {html}");
        var form = forms[0];
        var attributes = Attributes(form.Groups["attributes"].Value);
        var inner = form.Groups["inner"].Value;
        var fields = new List<HtmlField>();
        foreach (Match input in InputTag().Matches(inner))
        {
            var a = Attributes(input.Groups["attributes"].Value);
            if (a.TryGetValue("name", out var name))
            {
                fields.Add(new HtmlField(name, a.GetValueOrDefault("type", "text"), a.GetValueOrDefault("value", ""), a.ContainsKey("checked"), a.ContainsKey("required")));
            }
        }

        foreach (Match area in TextAreaTag().Matches(inner))
        {
            var a = Attributes(area.Groups["attributes"].Value);
            fields.Add(new HtmlField(a["name"], "textarea", WebUtility.HtmlDecode(area.Groups["text"].Value), false, a.ContainsKey("required")));
        }

        return new HtmlForm(attributes.GetValueOrDefault("action", ""), attributes.GetValueOrDefault("method", "get"), fields);
    }

    /// <summary>The names of the fields the form shows (each name once).</summary>
    public IReadOnlySet<string> Names => Fields.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>The value of the text-like field <paramref name="name"/> as rendered (e.g. prefilled from the POS profile).</summary>
    public string ValueOf(string name) => Fields.SingleOrDefault(f => f.Name == name && f.Type is not ("checkbox" or "radio"))?.Value
        ?? throw new Xunit.Sdk.XunitException($"No text field '{name}' in the form; it has {string.Join(", ", Names)}.");

    /// <summary>
    /// The body a browser sends after the customer typed <paramref name="typed"/> over the rendered values: text and
    /// hidden fields keep their value unless typed over, checkboxes and radios are sent when ticked (rendered
    /// <c>checked</c> or named in <paramref name="typed"/> with one of their values). Every typed name must be a
    /// field of the form.
    /// </summary>
    public FormUrlEncodedContent Submit(IReadOnlyDictionary<string, string> typed)
    {
        foreach (var (name, value) in typed)
        {
            var matching = Fields.Where(f => f.Name == name).ToList();
            Assert.True(matching.Count > 0, $"The form has no field '{name}'; it has {string.Join(", ", Names)}.");
            if (matching[0].Type is "checkbox" or "radio")
            {
                Assert.True(matching.Any(f => f.Value == value), $"'{value}' is not one of the values of '{name}': {string.Join(", ", matching.Select(f => f.Value))}.");
            }
        }

        var body = new List<KeyValuePair<string, string>>();
        foreach (var group in Fields.GroupBy(f => f.Name))
        {
            var first = group.First();
            if (first.Type is "checkbox" or "radio")
            {
                var ticked = typed.TryGetValue(group.Key, out var chosen) ? group.Where(f => f.Value == chosen) : group.Where(f => f.Checked);
                body.AddRange(ticked.Take(1).Select(f => KeyValuePair.Create(f.Name, f.Value)));
            }
            else
            {
                body.Add(KeyValuePair.Create(group.Key, typed.GetValueOrDefault(group.Key, first.Value)));
            }
        }

        return new FormUrlEncodedContent(body);
    }

    /// <summary>Where the form posts to, resolved against the page's own URL.</summary>
    public Uri Target(Uri page) => new(page, Action);

    private static Dictionary<string, string> Attributes(string text) =>
        Attribute().Matches(text).GroupBy(m => m.Groups["name"].Value.ToLowerInvariant(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => WebUtility.HtmlDecode(g.First().Groups["value"].Value), StringComparer.Ordinal);

    [GeneratedRegex("<form\\b(?<attributes>[^>]*)>(?<inner>.*?)</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormTag();

    [GeneratedRegex("<input\\b(?<attributes>[^>]*)>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    [GeneratedRegex("<textarea\\b(?<attributes>[^>]*)>(?<text>.*?)</textarea>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex TextAreaTag();

    [GeneratedRegex("(?<name>[A-Za-z][\\w.:-]*)(?:\\s*=\\s*\"(?<value>[^\"]*)\")?")]
    private static partial Regex Attribute();
}
