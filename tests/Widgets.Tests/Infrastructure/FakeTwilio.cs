using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Widgets.Tests.Infrastructure;

/// <summary>One <c>POST …/Messages.json</c> the gateway made: the form fields Twilio's Messages API reads.</summary>
public sealed record TwilioRequest(string AccountSid, string To, string From, string Body, string? StatusCallback, bool Authenticated);

/// <summary>
/// Twilio's Messages REST API at its HTTP boundary, and nothing more: a small Kestrel app on a free loopback port that
/// answers <c>POST /2010-04-01/Accounts/{sid}/Messages.json</c> as Twilio does (201 with the new message's
/// <c>sid</c> and <c>status: queued</c>; 401 for wrong credentials) and records what it received. A number in
/// <see cref="RejectedNumbers"/> is refused the way Twilio refuses an invalid "To" (400 with error 21211, whose
/// message quotes the number). Also signs webhooks the way Twilio does, so tests can play Twilio calling back.
/// </summary>
public sealed class FakeTwilio : IAsyncDisposable
{
    public const string AccountSid = "AC00000000000000000000000000trust";
    public const string AuthToken = "trust-tests-twilio-auth-token-0123";
    public const string From = "+15005550006";

    private static readonly JsonSerializerOptions AsTwilioWrites = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ConcurrentQueue<TwilioRequest> received = new();
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WebApplication app;
    private int toHold;

    private FakeTwilio()
    {
        app = LoopbackStub.Create();
        app.MapPost("/2010-04-01/Accounts/{sid}/Messages.json", Create);
    }

    /// <summary>Numbers the fake refuses like Twilio refuses an invalid destination.</summary>
    public ConcurrentDictionary<string, bool> RejectedNumbers { get; } = new();

    /// <summary><c>http://127.0.0.1:PORT</c>: what <c>Sms:Twilio:BaseUrl</c> points at.</summary>
    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<TwilioRequest> Received => received.ToArray();

    /// <summary>
    /// The next <paramref name="count"/> messages are recorded as received (Twilio has them: the customer gets the
    /// text) and then held without an answer, until <see cref="Release"/> or the caller gives up or dies: a hand-off
    /// whose outcome the sender never learns.
    /// </summary>
    public void HoldNext(int count) => Interlocked.Exchange(ref toHold, count);

    /// <summary>Answers the held messages (as created).</summary>
    public void Release() => released.TrySetResult();

    public static FakeTwilio Start()
    {
        var twilio = new FakeTwilio();
        twilio.BaseUrl = LoopbackStub.Start(twilio.app);
        return twilio;
    }

    /// <summary>Messages the gateway asked Twilio to send to <paramref name="phone"/> (E.164).</summary>
    public IReadOnlyList<TwilioRequest> To(string phone) => received.Where(r => r.To == phone).ToList();

    /// <summary>
    /// <c>X-Twilio-Signature</c> of a webhook call, computed as Twilio documents it: Base64(HMAC-SHA1(auth token,
    /// the full URL + each POST parameter's name and value, sorted by name)).
    /// </summary>
    public static string Sign(string url, IEnumerable<KeyValuePair<string, string>> fields, string authToken = AuthToken)
    {
        var data = new StringBuilder(url);
        foreach (var (name, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await app.DisposeAsync();
    }

    private async Task<IResult> Create(string sid, HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));
        var authenticated = request.Headers.Authorization.ToString() == expected && sid == AccountSid;
        var to = form["To"].ToString();
        received.Enqueue(new TwilioRequest(sid, to, form["From"].ToString(), form["Body"].ToString(),
            form.TryGetValue("StatusCallback", out var callback) ? callback.ToString() : null, authenticated));
        if (!authenticated)
        {
            return Results.Json(new { code = 20003, message = "Authenticate", status = 401 }, statusCode: 401);
        }

        if (RejectedNumbers.ContainsKey(to))
        {
            // Twilio writes the number as it is, '+' included (no \u002B escapes).
            return Results.Json(new
            {
                code = 21211,
                message = $"The 'To' number {to} is not a valid phone number.",
                more_info = "https://www.twilio.com/docs/errors/21211",
                status = 400,
            }, AsTwilioWrites, statusCode: 400);
        }

        if (Interlocked.Decrement(ref toHold) >= 0)
        {
            try
            {
                await released.Task.WaitAsync(request.HttpContext.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The sender gave up or died; Twilio would send the text all the same.
                return Results.Empty;
            }
        }

        var messageSid = "SM" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return Results.Json(new { sid = messageSid, status = "queued", to, from = form["From"].ToString(), account_sid = sid }, AsTwilioWrites, statusCode: 201);
    }
}
