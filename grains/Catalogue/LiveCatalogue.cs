using Widgets.Catalogue;

namespace Widgets.Grains.Catalogue;

/// <summary>
/// The widget lists per context, computed once per catalogue change or schedule boundary so that a list call
/// only picks a prebuilt, immutable listing (and gateways keep the same lists by push).
/// </summary>
internal static class LiveCatalogue
{
    /// <summary>The lists live at <paramref name="now"/>, valid until the next schedule boundary.</summary>
    public static LiveListings Build(IEnumerable<WidgetDefinition> widgets, DateTimeOffset now, long revision)
    {
        var live = widgets.Where(w => w.IsLiveAt(now)).OrderBy(w => w.SortOrder).ThenBy(w => w.Id).ToList();
        var contexts = Enum.GetValues<WidgetContext>();
        var byContext = contexts.Select(c => Listing(live.Where(w => w.Contexts.Contains(c)), (int)c + 1)).ToArray();
        return new LiveListings(Listing(live, 0), byContext, NextBoundary(widgets, now), revision);
    }

    private static WidgetListing Listing(IEnumerable<WidgetDefinition> widgets, int salt)
    {
        var hash = new Fnv();
        hash.Add(salt);
        var summaries = new List<WidgetSummary>();
        foreach (var w in widgets)
        {
            hash.Add(w.Id);
            hash.Add(w.Version);
            summaries.Add(new WidgetSummary(w.Id, w.Name, w.Icon, w.Description, w.Type, w.Contexts, w.Channels, w.TimeoutSeconds));
        }

        return new WidgetListing(hash.ToETag(), summaries);
    }

    /// <summary>The next moment a scheduled widget starts or ends, when the lists must be rebuilt.</summary>
    private static DateTimeOffset NextBoundary(IEnumerable<WidgetDefinition> widgets, DateTimeOffset now) =>
        widgets.Where(w => w.Status == WidgetStatus.Active)
            .SelectMany(w => new[] { w.StartsAt, w.EndsAt })
            .Where(t => t > now)
            .Select(t => t!.Value)
            .DefaultIfEmpty(DateTimeOffset.MaxValue)
            .Min();
}
