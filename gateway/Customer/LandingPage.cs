using System.Text;

namespace Widgets.Gateway.Customer;

/// <summary>The mobile landing page: the widget's headline and its form, re-rendered with messages when a field is wrong.</summary>
internal static class LandingPage
{
    public static HtmlPage Form(LandingView view, LandingInput input, IReadOnlyDictionary<string, string[]> errors, string action, string csrf, int status)
    {
        var widget = view.Widget;
        var headline = widget.Content.Headline ?? widget.Name;
        var controls = new FormControls(errors);
        var (fields, button) = LandingForms.Render(widget, input, controls);
        var html = new StringBuilder()
            .Append("<h1>").Append(Html.Encode(headline)).Append("</h1>\n");
        if (!string.IsNullOrWhiteSpace(widget.Content.Body))
        {
            html.Append("<p class=\"lead\">").Append(Html.Encode(widget.Content.Body)).Append("</p>\n");
        }

        if (errors.Count > 0)
        {
            var rest = controls.UnshownErrors.ToList();
            html.Append("<div class=\"alert\" role=\"alert\">Please check the highlighted fields.");
            foreach (var message in rest)
            {
                html.Append("<br>").Append(Html.Encode(message));
            }

            html.Append("</div>\n");
        }

        html.Append("<form method=\"post\" action=\"").Append(Html.Encode(action)).Append("\" accept-charset=\"utf-8\">\n")
            .Append(FormControls.Hidden("csrf", csrf))
            .Append(fields)
            .Append("<button type=\"submit\">").Append(Html.Encode(button)).Append("</button>\n</form>");
        return new HtmlPage(status, PageKind.Landing, headline, PageLayout.Card(html.ToString()));
    }

    /// <summary>The form could not be read at all: too large, wrong media type or malformed.</summary>
    public static HtmlPage Unreadable(int status) => PageLayout.Message(status, PageKind.Landing, Icons.Alert, "Something went wrong",
        status switch
        {
            StatusCodes.Status413PayloadTooLarge => "That was more than this form accepts. Please shorten your answers and try again.",
            StatusCodes.Status415UnsupportedMediaType => "Please send the form from this page.",
            StatusCodes.Status403Forbidden => "This form has expired. Please reload the page and send it again.",
            _ => "We couldn't read the form. Please go back and try again.",
        });
}
