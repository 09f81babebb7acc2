using Widgets.Client;
using Widgets.Samples.LaneSimulator;

// A POS lane in a terminal, built on the typed client: see LaneSettings.Usage, or README.md "Watch a lane work".
var (settings, error) = LaneSettings.Parse(args);
if (settings is null)
{
    Console.Error.WriteLine(error is { Length: > 0 } ? $"{error}\n\n{LaneSettings.Usage}" : LaneSettings.Usage);
    return error is { Length: > 0 } ? 2 : 0;
}

var secret = settings.ClientSecret ?? LaneSettings.DemoSecret(Environment.CurrentDirectory);
if (secret is null)
{
    Console.Error.WriteLine("No client secret: pass --client-secret, or run `dotnet run --project gateway` once from the repository root "
        + "so it writes gateway/data/demo-secrets.json.");
    return 2;
}

using var client = new WidgetsClient(new WidgetsClientOptions
{
    BaseAddress = settings.BaseUrl,
    ClientId = settings.ClientId,
    ClientSecret = secret,
    PosSystemId = settings.PosSystemId,
});

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

Console.WriteLine($"Widgets lane simulator: {settings.PosSystemId}/{settings.LocationId}, terminal {settings.TerminalId}, {settings.BaseUrl} as {settings.ClientId}");
try
{
    await new LaneSimulation(client, settings, Console.Out).RunAsync(stop.Token);
    return 0;
}
catch (WidgetsApiException failure)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine($"error: {failure.Message}");
    Console.Error.WriteLine(failure.Code switch
    {
        ProblemCodes.Unreachable or ProblemCodes.Timeout => $"Is the gateway running at {settings.BaseUrl}? Start it with `dotnet run --project gateway`.",
        ProblemCodes.InvalidClient => "Check --client-id and --client-secret (the demo's are in gateway/data/demo-secrets.json).",
        ProblemCodes.TerminalNotFound => $"Register {settings.TerminalId} as an operator: PUT /v2/admin/pos/{settings.PosSystemId}/locations/{settings.LocationId}/terminals/{settings.TerminalId}.",
        _ => "See the code and detail above; API.md lists every code.",
    });
    return 1;
}
catch (InvalidOperationException failure)
{
    Console.Error.WriteLine($"error: {failure.Message}");
    return 1;
}
