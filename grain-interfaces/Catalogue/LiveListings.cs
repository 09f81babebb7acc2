namespace Widgets.Catalogue;

/// <summary>
/// A location's widget lists as they are now: all live widgets and those of each context, valid until the next
/// schedule boundary (a widget's startsAt or endsAt), after which they must be asked for again.
/// </summary>
[GenerateSerializer, Immutable, Alias("Widgets.LiveListings")]
public sealed record LiveListings(
    [property: Id(0)] WidgetListing All,
    [property: Id(1)] IReadOnlyList<WidgetListing> ByContext,
    [property: Id(2)] DateTimeOffset ValidUntil,
    [property: Id(3)] long Revision)
{
    public WidgetListing For(WidgetContext? context) => context is { } c ? ByContext[(int)c] : All;
}

/// <summary>
/// A gateway's copy of locations' lists, kept current by push: the location sends its lists on every change
/// (catalogue write or schedule boundary). Watchers renew within <see cref="ILocationGrain.ListingsWatchLifetime"/>.
/// </summary>
public interface IListingsObserver : IGrainObserver
{
    /// <summary>
    /// The location's new lists; one with a lower <see cref="LiveListings.Revision"/> than held is stale. Answered (not
    /// one-way) so a catalogue write can wait until the gateways hold its result.
    /// </summary>
    Task ListingsChanged(string location, LiveListings listings);
}
