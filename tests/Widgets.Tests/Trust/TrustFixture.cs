using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// The gateway as it runs in production, at the edge: environment Production, a signing key the tests know (so
/// they can forge tokens with it and with other keys), SMS through Twilio's API (a <see cref="FakeTwilio"/> on
/// loopback) with the webhooks on, a daily limit of <see cref="DailyLimit"/> messages per recipient and merchant,
/// SMS quiet hours that cover "now" in <see cref="QuietTimeZone"/> (and not in UTC, every other location's zone),
/// and every log line captured.
/// </summary>
public sealed class TrustFixture : GatewayFixture, IDisposable
{
    public const string SigningKey = "trust-tests-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";
    public const int DailyLimit = 2;

    /// <summary>UTC+9 all year: quiet hours of two hours either side of its "now" never cover UTC's "now".</summary>
    public const string QuietTimeZone = "Asia/Tokyo";

    public FakeTwilio Twilio { get; } = FakeTwilio.Start();

    public LogCapture Logs { get; } = new();

    /// <summary>The demo and test client secrets the gateway saw at start (none may be logged).</summary>
    public IReadOnlyList<string> KnownSecrets => [PosClientSecret, AdminClientSecret, SigningKey, FakeTwilio.AuthToken];

    public void Dispose() => Twilio.DisposeAsync().AsTask().GetAwaiter().GetResult();

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings[WebHostDefaults.EnvironmentKey] = Environments.Production;
        settings["Auth:SigningKey"] = SigningKey;
        settings["Sms:Twilio:AccountSid"] = FakeTwilio.AccountSid;
        settings["Sms:Twilio:AuthToken"] = FakeTwilio.AuthToken;
        settings["Sms:Twilio:From"] = FakeTwilio.From;
        settings["Sms:Twilio:BaseUrl"] = Twilio.BaseUrl;
        settings["Messaging:DailyLimitPerRecipient"] = DailyLimit.ToString(CultureInfo.InvariantCulture);
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById(QuietTimeZone)).DateTime;
        settings["Messaging:QuietHoursStart"] = local.AddHours(-2).ToString("HH:mm", CultureInfo.InvariantCulture);
        settings["Messaging:QuietHoursEnd"] = local.AddHours(2).ToString("HH:mm", CultureInfo.InvariantCulture);

        // What a production deployment logs, and more: every line at Information, ours and ASP.NET Core's at Debug.
        settings["Logging:LogLevel:Default"] = "Information";
        settings["Logging:LogLevel:Widgets"] = "Debug";
        settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug";
        settings["Logging:LogLevel:Orleans.Runtime.Silo"] = "Information";

        // The capture sees all of it; the console (the CI log) only warnings.
        settings["Logging:Console:LogLevel:Default"] = "Warning";
    }

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(Logs);
}

[CollectionDefinition(Name)]
public sealed class TrustCollection : ICollectionFixture<TrustFixture>
{
    public const string Name = "Trust at the edge";
}
