using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Widgets.Client.Http;

namespace Widgets.Client;

/// <summary>
/// The typed client of the Widgets POS API. Register it with <c>services.AddWidgetsClient(…)</c> and inject
/// <see cref="IWidgetsClient"/>, or construct it directly with <see cref="WidgetsClient(WidgetsClientOptions)"/> and
/// keep one instance for the life of the application (it holds the connection pool, the token and the list cache).
/// </summary>
public sealed class WidgetsClient : IWidgetsClient, IDisposable
{
    private readonly HttpClient http;
    private readonly Func<WidgetsClientOptions> options;
    private readonly WidgetListCache lists;
    private readonly IDisposable[] owned;

    /// <summary>A client with its own connection pool, for use without dependency injection.</summary>
    public WidgetsClient(WidgetsClientOptions options)
        : this(options, new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
    }

    /// <summary>
    /// A client that sends through <paramref name="primaryHandler"/> (a proxy, a test double, a handler with
    /// certificates), which it then owns and disposes.
    /// </summary>
    /// <param name="options">Where the API is and who the POS is.</param>
    /// <param name="primaryHandler">The handler that puts requests on the wire.</param>
    /// <param name="timeProvider">The clock for token lifetimes and retry delays; the system clock by default.</param>
    public WidgetsClient(WidgetsClientOptions options, HttpMessageHandler primaryHandler, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(primaryHandler);
        options.ThrowIfInvalid();
        var clock = timeProvider ?? TimeProvider.System;
        var baseAddress = options.NormalizedBaseAddress();

        // Token requests and API calls share the connection pool. The retry pipeline is outermost: every attempt of an
        // API call gets a current token, and a token request that fails is retried as part of the call.
        var tokenClient = new HttpClient(primaryHandler, disposeHandler: false) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var tokens = new AccessTokenSource(() => tokenClient, () => options, clock);
        http = new HttpClient(WidgetsResilience.Handler(options, clock, new BearerTokenHandler(tokens) { InnerHandler = primaryHandler }), disposeHandler: true)
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        this.options = () => options;
        lists = new WidgetListCache();
        owned = [http, tokenClient, tokens]; // Disposing http disposes the handlers, the primary one included.
    }

    /// <summary>The client as dependency injection makes it: the factory owns the handlers.</summary>
    internal WidgetsClient(HttpClient http, Func<WidgetsClientOptions> options, WidgetListCache lists)
    {
        this.http = http;
        this.options = options;
        this.lists = lists;
        owned = [];
    }

    /// <inheritdoc />
    public async Task<WidgetList> ListWidgetsAsync(ListWidgetsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var posSystemId = options().PosSystemId;
        var key = WidgetListCache.Key(posSystemId, request);
        var kept = lists.Get(key);
        using var message = Request(ApiOperations.ListWidgets, Route(posSystemId), request, WidgetsJsonContext.Default.ListWidgetsRequest);
        if (kept is { } k)
        {
            message.Headers.TryAddWithoutValidation(ApiOperations.IfNoneMatch, k.ETag);
        }

        using var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (ProblemReader.IsNotModified(response) && kept is { } current)
        {
            return new WidgetList(current.Widgets, current.ETag, NotModified: true);
        }

        var widgets = await DataAsync(response, WidgetsJsonContext.Default.DataEnvelopeIReadOnlyListWidget, cancellationToken).ConfigureAwait(false);
        var etag = response.Headers.TryGetValues("ETag", out var values) ? values.FirstOrDefault() : null;
        if (etag is not null)
        {
            lists.Set(key, etag, widgets);
        }

        return new WidgetList(widgets, etag, NotModified: false);
    }

    /// <inheritdoc />
    public async Task<StartedSession> StartSessionAsync(StartSessionRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = Request(ApiOperations.StartSession, Route(options().PosSystemId), request, WidgetsJsonContext.Default.StartSessionRequest);
        WithIdempotencyKey(message, idempotencyKey);
        return await CallAsync(message, WidgetsJsonContext.Default.DataEnvelopeStartedSession, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<QrCode> ShowQrCodeAsync(ShowQrCodeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = Request(ApiOperations.ShowQrCode, Route(options().PosSystemId), request, WidgetsJsonContext.Default.ShowQrCodeRequest);
        return await CallAsync(message, WidgetsJsonContext.Default.DataEnvelopeQrCode, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SentMessages> SendMessageAsync(SendMessageRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = Request(ApiOperations.SendMessage, Route(options().PosSystemId), request, WidgetsJsonContext.Default.SendMessageRequest);
        WithIdempotencyKey(message, idempotencyKey);
        return await CallAsync(message, WidgetsJsonContext.Default.DataEnvelopeSentMessages, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Session> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        using var message = new HttpRequestMessage(ApiOperations.GetSession.Method, ApiOperations.GetSession.Path(PosSystem(), ("sessionId", sessionId)));
        return await CallAsync(message, WidgetsJsonContext.Default.DataEnvelopeSession, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Session> CancelSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        using var message = new HttpRequestMessage(ApiOperations.CancelSession.Method, ApiOperations.CancelSession.Path(PosSystem(), ("sessionId", sessionId)));
        return await CallAsync(message, WidgetsJsonContext.Default.DataEnvelopeSession, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<CarouselLink> GetCarouselAsync(CarouselRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = Request(ApiOperations.Carousel, Route(options().PosSystemId), request, WidgetsJsonContext.Default.CarouselRequest);
        return await CallAsync(message, WidgetsJsonContext.Default.DataEnvelopeCarouselLink, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var resource in owned)
        {
            resource.Dispose();
        }
    }

    private static (string, string) Route(string posSystemId) => ("posSystemId", posSystemId);

    private (string, string) PosSystem() => Route(options().PosSystemId);

    private static HttpRequestMessage Request<T>(ApiOperation operation, (string, string) posSystem, T body, JsonTypeInfo<T> type) =>
        new(operation.Method, operation.Path(posSystem))
        {
            // Bytes, not a stream: every retry of the request sends the same body again.
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, type))
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } },
            },
        };

    /// <summary>One key per logical call, set before the retry pipeline sees the request, so every retry repeats it.</summary>
    private static void WithIdempotencyKey(HttpRequestMessage message, string? idempotencyKey) =>
        message.Headers.Add(ApiOperations.IdempotencyKey, idempotencyKey ?? Guid.NewGuid().ToString("N"));

    private async Task<T> CallAsync<T>(HttpRequestMessage message, JsonTypeInfo<DataEnvelope<T>> type, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return await DataAsync(response, type, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            throw ProblemReader.NoAnswer(failure);
        }
    }

    private static async Task<T> DataAsync<T>(HttpResponseMessage response, JsonTypeInfo<DataEnvelope<T>> type, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ProblemReader.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        }

        DataEnvelope<T>? envelope;
        try
        {
            envelope = await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException failure)
        {
            throw ProblemReader.Unexpected(response, $"its body is not the contract's JSON ({failure.Message})");
        }

        return envelope is { Data: { } data } ? data : throw ProblemReader.Unexpected(response, "its body has no data");
    }
}
