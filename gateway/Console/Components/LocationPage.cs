using Microsoft.AspNetCore.Components;
using Widgets.Clients;
using Widgets.Gateway.Auth;

namespace Widgets.Gateway.OperatorConsole.Components;

/// <summary>
/// A console page of one location (<c>/console/locations/{posSystemId}/{locationId}/…</c>). A location the signed-in
/// admin may not manage, or ids that cannot be one, render the "not found" view with status 404, exactly like a
/// location that does not exist, so ids cannot be probed.
/// </summary>
public abstract class LocationPage : ComponentBase
{
    [Parameter] public string PosSystemId { get; set; } = "";

    [Parameter] public string LocationId { get; set; } = "";

    [CascadingParameter] public HttpContext HttpContext { get; set; } = default!;

    [Inject] public IGrainFactory Grains { get; set; } = default!;

    [Inject] public TimeProvider Clock { get; set; } = default!;

    [Inject] public NavigationManager Navigation { get; set; } = default!;

    public LocationKey Location { get; private set; }

    public bool Denied { get; private set; }

    /// <summary>
    /// Whether the page may render its content: the location was checked and <see cref="Load"/> finished. The renderer
    /// draws once while loading still awaits; that draw shows nothing.
    /// </summary>
    public bool Ready { get; private set; }

    public ApiClient Client => HttpContext.GetApiClient();

    public ILocationGrain LocationGrain => Grains.Grain<ILocationGrain>(Location.ToString());

    protected sealed override async Task OnInitializedAsync()
    {
        if (ConsoleLocations.Resolve(HttpContext, PosSystemId, LocationId) is not { } location)
        {
            Denied = true;
            Ready = true;
            NotFound();
            return;
        }

        Location = location;
        await Load();
        Ready = true;
    }

    /// <summary>Reads what the page shows; runs only for a location the admin may manage, before a posted form's handler.</summary>
    protected abstract Task Load();

    /// <summary>Answers 404 with the console's "not found" page (the router's NotFoundPage).</summary>
    protected void NotFound() => Navigation.NotFound();

    protected string PathOf(string page = "") => ConsoleLocations.Path(Location, page);

    /// <summary>Refuses a form post with 422 (the page shows why inline); nothing was stored.</summary>
    protected void Refused() => HttpContext.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
}
