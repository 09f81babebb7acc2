using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Pos;

/// <summary>
/// The JSON bodies of widgets/list, serialized once per location, context and ETag: a location hands out one
/// immutable listing per ETag, so the same bytes answer every POS of the location until its catalogue changes.
/// The ETag alone is not the key because two locations with the same widget ids and versions share one.
/// </summary>
public sealed class ListingBodies : IDisposable
{
    /// <summary>Room for thousands of listings; a body a catalogue no longer lists falls out once unused.</summary>
    public const long MaxBytes = 32 * 1024 * 1024;

    private static readonly TimeSpan Unused = TimeSpan.FromMinutes(10);

    private readonly MemoryCache bodies = new(new MemoryCacheOptions { SizeLimit = MaxBytes });

    public byte[] Get(LocationKey location, WidgetContext? context, WidgetListing listing)
    {
        var key = (location, context, listing.ETag);
        if (bodies.TryGetValue(key, out byte[]? body))
        {
            return body!;
        }

        body = JsonSerializer.SerializeToUtf8Bytes(new DataEnvelope<IReadOnlyList<WidgetSummary>>(listing.Widgets), WidgetsJson.Options);
        bodies.Set(key, body, new MemoryCacheEntryOptions { Size = body.Length, SlidingExpiration = Unused });
        return body;
    }

    public void Dispose() => bodies.Dispose();
}
