// The benchmark's baseline: a bare Kestrel minimal API that answers the routes the benchmark drives with the same
// JSON as the Widgets gateway, from memory. No Orleans, no storage, no JWT, no rate limits: the only "auth" is a
// fixed bearer token compared as a string. Sessions expire on a System.Threading.Timer each, so the timeout and
// memory scenarios have something to compare with too.
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(o => Json.Configure(o.SerializerOptions));
var app = builder.Build();
var store = new Store(builder.Configuration);
if (builder.Configuration.GetValue("Demo:Seed", false))
{
    // The demo location of the gateway's seeder, so the startup scenario can list it.
    var demo = store.Location("demo", "store-1");
    demo.Terminals.TryAdd("lane-1", 0);
    demo.Terminals.TryAdd("lane-2", 0);
    foreach (var (name, type) in new[] { ("Join our loyalty program", "loyaltyEnrollment"), ("Get 10% off your next visit", "couponDelivery"),
                 ("Weekend deals", "promotionSignup"), ("Digital receipts & news", "contactCollection"), ("How did we do?", "survey"), ("Win a $100 gift card", "contestEntry") })
    {
        demo.Add(new WidgetDraft(name, type, null, "Demo widget.", null, null, null));
    }
}

app.MapGet("/healthz", () => Results.Ok(new { status = "live" }));
app.MapGet("/readyz", () => Results.Ok(new { status = "ready" }));

app.MapPost("/connect/token", async (HttpRequest request) =>
{
    var form = await request.ReadFormAsync();
    var (id, secret) = Auth.Basic(request.Headers.Authorization.ToString());
    if (form["grant_type"] != "client_credentials" || id is null || !store.Clients.TryGetValue(id, out var client) || client.Secret != secret)
    {
        return Results.Json(new { status = 401, code = "invalid_client", error = "invalid_client" }, Json.Options, statusCode: 401);
    }

    var scope = form["scope"].ToString();
    var token = scope == "widgets_admin" ? Auth.AdminToken : Auth.PosToken;
    return Results.Json(new TokenResponse(token, "Bearer", 3600, scope), Json.Options);
});

var pos = app.MapGroup("/v2/pos/{posSystemId}").AddEndpointFilter((context, next) =>
    context.HttpContext.Request.Headers.Authorization == Auth.PosHeader ? next(context) : ValueTask.FromResult<object?>(Problems.Unauthorized));

pos.MapPost("/widgets/list", (string posSystemId, ListRequest body, HttpContext context) =>
{
    if (!store.Locations.TryGetValue(Store.Key(posSystemId, body.PosLocationId), out var location))
    {
        return Problems.NotFound("location_not_found");
    }

    var listing = location.Listing(body.Context);
    context.Response.Headers.ETag = listing.ETag;
    context.Response.Headers.CacheControl = "max-age=900, private";
    if (context.Request.Headers.IfNoneMatch == listing.ETag)
    {
        return Results.StatusCode(304);
    }

    return Results.Json(new Envelope<IReadOnlyList<WidgetSummary>>(listing.Widgets), Json.Options);
});

pos.MapPost("/widget/start", (string posSystemId, StartRequest body, HttpContext context) =>
{
    if (!store.Locations.TryGetValue(Store.Key(posSystemId, body.PosLocationId), out var location) || body.TerminalId is null
        || !location.Terminals.ContainsKey(body.TerminalId))
    {
        return Problems.NotFound("terminal_not_found");
    }

    if (body.WidgetId is not { } widgetId || !location.Widgets.TryGetValue(widgetId, out var widget))
    {
        return Problems.NotFound("widget_not_found");
    }

    var session = store.Start(location, posSystemId, body.PosLocationId!, body.TerminalId, widget);
    var origin = $"{context.Request.Scheme}://{context.Request.Host}";
    return Results.Json(new Envelope<StartResponse>(new StartResponse(session.Id, $"{origin}/s/{session.Id}.{Link.Expiry}.{Link.Signature}",
        session.ExpiresAt, widget.TimeoutSeconds, $"{origin}/v2/pos/{posSystemId}/widget/sessions/{session.Id}",
        $"{origin}/v2/pos/{posSystemId}/terminals/{body.TerminalId}/events?posLocationId={Uri.EscapeDataString(body.PosLocationId!)}")), Json.Options);
});

