using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using Widgets.Sessions;

namespace Widgets.Grains.Messaging;

/// <summary>Sends email through the configured SMTP server with MailKit.</summary>
public sealed class SmtpEmailTransport(IOptions<EmailOptions> options) : IEmailTransport
{
    public async Task<string?> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        var config = options.Value;
        var mime = EmailMessageBuilder.Build(message, config.From);
        using var client = new SmtpClient();
        var security = config.Smtp.UseTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None;
        await client.ConnectAsync(config.Smtp.Host ?? "localhost", config.Smtp.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(config.Smtp.User))
        {
            await client.AuthenticateAsync(config.Smtp.User, config.Smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(true, cancellationToken);
        return mime.MessageId;
    }
}
