using Microsoft.AspNetCore.Http.HttpResults;
using MimeKit;
using PhoneNumbers;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Pos;

/// <summary>Validates and normalises the contacts a POS sends: phones to E.164, emails through MimeKit's parser.</summary>
public sealed class RecipientParser(IConfiguration configuration)
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();
    private readonly string defaultRegion = configuration["Widgets:DefaultPhoneRegion"] ?? "US";

    public (IReadOnlyList<Recipient> Recipients, ProblemHttpResult? Problem) Parse(ProfileDto? profile, string? channel)
    {
        WidgetChannel? only = channel?.ToLowerInvariant() switch
        {
            null or "" => null,
            "sms" => WidgetChannel.Sms,
            "email" => WidgetChannel.Email,
            _ => (WidgetChannel?)WidgetChannel.Qr,
        };
        if (only == WidgetChannel.Qr)
        {
            return ([], Problems.Field("channel", "Use \"sms\" or \"email\", or omit it to use whichever contact is filled."));
        }

        var recipients = new List<Recipient>();
        if (only is null or WidgetChannel.Sms && !string.IsNullOrWhiteSpace(profile?.CustomerPhone))
        {
            if (NormalizePhone(profile.CustomerPhone) is not { } phone)
            {
                return ([], Problems.Of(ProblemCodes.InvalidPhone, "profile.customerPhone is not a valid mobile number; send it in E.164 form, e.g. +14155550123."));
            }

            recipients.Add(new Recipient(WidgetChannel.Sms, phone));
        }

        if (only is null or WidgetChannel.Email && !string.IsNullOrWhiteSpace(profile?.CustomerEmail))
        {
            if (NormalizeEmail(profile.CustomerEmail) is not { } email)
            {
                return ([], Problems.Of(ProblemCodes.InvalidEmail, "profile.customerEmail is not a valid email address."));
            }

            recipients.Add(new Recipient(WidgetChannel.Email, email));
        }

        return recipients.Count == 0
            ? ([], Problems.Of(ProblemCodes.RecipientRequired,
                only is null ? "Fill profile.customerPhone or profile.customerEmail." : $"channel is {channel}, so fill the matching profile field."))
            : (recipients, null);
    }

    public string? NormalizePhone(string raw)
    {
        if (raw.Length > 32)
        {
            return null;
        }

        try
        {
            var number = Phones.Parse(raw, defaultRegion);
            return Phones.IsValidNumber(number) ? Phones.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    public static string? NormalizeEmail(string raw)
    {
        if (raw.Length > 254 || raw.Any(char.IsControl))
        {
            return null;
        }

        return MailboxAddress.TryParse(raw.Trim(), out var mailbox) && mailbox.Address is { } address
            && address.Count(c => c == '@') == 1 && address.IndexOf('@') > 0 && address.LastIndexOf('.') > address.IndexOf('@') + 1
            && mailbox.Name is null or ""
            ? address
            : null;
    }
}
