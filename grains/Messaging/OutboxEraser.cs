using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Widgets.Grains.Messaging;

/// <summary>
/// Removes messages from the outbox that unconfigured channels write to (<see cref="OutboxSmsTransport"/>,
/// <see cref="OutboxEmailTransport"/>), by message id: an erased session's messages must not survive as copies.
/// The outbox is a folder of the silo that sent them; with a provider configured nothing is written there, and
/// erasing from an absent outbox does nothing.
/// </summary>
public sealed class OutboxEraser(IOptions<OutboxOptions> outbox)
{
    /// <summary>Removes the messages' SMS lines and email files; returns how many copies it removed.</summary>
    public async Task<int> Erase(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        if (messageIds.Count == 0)
        {
            return 0;
        }

        var ids = messageIds.ToHashSet(StringComparer.Ordinal);
        return await EraseSms(ids, cancellationToken) + EraseEmail(ids);
    }

    private async Task<int> EraseSms(HashSet<string> ids, CancellationToken cancellationToken)
    {
        var path = Path.Combine(outbox.Value.Directory, OutboxSmsTransport.FileName);
        await OutboxSmsTransport.FileLock.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(path))
            {
                return 0;
            }

            var lines = await File.ReadAllLinesAsync(path, cancellationToken);
            var kept = lines.Where(line => !ids.Contains(MessageId(line) ?? "")).ToList();
            if (kept.Count == lines.Length)
            {
                return 0;
            }

            // Written aside and moved over the file, so a crash leaves the old file or the new one, never half of one.
            var replacement = path + ".erasing";
            await File.WriteAllLinesAsync(replacement, kept, cancellationToken);
            File.Move(replacement, path, overwrite: true);
            return lines.Length - kept.Count;
        }
        finally
        {
            OutboxSmsTransport.FileLock.Release();
        }
    }

    private int EraseEmail(HashSet<string> ids)
    {
        var folder = Path.Combine(outbox.Value.Directory, OutboxEmailTransport.Folder);
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        // The files OutboxEmailTransport.FileName names; message ids are hex digits, safe in a search pattern.
        var erased = 0;
        foreach (var file in ids.Where(id => id.All(char.IsAsciiHexDigit)).SelectMany(id => Directory.EnumerateFiles(folder, $"*-{id}.eml")).ToList())
        {
            File.Delete(file);
            erased++;
        }

        return erased;
    }

    private static string? MessageId(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            return json.RootElement.TryGetProperty("messageId", out var id) ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