pos.MapPost("/widget/showQrCode", (string posSystemId, InteractionRequest body, HttpContext context) =>
{
    if (store.Find(posSystemId, body) is not { } session)
    {
        return Problems.NotFound("session_not_found");
    }

    if (!session.Touch())
    {
        return Problems.Ended;
    }

    var origin = $"{context.Request.Scheme}://{context.Request.Host}";
    var screen = $"{origin}/s/{session.Id}.{Link.Expiry}.{Link.Signature}";
    return Results.Json(new Envelope<ShowQrCodeResponse>(new ShowQrCodeResponse(screen, $"{origin}/w/{session.Id}.{Link.Expiry}.{Link.Signature}",
        $"{screen}/qr.png", $"{screen}/qr.svg", session.ExpiresAt)), Json.Options);
});

pos.MapPost("/widget/sendMessage", (string posSystemId, InteractionRequest body) =>
{
    if (store.Find(posSystemId, body) is not { } session)
    {
        return Problems.NotFound("session_not_found");
    }

    var phone = body.Profile?.CustomerPhone;
    if (string.IsNullOrWhiteSpace(phone) || phone[0] != '+' || phone.Length < 8)
    {
        return Problems.Field("recipient_required");
    }

    var message = new MessageDto(Guid.NewGuid().ToString("N"), "sms", $"{phone[..2]}******{phone[^4..]}", "sent");
    lock (session)
    {
        session.Messages.Add(message);
    }

    return session.Touch()
        ? Results.Json(new Envelope<SendMessageResponse>(new SendMessageResponse([message])), Json.Options)
        : Problems.Ended;
});

pos.MapGet("/widget/sessions/{sessionId}", (string posSystemId, string sessionId) =>
    store.Sessions.TryGetValue(sessionId, out var session) && session.PosSystemId == posSystemId
        ? Results.Json(new Envelope<SessionDto>(session.ToDto()), Json.Options)
        : Problems.NotFound("session_not_found"));

var admin = app.MapGroup("/v2/admin").AddEndpointFilter((context, next) =>
    context.HttpContext.Request.Headers.Authorization == Auth.AdminHeader ? next(context) : ValueTask.FromResult<object?>(Problems.Unauthorized));

admin.MapPost("/pos/{posSystemId}/locations/{posLocationId}/widgets", (string posSystemId, string posLocationId, WidgetDraft draft) =>
{
    var widget = store.Location(posSystemId, posLocationId).Add(draft);
    return Results.Json(new Envelope<WidgetSummary>(widget), Json.Options, statusCode: 201);
});

admin.MapPut("/pos/{posSystemId}/locations/{posLocationId}/terminals/{terminalId}", (string posSystemId, string posLocationId, string terminalId) =>
{
    store.Location(posSystemId, posLocationId).Terminals.TryAdd(terminalId, 0);
    return Results.Json(new Envelope<TerminalDto>(new TerminalDto(terminalId, terminalId, DateTimeOffset.UtcNow)), Json.Options);
});

admin.MapPost("/clients", (ClientRequest body) =>
{
    var secret = $"baseline-{body.ClientId}";
    store.Clients[body.ClientId!] = new Client(secret);
    return Results.Json(new Envelope<ClientDto>(new ClientDto(body.ClientId!, body.Scopes ?? [], body.Locations ?? [], DateTimeOffset.UtcNow, secret)),
        Json.Options, statusCode: 201);
});

app.Run();

internal static class Auth
{
    public const string PosToken = "baseline-pos-token";
    public const string AdminToken = "baseline-admin-token";
    public const string PosHeader = "Bearer " + PosToken;
    public const string AdminHeader = "Bearer " + AdminToken;

    public static (string? Id, string? Secret) Basic(string header)
    {
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return (null, null);
        }

        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        var colon = decoded.IndexOf(':');
        return colon <= 0 ? (null, null) : (decoded[..colon], decoded[(colon + 1)..]);
    }
}

/// <summary>A fixed stand-in for the gateway's signed link tokens, so link strings have the same length.</summary>
internal static class Link
{
    public const string Expiry = "1795649759";
    public const string Signature = "fjMtgKbR0LPx0PlSuzq91hIpdDl";
}

internal sealed record Client(string Secret);

internal sealed class Store(IConfiguration configuration)
{
    private static readonly WidgetContext[] AllContexts = [WidgetContext.Checkout, WidgetContext.Idle, WidgetContext.PostPurchase];

    public ConcurrentDictionary<string, Client> Clients { get; } = new(StringComparer.Ordinal)
    {
        [configuration["Demo:PosClientId"] ?? "demo-pos"] = new(configuration["Demo:PosClientSecret"] ?? "demo-pos-secret"),
        [configuration["Demo:AdminClientId"] ?? "demo-admin"] = new(configuration["Demo:AdminClientSecret"] ?? "demo-admin-secret"),
    };

