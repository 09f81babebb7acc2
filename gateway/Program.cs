using Scalar.AspNetCore;
using Widgets.Gateway.Admin;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Consent;
using Widgets.Gateway.Customer;
using Widgets.Gateway.Demo;
using Widgets.Gateway.Hosting;
using Widgets.Gateway.Http;
using Widgets.Gateway.Links;
using Widgets.Gateway.Ops;
using Widgets.Gateway.Pos;

var builder = WebApplication.CreateBuilder(args);
builder.AddWidgetsOrleans();
builder.Services.AddWidgetsHttp();
RateLimits.AddWidgetsRateLimits(builder.Services, builder.Configuration);
builder.Services.AddWidgetsAuth();
builder.Services.AddSingleton<LinkTokens>();
builder.Services.AddSingleton<PublicUrls>();
builder.Services.AddSingleton<UnsubscribeTokens>();
builder.Services.AddSingleton<TwilioSignature>();
builder.Services.AddSingleton<LandingCsrf>();
builder.Services.AddSingleton<RecipientParser>();
builder.Services.AddSingleton<ListingBodies>();
builder.Services.AddOpenApi();
builder.Services.AddStartupWarmUp();
if (builder.Configuration.GetValue("Demo:Seed", builder.Environment.IsDevelopment()))
{
    builder.Services.AddHostedService<DemoSeeder>();
}

var app = builder.Build();
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
app.MapClientEndpoints();
app.MapCustomerPages();
app.MapConsentEndpoints();
app.MapOperationsEndpoints();

app.Run();

/// <summary>Entry point; public so tests can refer to the gateway's assembly.</summary>
public partial class Program;
