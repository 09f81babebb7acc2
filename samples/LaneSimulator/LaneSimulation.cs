using System.Globalization;
using Widgets.Client;

namespace Widgets.Samples.LaneSimulator;

/// <summary>
/// One customer at one lane, as a POS drives it through <see cref="IWidgetsClient"/>: list the widgets, start one,
/// show its QR code, send its link, and watch the session until it ends (it times out when nobody scans).
/// </summary>
public sealed class LaneSimulation(IWidgetsClient client, LaneSettings settings, TextWriter output)
{
    private const string Indent = "            ";

    /// <summary>Runs the lane; returns the session as it ended. Cancelling <paramref name="stop"/> cancels the session.</summary>
    public async Task<Session> RunAsync(CancellationToken stop)
    {
        var widget = await ListAsync(stop);
        var started = await StartAsync(widget, stop);
        try
        {
            await ShowQrCodeAsync(widget, started, stop);
            await SendAsync(widget, started, stop);
            return await WatchAsync(started, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            var cancelled = await client.CancelSessionAsync(started.SessionId, CancellationToken.None);
            Line($"{Time(DateTimeOffset.UtcNow)}  {cancelled.State,-10} cancelled from the keyboard");
            return cancelled;
        }
    }

    private async Task<Widget> ListAsync(CancellationToken stop)
    {
        var request = new ListWidgetsRequest { PosLocationId = settings.LocationId, TerminalId = settings.TerminalId, Context = settings.Context };
        Step(1, "List", $"POST /v2/pos/{settings.PosSystemId}/widgets/list ({settings.Context})");
        var listed = await client.ListWidgetsAsync(request, stop);
        Line($"{listed.Widgets.Count} widget(s) live, ETag {listed.ETag}:");
        foreach (var w in listed.Widgets)
        {
            Line($"  #{w.Id,-3} {Clip(w.Name, 28),-28} {w.Type,-18} {string.Join(' ', w.Channels),-13} {w.TimeoutSeconds} s");
        }

        // What a POS does every 15–30 minutes: ask again; while nothing changed the answer is a bodiless 304.
        var again = await client.ListWidgetsAsync(request, stop);
        Line(again.NotModified ? "asked again: 304 Not Modified, the kept list is current" : "asked again: the list changed meanwhile");

        var widget = settings.WidgetId is { } id
            ? listed.Widgets.FirstOrDefault(w => w.Id == id)
            : listed.Widgets.FirstOrDefault(w => w.Channels.Contains(WidgetChannels.Qr));
        return widget ?? throw new InvalidOperationException(settings.WidgetId is { } wanted
            ? $"Widget {wanted} is not live for {settings.Context} at {settings.LocationId}."
            : $"No widget with a QR code is live for {settings.Context} at {settings.LocationId}.");
    }

    private async Task<StartedSession> StartAsync(Widget widget, CancellationToken stop)
    {
        Step(2, "Start", $"widget #{widget.Id} \"{widget.Name}\" on {settings.TerminalId}");
        var started = await client.StartSessionAsync(
            new StartSessionRequest { PosLocationId = settings.LocationId, TerminalId = settings.TerminalId, WidgetId = widget.Id }, cancellationToken: stop);
        Line($"session {started.SessionId}: times out {started.TimeoutSeconds} s after the last interaction");
        return started;
    }

    private async Task ShowQrCodeAsync(Widget widget, StartedSession started, CancellationToken stop)
    {
        Step(3, "QR code", "what the customer-facing screen shows; scan it with a phone:");
        var qr = await client.ShowQrCodeAsync(Interaction(widget, started), stop);
        var landing = qr.LandingUrl ?? qr.QrCodeHtmlLinkUrl;
        output.WriteLine();
        foreach (var row in TerminalQrCode.Render(landing, settings.LightTerminal).Split('\n'))
        {
            output.WriteLine($"{Indent}{row}");
        }

        output.WriteLine();
        Line($"landing page: {landing}");
        Line($"screen page:  {qr.QrCodeHtmlLinkUrl}");
    }

    private async Task SendAsync(Widget widget, StartedSession started, CancellationToken stop)
    {
        var profile = new CustomerProfile
        {
            FirstName = "Ana",
            CustomerEmail = widget.Channels.Contains(WidgetChannels.Email) ? settings.Email : "",
            CustomerPhone = widget.Channels.Contains(WidgetChannels.Sms) ? settings.Phone : "",
            SalesPerson = "Sam",
        };
        if (profile is { CustomerEmail: "", CustomerPhone: "" })
        {
            Step(4, "Send", $"skipped: widget #{widget.Id} offers neither SMS nor email");
            return;
        }

        Step(4, "Send", $"the link to {string.Join(" and ", new[] { profile.CustomerPhone, profile.CustomerEmail }.Where(c => c.Length > 0))}");
        var interaction = Interaction(widget, started);
        var sent = await client.SendMessageAsync(
            new SendMessageRequest
            {
                WidgetId = interaction.WidgetId,
                SessionId = interaction.SessionId,
                PosLocationId = interaction.PosLocationId,
                TerminalId = interaction.TerminalId,
                Profile = profile,
            },
            cancellationToken: stop);
        foreach (var message in sent.Messages)
        {
            Line($"{message.Channel,-6} {message.To,-22} {message.Status}{(message.Reason is { } reason ? $" ({reason})" : "")}");
        }
    }

    private async Task<Session> WatchAsync(StartedSession started, CancellationToken stop)
    {
        Step(5, "Watch", $"GET /v2/pos/{settings.PosSystemId}/widget/sessions/{started.SessionId}, every {settings.PollInterval.TotalSeconds:0.#} s");
        string? shown = null;
        var shownAt = DateTimeOffset.MinValue;
        using var poll = new PeriodicTimer(settings.PollInterval);
        while (true)
        {
            var session = await client.GetSessionAsync(started.SessionId, stop);
            var now = DateTimeOffset.UtcNow;
            if (session.IsEnded)
            {
                Line($"{Time(now)}  {session.State,-10} ended {Time(session.EndedAt ?? now)}: {session.EndReason ?? session.State}");
                output.WriteLine();
                output.WriteLine("The session is over; the lane's screen is back to idle.");
                return session;
            }

            if (session.State != shown || now - shownAt >= settings.ReprintInterval)
            {
                var left = session.ExpiresAt - now;
                Line($"{Time(now)}  {session.State,-10} times out in {Math.Max(0, Math.Ceiling(left.TotalSeconds)):0} s");
                (shown, shownAt) = (session.State, now);
            }

            await poll.WaitForNextTickAsync(stop);
        }
    }

    private ShowQrCodeRequest Interaction(Widget widget, StartedSession started) => new()
    {
        WidgetId = widget.Id,
        SessionId = started.SessionId,
        PosLocationId = settings.LocationId,
        TerminalId = settings.TerminalId,
        Profile = new CustomerProfile { FirstName = "Ana", SalesPerson = "Sam" },
    };

    private void Step(int number, string name, string what)
    {
        output.WriteLine();
        output.WriteLine($"{number}. {name,-8} {what}");
    }

    private void Line(string text) => output.WriteLine(Indent + text);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
