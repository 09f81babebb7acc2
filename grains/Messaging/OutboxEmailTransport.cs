using Microsoft.Extensions.Options;
using Widgets.Sessions;

namespace Widgets.Grains.Messaging;

/// <summary>With no SMTP server configured, writes each email as an .eml file a developer can open.</summary>
public sealed class OutboxEmailTransport(IOptions<EmailOptions> email, IOptions<OutboxOptions> outbox, TimeProvider clock) : IEmailTransport
{
    public const string Folder = "email";

    /// <summary>The file name of a message: time first, so a folder lists in order; the message id last, so an erasure finds it.</summary>
    public static string FileName(DateTimeOffset at, string messageId) => $"{at:yyyyMMddTHHmmssfff}-{messageId}.eml";

    public async Task<string?> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(outbox.Value.Directory, Folder);
        Directory.CreateDirectory(folder);
        var mime = EmailMessageBuilder.Build(message, email.Value.From);
        var path = Path.Combine(folder, FileName(clock.GetUtcNow(), message.MessageId));
        await mime.WriteToAsync(path, cancellationToken);
        return mime.MessageId;
    }
}
