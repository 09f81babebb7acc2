using Microsoft.Extensions.Hosting;

namespace Widgets.Hosting.Health;

/// <summary>How every host starts and stops (configuration section <c>HostOptions</c>, e.g. <c>HostOptions__ShutdownTimeout</c>).</summary>
public static class HostLifetime
{
    /// <summary>
    /// Hosted services start concurrently, so Kestrel listens (and <c>/healthz</c> answers) from the first second while
    /// the silo joins its cluster or the gateway's Orleans client is still connecting; until then <c>/readyz</c> is 503.
    /// The shutdown timeout must fit inside the supervisor's grace period (Kubernetes' terminationGracePeriodSeconds,
    /// systemd's TimeoutStopSec) minus any preStop delay, so a silo can hand its grains over before it is killed.
    /// </summary>
    public static IServiceCollection AddWidgetsHostLifetime(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<HostOptions>(o =>
        {
            o.ServicesStartConcurrently = true;
            configuration.GetSection("HostOptions").Bind(o);
        });
        return IdleMemoryTrim.AddIdleMemoryTrim(services, configuration);
    }
}
