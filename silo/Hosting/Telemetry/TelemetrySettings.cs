using System.Net;
using Microsoft.AspNetCore.Http;

namespace Widgets.Hosting.Telemetry;

/// <summary>
/// Configuration section <c>Telemetry</c>, read the same way by every host (gateway in either mode, standalone silo).
/// OTLP follows OpenTelemetry's own variables: export happens when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set
/// (environment or configuration), with <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (<c>grpc</c> or <c>http/protobuf</c>).
/// </summary>
public sealed class TelemetrySettings
{
    public const string Section = "Telemetry";

    /// <summary>Metrics (and traces when OTLP is configured) at all; off, <c>/metrics</c> is not served (404).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.0.0.0/8</c>) whose scrapers may read <c>/metrics</c> without a credential, besides
    /// loopback, which always may (docs/SECURITY.md, "Metrics").
    /// </summary>
    public string[] MetricsNetworks { get; set; } = [];

    private IPNetwork[] networks = [];

    /// <summary>The OTLP endpoint when one is configured.</summary>
    public string? OtlpEndpoint { get; private set; }

    /// <summary>Traces are recorded only for an exporter: without OTLP nothing would read them, so nothing pays for them.</summary>
    public bool Tracing => Enabled && OtlpEndpoint is not null;

    public static TelemetrySettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<TelemetrySettings>() ?? new TelemetrySettings();
        var endpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        settings.OtlpEndpoint = string.IsNullOrWhiteSpace(endpoint) ? null : endpoint;
        settings.networks = settings.MetricsNetworks.Select(network => IPNetwork.TryParse(network, out var parsed)
            ? parsed
            : throw new StartupRefusedException(
                $"Telemetry:MetricsNetworks holds '{network}', which is not a network in CIDR notation; write it like 10.0.0.0/8 or fd00::/8.")).ToArray();

        return settings;
    }

    /// <summary>Whether the caller may read <c>/metrics</c> by its address alone: loopback or a configured network.</summary>
    public bool MetricsAllowedFrom(HttpContext context)
    {
        if (context.Connection.RemoteIpAddress is not { } address)
        {
            return false;
        }

        address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return IPAddress.IsLoopback(address) || networks.Any(n => n.Contains(address));
    }
}
