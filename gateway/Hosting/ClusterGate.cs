using Widgets.Gateway.Http;

namespace Widgets.Gateway.Hosting;

/// <summary>
/// Until this gateway has joined the cluster, every request but the operations endpoints gets a retryable 503
/// (<c>unavailable</c>, <c>Retry-After: 2</c>) at once, instead of a grain call that fails or hangs. Installed as a
/// startup filter, so it runs before the application's own middleware.
/// </summary>
internal sealed class ClusterGate(ClusterConnection cluster) : IStartupFilter
{
    private static readonly PathString[] AlwaysOpen = ["/healthz", "/readyz", "/openapi", "/scalar"];

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, following) =>
        {
            if (cluster.IsJoined || AlwaysOpen.Any(p => context.Request.Path.StartsWithSegments(p)))
            {
                await following(context);
                return;
            }

            context.Response.Headers.RetryAfter = "2";
            await Problems.Of(ProblemCodes.Unavailable, "This gateway is still joining the cluster; retry in a moment.").ExecuteAsync(context);
        });
        next(app);
    };
}
