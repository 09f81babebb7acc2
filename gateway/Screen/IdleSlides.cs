using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Widgets.Gateway.Screen;

/// <summary>
/// The idle carousel of a location as the screen script redraws it (the data of an <c>idle</c> event): the idle
/// widgets' id, name, description and icon, and <see cref="Version"/>, the listing's ETag, which changes whenever the
/// list does. One instance per listing, so its JSON is serialised once however many screens show it.
/// </summary>
public sealed class IdleSlides
{
    private static readonly ConditionalWeakTable<WidgetListing, IdleSlides> Built = new();

    private IdleSlides(WidgetListing listing)
    {
        Version = VersionOf(listing);
        Json = JsonSerializer.Serialize(
            new Payload(Version, listing.Widgets.Select(w => new Slide(w.Id, w.Name, w.Description, w.Icon)).ToList()),
            ScreenJson.Options);
    }

    public string Version { get; }

    public string Json { get; }

    public static IdleSlides Of(WidgetListing listing) => Built.GetValue(listing, l => new IdleSlides(l));

    /// <summary>The version a page rendered from <paramref name="listing"/> reports back when it connects.</summary>
    public static string VersionOf(WidgetListing listing) => listing.ETag.Trim('"');

    private sealed record Payload(string Version, IReadOnlyList<Slide> Widgets);

    private sealed record Slide(int Id, string Name, string? Description, string? Icon);
}
