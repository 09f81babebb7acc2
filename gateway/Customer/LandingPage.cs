using System.Globalization;
using System.Text;
using Widgets.Gateway.Customer.Texts;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Customer;

/// <summary>The mobile landing page: the widget's headline and its form, re-rendered with messages when a field is wrong.</summary>
internal static class LandingPage
{
    public static HtmlPage Form(LandingView view, LandingInput input, IReadOnlyDictionary<string, string[]> errors, string action, string csrf, int status, CustomerTexts texts)
    {
        var widget = view.Widget;
        var headline = widget.Content.Headline ?? widget.Name;
        var controls = new FormControls(errors, texts.Landing.Optional);
        var (fields, button) = LandingForms.Render(widget, input, controls, texts);
        var html = new StringBuilder()
            .Append("<h1>").Append(Html.Encode(headline)).Append("</h1>\n");
        if (!string.IsNullOrWhiteSpace(widget.Content.Body))
        {
            html.Append("<p class=\"lead\">").Append(Html.Encode(widget.Content.Body)).Append("</p>\n");
        }

        if (errors.Count > 0)
        {
            var rest = controls.UnshownErrors.ToList();
            html.Append("<div class=\"alert\" role=\"alert\">").Append(Html.Encode(texts.Landing.CheckFields));
            foreach (var message in rest)
            {
                html.Append("<br>").Append(Html.Encode(message));
            }

            html.Append("</div>\n");
        }
        else if (ContactHint(view) is { } hint)
        {
            html.Append("<p class=\"hint\" data-contact-hint>").Append(Html.Encode(string.Format(CultureInfo.InvariantCulture, texts.Landing.IsThisYou, hint))).Append("</p>\n");
        }

        html.Append("<form method=\"post\" action=\"").Append(Html.Encode(action)).Append("\" accept-charset=\"utf-8\">\n")
            .Append(FormControls.Hidden("csrf", csrf))
            .Append(fields)
            .Append("<button type=\"submit\">").Append(Html.Encode(button)).Append("</button>\n</form>");
        return new HtmlPage(status, PageKind.Landing, headline, PageLayout.Card(html.ToString()), lang: texts.Lang);
    }

    /// <summary>
    /// The contact the POS gave, masked so it confirms without revealing ("j***@example.com"); none once the session
    /// ended, when whoever holds the link need not be the customer at the lane.
    /// </summary>
    private static string? ContactHint(LandingView view) =>
        view.Ended ? null
        : !string.IsNullOrWhiteSpace(view.Profile.CustomerEmail) ? Masking.Email(view.Profile.CustomerEmail.Trim())
        : !string.IsNullOrWhiteSpace(view.Profile.CustomerPhone) ? Masking.Phone(view.Profile.CustomerPhone.Trim())
        : null;

    /// <summary>The form could not be read at all: too large, wrong media type or malformed.</summary>
    public static HtmlPage Unreadable(int status, CustomerTexts texts) => PageLayout.Message(status, PageKind.Landing, Icons.Alert, texts.Landing.ErrorTitle,
        status switch
        {
            StatusCodes.Status413PayloadTooLarge => texts.Landing.TooLarge,
            StatusCodes.Status415UnsupportedMediaType => texts.Landing.WrongMediaType,
            StatusCodes.Status403Forbidden => texts.Landing.FormExpired,
            _ => texts.Landing.Unreadable,
        }, texts.Lang);
}
