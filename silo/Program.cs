using System.Net;
using Orleans.Dashboard;
using Widgets.Hosting;
using Widgets.Hosting.Health;
using Widgets.Hosting.Storage;
using Widgets.Hosting.Telemetry;

var builder = WebApplication.CreateBuilder(args);
if (args.Contains("migrate"))
{
    return Migrate(builder.Configuration);
}

builder.UseOrleans(silo => silo.UseWidgetsClustering(builder.Configuration).AddWidgetsSilo(builder.Configuration));
builder.Services.AddWidgetsHostLifetime(builder.Configuration);
builder.Services.AddWidgetsTelemetry(builder.Configuration, "widgets-silo");
StartupBanner.AddStartupBanner(builder.Services, "silo");
builder.Services.AddWidgetsHealthChecks(PostgresPool.Silo).AddSiloMembershipCheck();
var app = builder.Build();
app.MapWidgetsHealth();
app.MapWidgetsMetrics();
app.MapOrleansDashboard(routePrefix: "/dashboard").AddEndpointFilter(async (context, next) =>
    context.HttpContext.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip)
        ? await next(context)
        : TypedResults.Problem("The silo's dashboard answers on loopback only; open it through the gateway.", statusCode: 403));
app.Run();
return 0;

// `dotnet run --project silo -- migrate` applies the schema of the configured mode and exits; in cluster mode as
// ConnectionStrings:PostgresMigrations (the schema owner) when set, so the services' own role needs no DDL rights.
static int Migrate(IConfiguration configuration)
{
    using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
    var logger = loggers.CreateLogger("Widgets.Migrate");
    var widgets = WidgetsOptions.From(configuration);
    if (widgets.Mode == HostingMode.Cluster)
    {
        StorageMigrator.MigratePostgres(ClusterSettings.PostgresMigrationsConnectionString(configuration), logger);
    }
    else
    {
        StorageMigrator.MigrateSqlite(widgets.SqliteConnectionString, logger);
    }

    return 0;
}
