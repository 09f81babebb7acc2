using System.Text.Json;
using Microsoft.Extensions.Options;
using Widgets.Sessions;

namespace Widgets.Grains.Messaging;

/// <summary>With no SMS provider configured, appends each SMS as one JSON line to outbox/sms.jsonl.</summary>
public sealed class OutboxSmsTransport(IOptions<OutboxOptions> outbox, TimeProvider clock) : ISmsTransport
{
    /// <summary>Guards sms.jsonl: appends here, rewrites in <see cref="OutboxEraser"/>.</summary>
    internal static readonly SemaphoreSlim FileLock = new(1, 1);

    public const string FileName = "sms.jsonl";

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
            await File.AppendAllTextAsync(Path.Combine(outbox.Value.Directory, FileName), line + "\n", cancellationToken);
        }
        finally
        {
            FileLock.Release();
        }

        return message.MessageId;
    }
}
