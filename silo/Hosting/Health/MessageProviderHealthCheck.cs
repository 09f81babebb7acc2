using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Widgets.Grains.Messaging;

namespace Widgets.Hosting.Health;

/// <summary>
/// Whether a message provider's server accepts a TCP connection (the SMTP relay, Twilio's API host). Nothing is sent
/// and nobody is authenticated: a probe must not cost a provider anything. A provider that is not configured writes
/// to the outbox and is healthy. Results are kept for <see cref="CacheFor"/>, so probes and anonymous callers of
/// <c>/readyz</c> cannot turn into a connection storm against someone else's server.
/// </summary>
public sealed class MessageProviderHealthCheck(string what, Uri? server, TimeProvider time) : IHealthCheck
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);
    private readonly SemaphoreSlim probing = new(1, 1);
    private (HealthCheckResult Result, DateTimeOffset At)? last;

    public static MessageProviderHealthCheck Email(IServiceProvider services)
    {
        var smtp = services.GetRequiredService<IConfiguration>().GetSection(EmailOptions.Section).Get<EmailOptions>()?.Smtp ?? new SmtpOptions();
        var server = string.IsNullOrEmpty(smtp.Host) ? null : new UriBuilder("smtp", smtp.Host, smtp.Port).Uri;
        return new MessageProviderHealthCheck("SMTP relay", server, services.GetRequiredService<TimeProvider>());
    }

    public static MessageProviderHealthCheck Sms(IServiceProvider services)
    {
        var twilio = services.GetRequiredService<IConfiguration>().GetSection(TwilioOptions.Section).Get<TwilioOptions>() ?? new TwilioOptions();
        var server = twilio.IsConfigured && Uri.TryCreate(twilio.BaseUrl, UriKind.Absolute, out var url) ? url : null;
        return new MessageProviderHealthCheck("Twilio API", server, services.GetRequiredService<TimeProvider>());
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (server is null)
        {
            return HealthCheckResult.Healthy($"No {what} configured: messages go to the outbox.");
        }

        await probing.WaitAsync(cancellationToken);
        try
        {
            if (last is { } cached && time.GetUtcNow() - cached.At < CacheFor)
            {
                return cached.Result;
            }

            var result = await ProbeAsync(server, context.Registration.FailureStatus, cancellationToken);
            last = (result, time.GetUtcNow());
            return result;
        }
        finally
        {
            probing.Release();
        }
    }

    private async Task<HealthCheckResult> ProbeAsync(Uri target, HealthStatus failureStatus, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(target.Host, target.Port, timeout.Token);
            return HealthCheckResult.Healthy($"The {what} at {target.Host}:{target.Port} accepts connections.");
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new HealthCheckResult(failureStatus,
                $"The {what} at {target.Host}:{target.Port} does not accept connections ({(ex is SocketException s ? s.SocketErrorCode.ToString() : "timeout")}); messages will be reported as failed and can be retried.");
        }
    }
}
