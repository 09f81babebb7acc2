using System.Net;
using Orleans.Dashboard;
using Orleans.Runtime;
using Widgets.Hosting;
using Widgets.Hosting.Storage;

var builder = WebApplication.CreateBuilder(args);
if (args.Contains("migrate"))
{
    return Migrate(builder.Configuration);
}

builder.UseOrleans(silo => silo.UseWidgetsClustering(builder.Configuration).AddWidgetsSilo(builder.Configuration));
builder.Services.AddSingleton<StorageProbe>();
var app = builder.Build();
app.MapGet("/healthz", () => TypedResults.Ok(new { status = "live" }));
app.MapGet("/readyz", async (ISiloStatusOracle silo, StorageProbe storage, CancellationToken cancellationToken) =>
{
    if (silo.CurrentStatus != SiloStatus.Active)
    {
        return Results.Problem($"Silo is {silo.CurrentStatus}.", statusCode: 503);
    }

    await storage.PingAsync(cancellationToken);
    return Results.Ok(new { status = "ready", silo = silo.SiloAddress.ToString() });
});
app.MapOrleansDashboard(routePrefix: "/dashboard").AddEndpointFilter(async (context, next) =>
    context.HttpContext.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip)
        ? await next(context)
        : TypedResults.Problem("The silo's dashboard answers on loopback only; open it through the gateway.", statusCode: 403));
app.Run();
return 0;

// `dotnet run --project silo/Widgets.Silo -- migrate` applies the schema of the configured mode and exits.
static int Migrate(IConfiguration configuration)
{
    using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
    var logger = loggers.CreateLogger("Widgets.Migrate");
    var widgets = WidgetsOptions.From(configuration);
    if (widgets.Mode == HostingMode.Cluster)
    {
        StorageMigrator.MigratePostgres(ClusterSettings.PostgresConnectionString(configuration), logger);
    }
    else
    {
        StorageMigrator.MigrateSqlite(widgets.SqliteConnectionString, logger);
    }

    return 0;
}
