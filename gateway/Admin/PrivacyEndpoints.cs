using PhoneNumbers;
using Widgets.Consent;
using Widgets.Gateway.Http;
using Widgets.Gateway.Pos;
using Widgets.Privacy;

namespace Widgets.Gateway.Admin;

/// <summary>A person's right to be forgotten, per location: the erasure lives in <see cref="IPrivacyGrain"/>.</summary>
public static class PrivacyEndpoints
{
    public static IEndpointRouteBuilder MapPrivacyEndpoints(this IEndpointRouteBuilder app)
    {
        var location = app.MapLocationGroup("Operator: privacy");
        location.MapPost("/privacy/erase", Erase).WithName("erasePersonalData")
            .WithSummary("Erase one person's data at the location")
            .WithDescription("Erases the contact details (email, phone, names) and answers of the person with this email or phone, or both, from the "
                + "location's conversions, sessions (active and ended), their messages and outbox copies, and contest entries; answers how many records "
                + "it erased of each. The funnel counts stay, and so does the person's opt-out (kept as a hash, so a STOP is never forgotten). "
                + "Calling it again erases nothing more and answers zeros. Data older than the location's `retentionDays` is erased on its own.")
            .WithRequestExample("email", "Erase by email", AdminExamples.EraseByEmail)
            .WithRequestExample("both", "Erase by email and phone", AdminExamples.EraseByBoth)
            .WithResponseExample(AdminExamples.Erased);
        return app;
    }

    private static async Task<Results<Ok<DataEnvelope<ErasureResult>>, ProblemHttpResult>> Erase(
        LocationScope scope, JsonBody<ErasureRequest> request, RecipientParser recipients, IGrainFactory grains)
    {
        var (person, problem) = ErasureContacts.Parse(request.Body, recipients);
        if (problem is not null)
        {
            return problem;
        }

        var erased = await grains.Grain<IPrivacyGrain>(scope.Location.ToString()).Erase(person!);
        return Envelope.Ok(new ErasureResult(erased));
    }
}

/// <summary>The body of POST …/privacy/erase: the person's email or phone, or both.</summary>
public sealed record ErasureRequest(string? Email, string? Phone) : IValidatable
{
    public void Validate(FieldErrors errors)
    {
        if (string.IsNullOrEmpty(Email) && string.IsNullOrEmpty(Phone))
        {
            errors.Add("email", "Give the person's email or phone (or both).");
        }
    }
}

/// <summary>What was erased, by kind of record.</summary>
public sealed record ErasureResult(ErasureCounts Erased);

/// <summary>
/// Turns an erasure request into the contact hashes the stores are searched by. The email is checked and normalised
/// as a message recipient's is; the phone too (to E.164, <see cref="RecipientParser.NormalizePhone"/>), and then
/// hashed in each common form a customer may have typed it on a landing page, since that is stored as typed.
/// </summary>
public static class ErasureContacts
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public static (PersonToErase? Person, ProblemHttpResult? Problem) Parse(ErasureRequest request, RecipientParser recipients)
    {
        var errors = new FieldErrors();
        var person = Read(request, recipients, errors);
        return person is null ? (null, Problems.Validation(errors)) : (person, null);
    }

    /// <summary>
    /// The person to erase; null with <paramref name="errors"/> filled (by field: email, phone) when neither is given or
    /// either is not valid. The operator API and the console's privacy page both read a request with it.
    /// </summary>
    public static PersonToErase? Read(ErasureRequest request, RecipientParser recipients, FieldErrors errors)
    {
        request.Validate(errors);
        var hashes = new List<string>();
        if (!string.IsNullOrEmpty(request.Email))
        {
            if (RecipientParser.NormalizeEmail(request.Email) is { } email)
            {
                hashes.Add(ContactHash.Email(email));
            }
            else
            {
                errors.Add("email", "Not a valid email address.");
            }
        }

        if (!string.IsNullOrEmpty(request.Phone))
        {
            if (recipients.NormalizePhone(request.Phone) is { } e164)
            {
                hashes.AddRange(PhoneForms(e164, request.Phone).Select(ContactHash.Email));
            }
            else
            {
                errors.Add("phone", "Not a valid phone number; send it in E.164 form, e.g. +14155550123.");
            }
        }

        return errors.Count > 0 ? null : new PersonToErase(hashes.Distinct(StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// The forms of one number: E.164 (how messages and the POS's normalised phones are kept), as the request gave
    /// it, and as people write it: international and national formats, digits only, with dashes or spaces.
    /// <see cref="ContactHash.Email"/> trims and lower-cases, which leaves these as typed.
    /// </summary>
    public static IEnumerable<string> PhoneForms(string e164, string given)
    {
        var number = Phones.Parse(e164, null);
        var international = Phones.Format(number, PhoneNumberFormat.INTERNATIONAL);
        var national = Phones.Format(number, PhoneNumberFormat.NATIONAL);
        var significant = Phones.GetNationalSignificantNumber(number);
        var local = international[(international.IndexOf(' ') + 1)..];
        return
        [
            e164, given.Trim(), e164[1..], international, international.Replace(' ', '-'), national, significant,
            local, local.Replace('-', ' '), local.Replace("-", "", StringComparison.Ordinal), $"{number.CountryCode}{significant}",
            $"{number.CountryCode}-{local}", $"0{significant}",
        ];
    }
}
