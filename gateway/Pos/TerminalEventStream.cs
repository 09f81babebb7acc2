using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
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
        pos.MapGet("/terminals/{terminalId}/events", Stream).WithName("streamTerminalEvents")
            .WithSummary("Follow a terminal's session events")
            .WithDescription("A `text/event-stream` of the terminal's session changes (`sessionStarted`, `qrShown`, `qrScanned`, `messageSent`, `converted`, "
                + "`sessionEnded`), each event's data a JSON object; a comment line every 15 s keeps proxies from closing the stream.")
            .Produces<TerminalEvent>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesProblems(ProblemCodes.ValidationFailed, ProblemCodes.TerminalNotFound);
        return pos;
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> Stream(
        string terminalId, [FromQuery] string? posLocationId, LocationScope scope, HttpContext context, IGrainFactory grains)
    {
        if (!LocationKey.IsValidId(terminalId) || await grains.Grain<ILocationGrain>(scope.Location.ToString()).GetTerminal(terminalId) is null)
        {
            return Problems.Of(ProblemCodes.TerminalNotFound, $"Terminal '{terminalId}' is not registered at this location.");
        }

        await Relay(context, grains.Grain<ITerminalFeedGrain>(GrainKeys.Terminal(scope.Location, terminalId)), grains);
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
                    if (next.Type == TerminalEventTypes.ScreenRevoked)
                    {
                        // The screen page's business, not the POS's.
                        continue;
                    }

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
