using System.Net;
using Widgets.Catalogue;
using Widgets.Sessions;

namespace Widgets.Grains.Messaging;

/// <summary>Renders a widget's templates into the text of an SMS or email; the landing URL is always in it.</summary>
public static class MessageComposer
{
    public const string UrlPlaceholder = "{url}";
    public const string FirstNamePlaceholder = "{firstName}";
    public const string SmsOptOutFooter = "Reply STOP to opt out.";

    public static OutboundMessage Compose(string messageId, Recipient to, SessionWidget widget, CustomerProfile? profile, string landingUrl)
    {
        var content = widget.Content;
        var firstName = string.IsNullOrWhiteSpace(profile?.FirstName) ? "there" : profile.FirstName.Trim();
        if (to.Channel == WidgetChannel.Sms)
        {
            var sms = $"{WithUrl(Fill(content.SmsText ?? content.Headline ?? widget.Name, firstName), landingUrl)} {SmsOptOutFooter}";
            return new OutboundMessage(messageId, to.Channel, to.Address, null, sms, null);
        }

        var subject = Fill(content.EmailSubject ?? content.Headline ?? widget.Name, firstName);
        var body = Fill(content.EmailBody ?? content.Body ?? content.Headline ?? widget.Name, firstName);
        var text = WithUrl(body, landingUrl);
        var html = $"<p>{WebUtility.HtmlEncode(body.Replace(UrlPlaceholder, "", StringComparison.Ordinal))}</p>"
            + $"<p><a href=\"{WebUtility.HtmlEncode(landingUrl)}\">{WebUtility.HtmlEncode(content.Headline ?? widget.Name)}</a></p>";
        if (to.UnsubscribeUrl is { } unsubscribe)
        {
            text += $"\n\nTo stop these emails: {unsubscribe}";
            html += $"<p style=\"font-size:12px;color:#666\"><a href=\"{WebUtility.HtmlEncode(unsubscribe)}\">Unsubscribe</a></p>";
        }

        return new OutboundMessage(messageId, to.Channel, to.Address, subject, text, html, to.UnsubscribeUrl);
    }

    private static string Fill(string template, string firstName) =>
        template.Replace(FirstNamePlaceholder, firstName, StringComparison.Ordinal);

    private static string WithUrl(string text, string url) =>
        text.Contains(UrlPlaceholder, StringComparison.Ordinal)
            ? text.Replace(UrlPlaceholder, url, StringComparison.Ordinal)
            : $"{text} {url}";
}
