namespace Widgets.Client;

/// <summary>
/// Where the Widgets API is, who the POS is, and how hard the client tries. Bind it from configuration
/// (<c>services.AddWidgetsClient(configuration.GetSection("Widgets"))</c>) or set it in code.
/// </summary>
public sealed class WidgetsClientOptions
{
    /// <summary>The API's base address, e.g. <c>https://widgets.example.com/</c>. Required.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The OAuth2 client id issued to the POS integration. Required.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>
    /// The client's secret. Required. It is read each time a token is requested, so a secret rotated in a reloading
    /// configuration source is used from the next token on.
    /// </summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>The POS system's short id in every POS route (<c>/v2/pos/{posSystemId}/…</c>), e.g. <c>pax</c>. Required.</summary>
    public string PosSystemId { get; set; } = "";

    /// <summary>The scope requested at <c>/connect/token</c>.</summary>
    public string Scope { get; set; } = "pos_integration";

    /// <summary>
    /// How long before its expiry a token is replaced (at most half its lifetime), so no call goes out with a token
    /// about to expire.
    /// </summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Retries after the first attempt of one call, on 408, 429, 502, 503, 504, a failed connection or an attempt
    /// that timed out. 0 turns retries off.
    /// </summary>
    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>The first retry's delay when the answer has no <c>Retry-After</c>; it doubles per retry, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest delay between two attempts when the answer has no <c>Retry-After</c>.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest <c>Retry-After</c> the client waits for by itself. A 429 or 503 that asks for longer is not retried:
    /// it surfaces as a <see cref="WidgetsUnavailableException"/> carrying the <see cref="WidgetsApiException.RetryAfter"/>.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one attempt may take before it is abandoned (and retried).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one call may take in all, retries, their delays and a token request included. The defaults ride out a
    /// cluster failover (503s with <c>Retry-After: 2</c> for a few seconds) and give up on an unreachable server in
    /// about 15 s.
    /// </summary>
    public TimeSpan TotalRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What is wrong with these options, one sentence per problem; empty when they can be used.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (BaseAddress is not { IsAbsoluteUri: true } || (BaseAddress.Scheme != Uri.UriSchemeHttps && BaseAddress.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add("BaseAddress must be an absolute http(s) address, e.g. https://widgets.example.com/.");
        }

        if (string.IsNullOrWhiteSpace(ClientId) || string.IsNullOrEmpty(ClientSecret))
        {
            problems.Add("ClientId and ClientSecret are required: the credentials the operator issued to this POS integration.");
        }

        if (string.IsNullOrWhiteSpace(PosSystemId))
        {
            problems.Add("PosSystemId is required: the POS system's short id in /v2/pos/{posSystemId}/…, e.g. pax.");
        }

        if (MaxRetryAttempts < 0)
        {
            problems.Add("MaxRetryAttempts must be 0 or more.");
        }

        if (AttemptTimeout <= TimeSpan.Zero || TotalRequestTimeout <= TimeSpan.Zero || RetryDelay < TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            problems.Add("AttemptTimeout and TotalRequestTimeout must be positive, and MaxRetryDelay at least RetryDelay.");
        }

        return problems;
    }

    /// <summary>The base address with a trailing slash, so relative routes keep a path prefix such as <c>/widgets/</c>.</summary>
    internal Uri NormalizedBaseAddress()
    {
        var address = BaseAddress ?? throw new InvalidOperationException("BaseAddress is not set.");
        return address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
    }

    internal void ThrowIfInvalid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid {nameof(WidgetsClientOptions)}: {string.Join(" ", problems)}");
        }
    }
}
