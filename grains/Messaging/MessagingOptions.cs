namespace Widgets.Grains.Messaging;

/// <summary>Configuration section <c>Email</c>.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    public string From { get; set; } = "Widgets <widgets@localhost>";

    public SmtpOptions Smtp { get; set; } = new();
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string? User { get; set; }
    public string? Password { get; set; }
    public bool UseTls { get; set; }
}

/// <summary>Configuration section <c>Sms:Twilio</c>.</summary>
public sealed class TwilioOptions
{
    public const string Section = "Sms:Twilio";

    public string? AccountSid { get; set; }
    public string? AuthToken { get; set; }
    public string? From { get; set; }
    public string BaseUrl { get; set; } = "https://api.twilio.com";

    public bool IsConfigured => !string.IsNullOrEmpty(AccountSid) && !string.IsNullOrEmpty(AuthToken) && !string.IsNullOrEmpty(From);
}

/// <summary>Where unconfigured channels write what they would have sent.</summary>
public sealed class OutboxOptions
{
    public string Directory { get; set; } = "data/outbox";
}