    public ConcurrentDictionary<string, Location> Locations { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, Session> Sessions { get; } = new(StringComparer.Ordinal);

    public static string Key(string posSystemId, string? locationId) => $"{posSystemId.ToLowerInvariant()}/{locationId}";

    public Location Location(string posSystemId, string locationId) => Locations.GetOrAdd(Key(posSystemId, locationId), _ => new Location());

    public Session Start(Location location, string posSystemId, string locationId, string terminalId, WidgetSummary widget)
    {
        var session = new Session(this, Guid.NewGuid().ToString("N"), posSystemId, locationId, terminalId, widget);
        Sessions[session.Id] = session;
        if (location.Terminals.TryGetValue(terminalId, out _) && location.Active.TryGetValue(terminalId, out var previous))
        {
            previous.End("superseded");
        }

        location.Active[terminalId] = session;
        return session;
    }

    public Session? Find(string posSystemId, InteractionRequest body) =>
        body.SessionId is { } id && Sessions.TryGetValue(id, out var session) && session.PosSystemId == posSystemId
        && session.LocationId == body.PosLocationId && session.TerminalId == body.TerminalId && session.Widget.Id == body.WidgetId
            ? session
            : null;

    public static IReadOnlyList<WidgetContext> Contexts(IReadOnlyList<WidgetContext>? requested) => requested is { Count: > 0 } ? requested : AllContexts;
}

internal sealed class Location
{
    private readonly Lock gate = new();
    private int nextId = 1;
    private (Listing All, Listing[] ByContext)? listings;

    public ConcurrentDictionary<int, WidgetSummary> Widgets { get; } = new();

    public ConcurrentDictionary<string, byte> Terminals { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, Session> Active { get; } = new(StringComparer.Ordinal);

    public WidgetSummary Add(WidgetDraft draft)
    {
        lock (gate)
        {
            var widget = new WidgetSummary(nextId++, draft.Name ?? "", draft.Icon, draft.Description, draft.Type ?? "loyaltyEnrollment",
                Store.Contexts(draft.Contexts), draft.Channels is { Count: > 0 } c ? c : ["qr", "sms", "email"], draft.TimeoutSeconds ?? 45);
            Widgets[widget.Id] = widget;
            listings = null;
            return widget;
        }
    }

    public Listing Listing(string? context)
    {
        var built = listings ??= Build();
        return context switch
        {
            null => built.All,
            "checkout" => built.ByContext[0],
            "idle" => built.ByContext[1],
            _ => built.ByContext[2],
        };
    }

    private (Listing, Listing[]) Build()
    {
        lock (gate)
        {
            var all = Widgets.Values.OrderBy(w => w.Id).ToList();
            Listing Make(IEnumerable<WidgetSummary> widgets, int salt)
            {
                var list = widgets.ToList();
                var hash = list.Aggregate(14695981039346656037UL ^ (ulong)salt, (h, w) => (h ^ (ulong)w.Id) * 1099511628211UL);
                return new Listing($"\"{hash:x16}\"", list);
            }

            return (Make(all, 0), [Make(all.Where(w => w.Contexts.Contains(WidgetContext.Checkout)), 1),
                Make(all.Where(w => w.Contexts.Contains(WidgetContext.Idle)), 2), Make(all.Where(w => w.Contexts.Contains(WidgetContext.PostPurchase)), 3)]);
        }
    }
}

internal sealed record Listing(string ETag, IReadOnlyList<WidgetSummary> Widgets);

internal sealed class Session
{
    private readonly Store store;
    private readonly Timer timer;

    public Session(Store store, string id, string posSystemId, string locationId, string terminalId, WidgetSummary widget)
    {
        this.store = store;
        (Id, PosSystemId, LocationId, TerminalId, Widget) = (id, posSystemId, locationId, terminalId, widget);
        StartedAt = LastInteractionAt = DateTimeOffset.UtcNow;
        ExpiresAt = StartedAt.AddSeconds(widget.TimeoutSeconds);
        timer = new Timer(_ => End("timedOut"), null, TimeSpan.FromSeconds(widget.TimeoutSeconds), Timeout.InfiniteTimeSpan);
    }

    public string Id { get; }
    public string PosSystemId { get; }
    public string LocationId { get; }
    public string TerminalId { get; }
    public WidgetSummary Widget { get; }
    public string State { get; private set; } = "active";
    public DateTimeOffset StartedAt { get; }
    public DateTimeOffset LastInteractionAt { get; private set; }
    public DateTimeOffset ExpiresAt { get; private set; }
    public DateTimeOffset? EndedAt { get; private set; }
    public string? EndReason { get; private set; }
    public List<MessageDto> Messages { get; } = [];

