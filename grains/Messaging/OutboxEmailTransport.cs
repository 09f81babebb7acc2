using Microsoft.Extensions.Options;
using Widgets.Sessions;

namespace Widgets.Grains.Messaging;

/// <summary>With no SMTP server configured, writes each email as an .eml file a developer can open.</summary>
public sealed class OutboxEmailTransport(IOptions<EmailOptions> email, IOptions<OutboxOptions> outbox, TimeProvider clock) : IEmailTransport
{
    public async Task<string?> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(outbox.Value.Directory, "email");
        Directory.CreateDirectory(folder);
        var mime = EmailMessageBuilder.Build(message, email.Value.From);
        var path = Path.Combine(folder, $"{clock.GetUtcNow():yyyyMMddTHHmmssfff}-{message.MessageId}.eml");
        await mime.WriteToAsync(path, cancellationToken);
        return mime.MessageId;
    }
}
