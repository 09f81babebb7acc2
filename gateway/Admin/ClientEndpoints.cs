using Widgets.Clients;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Http;
using Widgets.Gateway.Pos;

namespace Widgets.Gateway.Admin;

/// <summary>API clients: created with a secret shown once, listed without secrets, revoked at once.</summary>
public static class ClientEndpoints
{
    public static IEndpointRouteBuilder MapClientEndpoints(this IEndpointRouteBuilder app)
    {
        var clients = app.MapGroup("/v2/admin/clients").RequireAuthorization(AuthSetup.AdminPolicy).WithTags("Operator: clients");
        clients.MapPost("", Create);
        clients.MapGet("", List);
        clients.MapDelete("/{clientId}", Revoke);
        return app;
    }

    private static async Task<IResult> Create(HttpContext context, IGrainFactory grains)
    {
        if (RequireGlobalAdmin(context) is { } refused)
        {
            return refused;
        }

        var (body, problem) = await JsonBody.Read<CreateClientRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var (registration, invalid) = Validate(body!);
        if (invalid is not null)
        {
            return invalid;
        }

        var secret = ClientSecrets.Generate();
        var created = await grains.Grain<IApiClientGrain>(body!.ClientId!).Register(registration! with { SecretHash = ClientSecrets.Hash(secret) }, replace: false);
        return created.IsSuccess
            ? TypedResults.Json(new DataEnvelope<ClientDto>(ClientDto.From(created.Value!, secret)), WidgetsJson.Options, statusCode: StatusCodes.Status201Created)
            : Problems.From(created);
    }

    private static async Task<IResult> List(HttpContext context, IGrainFactory grains)
    {
        if (RequireGlobalAdmin(context) is { } refused)
        {
            return refused;
        }

        var ids = await grains.Grain<IClientDirectoryGrain>(GrainKeys.ClientDirectory).List();
        var clients = await Task.WhenAll(ids.Select(id => grains.Grain<IApiClientGrain>(id).Get()));
        return TypedResults.Json(new DataEnvelope<List<ClientDto>>(clients.OfType<ApiClient>().Select(c => ClientDto.From(c)).ToList()), WidgetsJson.Options);
    }

    private static async Task<IResult> Revoke(string clientId, HttpContext context, IGrainFactory grains, ApiClientCache cache)
    {
        if (RequireGlobalAdmin(context) is { } refused)
        {
            return refused;
        }

        var revoked = LocationKey.IsValidId(clientId) && await grains.Grain<IApiClientGrain>(clientId).Revoke();
        cache.Forget(clientId);
        return revoked ? TypedResults.NoContent() : Problems.Status(DomainError.ClientNotFound, $"No client '{clientId}'.");
    }

    /// <summary>Only an admin not limited to some locations manages clients, so no one can grant more than they hold.</summary>
    private static IResult? RequireGlobalAdmin(HttpContext context) =>
        context.GetApiClient().Locations.Count == 0
            ? null
            : Problems.Result(403, "insufficient_scope", "Forbidden", "Only an admin client without location limits manages clients.");

    private static (ApiClientRegistration? Registration, IResult? Problem) Validate(CreateClientRequest body)
    {
        var errors = new Dictionary<string, string[]>();
        if (!LocationKey.IsValidId(body.ClientId))
        {
            errors["clientId"] = ["Required: 1–64 letters, digits, dots, dashes or underscores."];
        }

        var scopes = body.Scopes ?? [];
        if (scopes.Count == 0 || scopes.Any(s => !Scopes.All.Contains(s)))
        {
            errors["scopes"] = [$"Name one or more of: {string.Join(", ", Scopes.All)}."];
        }

        var locations = new List<LocationKey>();
        foreach (var (grant, i) in (body.Locations ?? []).Select((g, i) => (g, i)))
        {
            if (grant is null || !LocationKey.IsValidId(grant.PosSystemId) || !LocationKey.IsValidId(grant.PosLocationId))
            {
                errors[$"locations[{i}]"] = ["Needs posSystemId and posLocationId (1–64 letters, digits, dots, dashes or underscores)."];
            }
            else
            {
                locations.Add(LocationKey.Create(grant.PosSystemId!, grant.PosLocationId!));
            }
        }

        if (scopes.Contains(Scopes.PosIntegration) && locations.Count == 0 && !errors.ContainsKey("locations"))
        {
            errors["locations"] = ["A pos_integration client must be granted at least one location."];
        }

        if (locations.Count > 1000)
        {
            errors["locations"] = ["At most 1000 locations per client."];
        }

        return errors.Count > 0 ? (null, Problems.Validation(errors)) : (new ApiClientRegistration(scopes, locations, ""), null);
    }
}
