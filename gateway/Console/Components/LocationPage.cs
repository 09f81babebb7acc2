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

    public ApiClient Client => HttpContext.GetApiClient();

    public ILocationGrain LocationGrain => Grains.Grain<ILocationGrain>(Location.ToString());

    protected sealed override async Task OnInitializedAsync()
    {
        if (ConsoleLocations.Resolve(HttpContext, PosSystemId, LocationId) is not { } location)
        {
            Denied = true;
            HttpContext.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        Location = location;
        await Load();
    }

    /// <summary>Reads what the page shows; runs only for a location the admin may manage, before a posted form's handler.</summary>
    protected abstract Task Load();

    protected string PathOf(string page = "") => ConsoleLocations.Path(Location, page);

    /// <summary>Refuses a form post with 422 (the page shows why inline); nothing was stored.</summary>
    protected void Refused() => HttpContext.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
}
