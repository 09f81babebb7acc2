using System.Reflection;

namespace Widgets.Gateway.Hosting;

/// <summary>
/// The build runs this program to write docs/openapi.json (Microsoft.Extensions.ApiDescription.Server starts the host
/// under its own entry assembly just far enough to read the endpoints). Then no silo, client, storage or seed may
/// start: a build must not bind the silo's ports or create a data directory.
/// </summary>
public static class DocumentGeneration
{
    public static bool IsActive { get; } = Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    /// <summary>
    /// The grain factory as a registration only, so the endpoints' <c>IGrainFactory</c> parameters are still known to be
    /// services (and not described as request parameters); nothing can call it.
    /// </summary>
    public static void AddPlaceholders(IServiceCollection services) =>
        services.AddSingleton<IGrainFactory>(_ => throw new InvalidOperationException("No cluster while the build writes the OpenAPI document."));
}
