using MimeKit;
using Widgets.Sessions;

namespace Widgets.Grains.Messaging;

internal static class EmailMessageBuilder
{
    public static MimeMessage Build(OutboundMessage message, string from)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(from));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject ?? "";
        mime.MessageId = $"{message.MessageId}@widgets";
        if (message.UnsubscribeUrl is { } unsubscribe)
        {
            // RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the URL.
            mime.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        var body = new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html };
        mime.Body = body.ToMessageBody();
        return mime;
    }
}
