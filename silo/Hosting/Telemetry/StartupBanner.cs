using System.Reflection;
using Microsoft.Extensions.Hosting;

namespace Widgets.Hosting.Telemetry;

/// <summary>
/// One structured line saying what starts, in which mode, where it listens and where its telemetry goes. Logged when
/// the host starts (before Orleans' silo and Kestrel start), so it is among a process's first log lines; Orleans' option
/// dumps log at Debug (appsettings: <c>Orleans.Runtime.SiloOptionsLogger</c>).
/// </summary>
public sealed class StartupBanner(IConfiguration configuration, TelemetrySettings telemetry, ILogger<StartupBanner> logger, string role) : IHostedLifecycleService
{
    public static IServiceCollection AddStartupBanner(IServiceCollection services, string role) =>
        services.AddHostedService(sp => new StartupBanner(
            sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<TelemetrySettings>(), sp.GetRequiredService<ILogger<StartupBanner>>(), role));

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var version = typeof(StartupBanner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        var urls = configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "(default)";
        logger.LogInformation(
            "Widgets {Role} {Version} starting in {Mode} mode on {Urls}; metrics {Metrics}, OTLP {Otlp}, log format {LogFormat}",
            role, version, WidgetsOptions.From(configuration).Mode, urls,
            telemetry.Enabled ? "at /metrics" : "off (Telemetry:Enabled=false)",
            telemetry.OtlpEndpoint ?? "off (set OTEL_EXPORTER_OTLP_ENDPOINT)",
            configuration["Logging:Console:FormatterName"] ?? "simple");
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
