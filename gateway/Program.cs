using Scalar.AspNetCore;
using Widgets.Gateway.Admin;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Consent;
using Widgets.Gateway.Customer;
using Widgets.Gateway.Demo;
using Widgets.Gateway.Hosting;
using Widgets.Gateway.Http;
using Widgets.Gateway.Links;
using Widgets.Gateway.OperatorConsole;
using Widgets.Gateway.Ops;
using Widgets.Gateway.Pos;
using Widgets.Gateway.Telemetry;
using Widgets.Gateway.Screen;
using Widgets.Hosting;

// A start-up refusal (a setting to change) is printed with the fix and exits 1, not as a stack trace.
return StartupRefusedException.Guard(() =>
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddWidgetsOrleans();
    builder.AddWidgetsOperations();
    builder.AddWidgetsGatewayTelemetry();
    builder.Services.AddWidgetsHttp();
    RateLimits.AddWidgetsRateLimits(builder.Services, builder.Configuration);
    builder.Services.AddWidgetsAuth();
    builder.Services.AddWidgetsLinks();
    builder.Services.AddSingleton<TerminalScreenFeeds>();
    builder.Services.AddSingleton<TwilioSignature>();
    builder.Services.AddSingleton<LandingCsrf>();
    builder.Services.AddSingleton<RecipientParser>();
    builder.Services.AddWidgetsListings(builder.Configuration);
    builder.Services.AddWidgetsOpenApi();
    builder.AddConsole();
    if (!DocumentGeneration.IsActive)
    {
        builder.Services.AddStartupWarmUp();
    }

    if (builder.Configuration.GetValue("Demo:Seed", builder.Environment.IsDevelopment()) && !DocumentGeneration.IsActive)
    {
        builder.Services.AddHostedService<DemoSeeder>();
    }

    var app = builder.Build();
    app.WarnWithoutPublicBaseUrl();
    app.UseWidgetsErrors();
    app.UseAuthentication();
    app.UseAuthorization();
    app.UseRateLimiter();

    app.MapOpenApi();
    app.MapScalarApiReference();
    app.MapTokenEndpoint();
    app.MapPosEndpoints();
    app.MapCatalogueEndpoints();
    app.MapAnalyticsEndpoints();
    app.MapPrivacyEndpoints();
    app.MapClientEndpoints();
    app.MapCustomerPages();
    app.MapScreenEndpoints();
    app.MapConsentEndpoints();
    app.MapOperationsEndpoints();
    app.MapGatewayMetrics();
    app.MapConsole();

    app.Run();
});

/// <summary>Entry point; public so tests can refer to the gateway's assembly.</summary>
public partial class Program;
