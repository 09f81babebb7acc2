using System.Text.Json;
using System.Threading.Channels;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Pos;

/// <summary>
/// <c>GET /v2/pos/{posSystemId}/terminals/{terminalId}/events?posLocationId=</c>: the terminal's session changes
/// as server-sent events, so a screen returns to idle the moment its session ends.
/// </summary>
public static class TerminalEventStream
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapTerminalEvents(this RouteGroupBuilder pos)
    {
        pos.MapGet("/terminals/{terminalId}/events", Stream);
        return pos;
    }

    private static async Task<IResult> Stream(string posSystemId, string terminalId, string? posLocationId, HttpContext context, IGrainFactory grains)
    {
        var (location, denied) = TenantAccess.Resolve(context, posSystemId, posLocationId);
        if (denied is not null)
        {
            return denied;
        }

        if (!LocationKey.IsValidId(terminalId) || await grains.Grain<ILocationGrain>(location.ToString()).GetTerminal(terminalId) is null)
        {
            return Problems.Status(DomainError.TerminalNotFound, $"Terminal '{terminalId}' is not registered at this location.");
        }

        await Relay(context, grains.Grain<ITerminalFeedGrain>(GrainKeys.Terminal(location, terminalId)), grains);
        return TypedResults.Empty;
    }

    private static async Task Relay(HttpContext context, ITerminalFeedGrain feed, IGrainFactory grains)
    {
        var inbox = new Inbox();
        var reference = grains.CreateObjectReference<ITerminalObserver>(inbox);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        var aborted = context.RequestAborted;
        try
        {
            await feed.Subscribe(reference);
            await response.WriteAsync(": connected\n\n", aborted);
            await response.Body.FlushAsync(aborted);
            var resubscribeAt = DateTime.UtcNow + ITerminalFeedGrain.SubscriptionLifetime / 2;
            while (!aborted.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                wait.CancelAfter(Heartbeat);
                try
                {
                    var next = await inbox.Events.Reader.ReadAsync(wait.Token);
                    await response.WriteAsync($"event: {next.Type}\ndata: {JsonSerializer.Serialize(next, WidgetsJson.Options)}\n\n", aborted);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", aborted);
                }

                await response.Body.FlushAsync(aborted);
                if (DateTime.UtcNow >= resubscribeAt)
                {
                    await feed.Subscribe(reference);
                    resubscribeAt = DateTime.UtcNow + ITerminalFeedGrain.SubscriptionLifetime / 2;
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The screen went away.
        }
        finally
        {
            await feed.Unsubscribe(reference);
            grains.DeleteObjectReference<ITerminalObserver>(reference);
        }
    }

    private sealed class Inbox : ITerminalObserver
    {
        public Channel<TerminalEvent> Events { get; } = Channel.CreateBounded<TerminalEvent>(
            new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });

        public void OnEvent(TerminalEvent terminalEvent) => Events.Writer.TryWrite(terminalEvent);
    }
}