    public bool Touch()
    {
        lock (this)
        {
            if (State != "active")
            {
                return false;
            }

            LastInteractionAt = DateTimeOffset.UtcNow;
            ExpiresAt = LastInteractionAt.AddSeconds(Widget.TimeoutSeconds);
            timer.Change(TimeSpan.FromSeconds(Widget.TimeoutSeconds), Timeout.InfiniteTimeSpan);
            return true;
        }
    }

    public void End(string state)
    {
        lock (this)
        {
            if (State != "active")
            {
                return;
            }

            State = state;
            EndedAt = DateTimeOffset.UtcNow;
            EndReason = state == "timedOut" ? $"no interaction for {Widget.TimeoutSeconds} s" : "another session started on the terminal";
            timer.Dispose();
        }

        if (store.Locations.TryGetValue(Store.Key(PosSystemId, LocationId), out var location))
        {
            location.Active.TryRemove(new KeyValuePair<string, Session>(TerminalId, this));
        }
    }

    public SessionDto ToDto()
    {
        lock (this)
        {
            return new SessionDto(Id, Widget.Id, TerminalId, State, StartedAt, LastInteractionAt, ExpiresAt, EndedAt, EndReason, Messages.ToList());
        }
    }
}

internal static class Problems
{
    public static readonly IResult Unauthorized = Make(401, "unauthorized");
    public static readonly IResult Ended = Make(409, "session_ended");

    public static IResult NotFound(string code) => Make(404, code);

    public static IResult Field(string code) => Make(400, code);

    private static IResult Make(int status, string code) =>
        Results.Json(new { type = "about:blank", title = code, status, code }, Json.Options, "application/problem+json", status);
}

internal static class Json
{
    public static readonly JsonSerializerOptions Options = Create();

    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new UtcTimestampConverter());
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver();
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }

    private sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }
}

internal enum WidgetContext { Checkout, Idle, PostPurchase }

internal sealed record Envelope<T>(T Data);

internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope);

internal sealed record ListRequest(string? PosLocationId, string? TerminalId, string? Context);

internal sealed record StartRequest(string? PosLocationId, string? TerminalId, int? WidgetId, string? CouponId);

internal sealed record ProfileDto(string? FirstName, string? LastName, string? CustomerEmail, string? CustomerPhone, string? SalesPerson);

internal sealed record InteractionRequest(int? WidgetId, string? SessionId, string? PosLocationId, string? TerminalId, ProfileDto? Profile, string? CouponId);

internal sealed record WidgetDraft(string? Name, string? Type, string? Icon, string? Description, IReadOnlyList<WidgetContext>? Contexts,
    IReadOnlyList<string>? Channels, int? TimeoutSeconds);

internal sealed record WidgetSummary(
    int Id,
    string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Icon,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Description,
    string Type,
    IReadOnlyList<WidgetContext> Contexts,
    IReadOnlyList<string> Channels,
    int TimeoutSeconds);

internal sealed record StartResponse(string SessionId, string QrCodePreviewHtmlLinkUrl, DateTimeOffset ExpiresAt, int TimeoutSeconds, string StatusUrl, string EventsUrl);

internal sealed record ShowQrCodeResponse(string QrCodeHtmlLinkUrl, string LandingUrl, string QrCodePngUrl, string QrCodeSvgUrl, DateTimeOffset ExpiresAt);

internal sealed record MessageDto(string MessageId, string Channel, string To, string Status, string? Reason = null);

internal sealed record SendMessageResponse(IReadOnlyList<MessageDto> Messages);

internal sealed record SessionDto(string SessionId, int WidgetId, string TerminalId, string State, DateTimeOffset StartedAt, DateTimeOffset LastInteractionAt,
    DateTimeOffset ExpiresAt, DateTimeOffset? EndedAt, string? EndReason, IReadOnlyList<MessageDto> Messages);

internal sealed record TerminalDto(string TerminalId, string? Name, DateTimeOffset RegisteredAt);

internal sealed record GrantDto(string? PosSystemId, string? PosLocationId);

internal sealed record ClientRequest(string? ClientId, IReadOnlyList<string>? Scopes, IReadOnlyList<GrantDto>? Locations);

internal sealed record ClientDto(string ClientId, IReadOnlyList<string> Scopes, IReadOnlyList<GrantDto> Locations, DateTimeOffset CreatedAt, string ClientSecret);
