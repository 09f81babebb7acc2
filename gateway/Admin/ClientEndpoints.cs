using Microsoft.AspNetCore.Http.HttpResults;
using Widgets.Clients;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Admin;

/// <summary>API clients: created with a secret shown once, listed without secrets, revoked at once.</summary>
public static class ClientEndpoints
{
    private static readonly ProblemCode NotGlobalAdmin = ProblemCodes.InsufficientScope with
    {
        Meaning = "Only an admin client without location limits manages clients.",
    };

    public static IEndpointRouteBuilder MapClientEndpoints(this IEndpointRouteBuilder app)
    {
        // Only an admin not limited to some locations manages clients, so no one can grant more than they hold.
        var clients = app.MapGroup("/v2/admin/clients").ForScope(Scopes.WidgetsAdmin).WithTags("Operator: clients")
            .AddEndpointFilter((context, next) => context.HttpContext.GetApiClient().Locations.Count == 0
                ? next(context)
                : ValueTask.FromResult<object?>(Problems.Of(NotGlobalAdmin)));
        clients.MapPost("", Create).WithName("createClient")
            .WithSummary("Create an API client")
            .WithDescription("Registers a client with its scopes and, for `pos_integration`, the locations it may act for. The answer carries its `clientSecret`: "
                + "shown this once and stored only as a hash.")
            .ProducesProblems(DomainError.ClientExists)
            .WithRequestExample("pos", "A POS integration for one store", AdminExamples.Client);
        clients.MapGet("", List).WithName("listClients")
            .WithSummary("List API clients")
            .WithDescription("Every client with its scopes and locations; never a secret.");
        clients.MapDelete("/{clientId}", Revoke).WithName("revokeClient")
            .WithSummary("Revoke an API client")
            .WithDescription("Deletes the client; its tokens stop working within 2 seconds.")
            .ProducesProblems(DomainError.ClientNotFound);
        return app;
    }

    private static async Task<Results<Created<DataEnvelope<ClientDto>>, ProblemHttpResult>> Create(JsonBody<CreateClientRequest> request, ClientRegistry registry)
    {
        var (created, secret) = await registry.Create(request.Body);
        return created.IsSuccess
            ? Envelope.Created($"/v2/admin/clients/{request.Body.ClientId}", ClientDto.From(created.Value!, secret))
            : Problems.From(created);
    }

    private static async Task<Ok<DataEnvelope<List<ClientDto>>>> List(ClientRegistry registry) =>
        Envelope.Ok((await registry.List()).Select(c => ClientDto.From(c)).ToList());

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(string clientId, ClientRegistry registry) =>
        await registry.Revoke(clientId) ? TypedResults.NoContent() : Problems.Of(ProblemCodes.ClientNotFound, $"No client '{clientId}'.");
}
