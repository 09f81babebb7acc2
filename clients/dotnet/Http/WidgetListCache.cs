using System.Collections.Concurrent;

namespace Widgets.Client.Http;

/// <summary>
/// The last widget list per request (POS system, location, terminal, context) with its ETag, so the next call asks
/// <c>If-None-Match</c> and a 304 costs the server no body. A POS has a handful of lanes and contexts; the bound only
/// guards against a caller that varies the request without end.
/// </summary>
internal sealed class WidgetListCache
{
    private const int MaxEntries = 1024;
    private readonly ConcurrentDictionary<string, (string ETag, IReadOnlyList<Widget> Widgets)> entries = new(StringComparer.Ordinal);

    public static string Key(string posSystemId, ListWidgetsRequest request) =>
        string.Join('\n', posSystemId, request.PosLocationId, request.TerminalId, request.Context);

    public (string ETag, IReadOnlyList<Widget> Widgets)? Get(string key) =>
        entries.TryGetValue(key, out var entry) ? entry : null;

    public void Set(string key, string etag, IReadOnlyList<Widget> widgets)
    {
        if (entries.Count >= MaxEntries && !entries.ContainsKey(key))
        {
            entries.Clear();
        }

        entries[key] = (etag, widgets);
    }
}
