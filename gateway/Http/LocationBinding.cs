using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace Widgets.Gateway.Http;

/// <summary>A POS request body that names its location (<c>posLocationId</c>) and, mostly, its terminal.</summary>
public interface IPosAddressed
{
    string? PosLocationId { get; }

    string? TerminalId { get; }
}

/// <summary>
/// The JSON body of a POS call: read and checked like <see cref="JsonBody{T}"/>, and scoped to the location it names,
/// which <see cref="RequestScopeFilter"/> resolves against the caller's grants before the handler runs.
/// </summary>
public sealed class PosBody<T> : IBindableFromHttpContext<PosBody<T>>, IEndpointParameterMetadataProvider, IRefusable, ILocationScoped
    where T : class, IPosAddressed
{
    private PosBody(T? body, ProblemHttpResult? refusal)
    {
        Body = body!;
        Refusal = refusal;
    }

    public T Body { get; }

    public ProblemHttpResult? Refusal { get; }

    public string? PosLocationId => Body.PosLocationId;

    public string? TerminalId => Body.TerminalId;

    public LocationKey Location { get; set; }

    public static async ValueTask<PosBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var (body, problem) = await JsonBody.Read<T>(context.Request);
        return new PosBody<T>(body, problem);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        JsonBody.Describe(typeof(T), optional: false, builder);
        builder.Metadata.Add(new ProblemsMetadata(ProblemCodes.LocationNotFound));
    }
}

/// <summary>
/// The location an operator route names (<c>/locations/{posLocationId}</c>) or an event stream's
/// <c>?posLocationId=</c>, resolved against the caller's grants by <see cref="RequestScopeFilter"/>.
/// </summary>
public sealed class LocationScope : IBindableFromHttpContext<LocationScope>, IEndpointMetadataProvider, ILocationScoped
{
    private LocationScope(string? posLocationId) => PosLocationId = posLocationId;

    public string? PosLocationId { get; }

    public string? TerminalId => null;

    public LocationKey Location { get; set; }

    public static ValueTask<LocationScope?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<LocationScope?>(new LocationScope(
            context.GetRouteValue("posLocationId") as string ?? context.Request.Query["posLocationId"].ToString()));

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProblemsMetadata(ProblemCodes.LocationNotFound));
}
