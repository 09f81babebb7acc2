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
        var body = new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html };
        mime.Body = body.ToMessageBody();
        return mime;
    }
}
