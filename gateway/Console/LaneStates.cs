namespace Widgets.Gateway.OperatorConsole;

/// <summary>What one lane's customer-facing screen shows now, as the terminals page shows and refreshes it.</summary>
public sealed record LaneState(string TerminalId, string? Name, string View, string? Headline, string? SessionId, string? State, DateTimeOffset? ExpiresAt);

public static class LaneStates
{
    /// <summary>Each registered terminal with its screen, asked of the terminal grains (the screen's own source).</summary>
    public static async Task<IReadOnlyList<LaneState>> Read(IGrainFactory grains, LocationKey location)
    {
        var terminals = await grains.Grain<ILocationGrain>(location.ToString()).GetTerminals();
        var screens = await Task.WhenAll(terminals.Select(t => grains.Grain<ITerminalGrain>(GrainKeys.Terminal(location, t.TerminalId)).GetScreen()));
        return terminals.Select((t, i) => screens[i] is { } screen
                ? new LaneState(t.TerminalId, t.Name, screen.Converted ? "thanks" : screen.Scanned ? "scanned" : "live", screen.Headline, screen.SessionId,
                    WidgetForm.JsonName(screen.State), screen.ExpiresAt)
                : new LaneState(t.TerminalId, t.Name, "idle", null, null, null, null))
            .OrderBy(l => l.TerminalId, StringComparer.Ordinal)
            .ToList();
    }
}
