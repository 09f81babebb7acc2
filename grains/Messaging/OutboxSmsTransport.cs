using System.Text.Json;
using Microsoft.Extensions.Options;
using Widgets.Sessions;

namespace Widgets.Grains.Messaging;

/// <summary>With no SMS provider configured, appends each SMS as one JSON line to outbox/sms.jsonl.</summary>
public sealed class OutboxSmsTransport(IOptions<OutboxOptions> outbox, TimeProvider clock) : ISmsTransport
{
    private static readonly SemaphoreSlim FileLock = new(1, 1);

    public async Task<string?> SendAsync(OutboundMessage message, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outbox.Value.Directory);
        var line = JsonSerializer.Serialize(new
        {
            messageId = message.MessageId,
            to = message.To,
            body = message.Text,
            at = clock.GetUtcNow(),
        });
        await FileLock.WaitAsync(cancellationToken);
        try
        {
            await File.AppendAllTextAsync(Path.Combine(outbox.Value.Directory, "sms.jsonl"), line + "\n", cancellationToken);
        }
        finally
        {
            FileLock.Release();
        }

        return message.MessageId;
    }
}
