using System.Net;
using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Http;

/// <summary>The terminal's event stream: a screen hears about its sessions without polling.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TerminalEventsTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Event_stream_reports_the_terminals_session_start_qr_and_end_as_they_happen()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        using var request = new HttpRequestMessage(HttpMethod.Get, location.PosRoute($"terminals/lane-1/events?posLocationId={location.LocationId}"));
        using var stream = await location.Pos.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal(": connected", await reader.ReadLineAsync());

        var started = await location.Start("lane-1", widgetId);
        var sessionId = started.Text("sessionId");
        Assert.EndsWith($"/terminals/lane-1/events?posLocationId={location.LocationId}", started.Text("eventsUrl"));
        using (var shown = await location.Pos.PostJson(location.PosRoute("widget/showQrCode"), location.InteractionBody(sessionId, widgetId, "lane-1")))
        {
            await shown.Data();
        }

        using (var cancelled = await location.Pos.PostAsync(location.PosRoute($"widget/sessions/{sessionId}/cancel"), null))
        {
            await cancelled.Data();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<(string Type, JsonNode Data)>();
        while (events.Count < 3)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("The stream ended early.");
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                var data = await reader.ReadLineAsync(timeout.Token);
                events.Add((line[7..], JsonNode.Parse(data!["data: ".Length..])!));
            }
        }

        Assert.Equal(["sessionStarted", "qrShown", "sessionEnded"], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(sessionId, e.Data.Text("sessionId")));
        Assert.Equal("cancelled", events[2].Data.Text("state"));
    }

    [Fact]
    public async Task Event_stream_opened_during_a_session_reports_that_sessions_later_events()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var sessionId = (await location.Start("lane-1", widgetId)).Text("sessionId");
        using var request = new HttpRequestMessage(HttpMethod.Get, location.PosRoute($"terminals/lane-1/events?posLocationId={location.LocationId}"));
        using var stream = await location.Pos.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal(": connected", await reader.ReadLineAsync());

        using (var cancelled = await location.Pos.PostAsync(location.PosRoute($"widget/sessions/{sessionId}/cancel"), null))
        {
            await cancelled.Data();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? line;
        do
        {
            line = await reader.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("The stream ended early.");
        }
        while (!line.StartsWith("event: ", StringComparison.Ordinal));

        Assert.Equal("event: sessionEnded", line);
        var data = JsonNode.Parse((await reader.ReadLineAsync(timeout.Token))!["data: ".Length..])!;
        Assert.Equal(sessionId, data.Text("sessionId"));
    }

    [Fact]
    public async Task Event_stream_of_an_unregistered_terminal_or_another_tenants_location_is_404()
    {
        var location = await gateway.CreateLocationAsync();
        var other = await gateway.CreateLocationAsync();

        using var unknown = await location.Pos.GetAsync(location.PosRoute($"terminals/lane-9/events?posLocationId={location.LocationId}"));
        await unknown.Problem(HttpStatusCode.NotFound, "terminal_not_found");
        using var foreign = await location.Pos.GetAsync(location.PosRoute($"terminals/lane-1/events?posLocationId={other.LocationId}"));
        await foreign.Problem(HttpStatusCode.NotFound, "location_not_found");
    }
}
