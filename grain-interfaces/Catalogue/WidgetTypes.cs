namespace Widgets.Catalogue;

/// <summary>
/// The limits of a widget's fields and of what customers submit, in one place: the operator API and console (through
/// the grains' validation), the landing forms and the grains all read them here.
/// </summary>
public static class WidgetLimits
{
    public const int MaxShortText = 200;
    public const int MaxLongText = 4000;
    public const int MaxSmsText = 480;
    public const int MaxIconUrl = 2048;
    public const int MaxCoupons = 10_000;
    public const int MaxCouponCode = 64;
    public const int MaxCouponPrefix = 16;
    public const int MaxQuestions = 20;
    public const int MinChoiceOptions = 2;
    public const int MaxChoiceOptions = 20;
    public const int MaxChoiceOption = 100;
    public const int MaxQuestionId = 32;
    public const int MinRating = 1;
    public const int MaxRating = 5;

    /// <summary>A first or last name typed on the landing page.</summary>
    public const int MaxName = 80;

    /// <summary>A survey answer typed on the landing page.</summary>
    public const int MaxAnswer = 1000;

    public const int MaxEmail = 254;
    public const int MaxPhone = 32;
}

/// <summary>Which fields a widget type's landing form shows, and which of them a submission must fill.</summary>
public sealed record LandingFields
{
    /// <summary>First and last name.</summary>
    public bool Names { get; init; }

    /// <summary>A first name is required (a loyalty member is greeted by name).</summary>
    public bool FirstNameRequired { get; init; }

    public bool Email { get; init; }

    public bool Phone { get; init; }

    /// <summary>An email address or a mobile number (or both) is required.</summary>
    public bool ContactRequired { get; init; }

    /// <summary>The marketing-consent checkbox, with the type's <see cref="WidgetTypeRules.ConsentText"/>.</summary>
    public bool Consent { get; init; }

    /// <summary>The box must be ticked: the widget exists to collect that consent.</summary>
    public bool ConsentRequired { get; init; }

    /// <summary>The contest rules, shown and accepted (required).</summary>
    public bool Rules { get; init; }

    /// <summary>The survey's questions.</summary>
    public bool Answers { get; init; }
}

/// <summary>The settings (<see cref="WidgetSettings"/>) a widget type uses; the others are ignored for it.</summary>
public sealed record TypeSettings
{
    /// <summary>A pool of codes or a prefix to generate codes with; one of them is required.</summary>
    public bool Coupons { get; init; }

    /// <summary>At least one question is required.</summary>
    public bool SurveyQuestions { get; init; }

    public bool ContestRules { get; init; }
}

/// <summary>One widget type: what it is called, what its landing form asks, which settings it uses, the consent it records.</summary>
public sealed record WidgetTypeRules
{
    public required WidgetType Type { get; init; }

    /// <summary>What an operator calls it.</summary>
    public required string DisplayName { get; init; }

    /// <summary>A sentence on what it does, for the console's editor.</summary>
    public required string Purpose { get; init; }

    public required LandingFields Landing { get; init; }

    public required TypeSettings Settings { get; init; }

    /// <summary>
    /// The consent wording next to the form's checkbox, by locale (<c>en</c> always). What a conversion records is the
    /// text the server showed, never the posted one.
    /// </summary>
    public IReadOnlyDictionary<string, string> ConsentText { get; init; } = new Dictionary<string, string>();

    /// <summary>The consent wording in <paramref name="locale"/>, else in English; null when the type asks no consent.</summary>
    public string? ConsentIn(string? locale) =>
        !Landing.Consent ? null : ConsentText.GetValueOrDefault(locale ?? "en") ?? ConsentText.GetValueOrDefault("en");
}

/// <summary>The table of widget types: the one place each type's fields, settings and texts are defined.</summary>
public static class WidgetTypes
{
    private static readonly LandingFields Contact = new() { Email = true, Phone = true, ContactRequired = true, Consent = true, ConsentRequired = true };

    public static IReadOnlyList<WidgetTypeRules> All { get; } =
    [
        new()
        {
            Type = WidgetType.LoyaltyEnrollment,
            DisplayName = "Loyalty enrollment",
            Purpose = "Customers join the loyalty program with their name and an email address or mobile number.",
            Landing = Contact with { Names = true, FirstNameRequired = true },
            Settings = new(),
            ConsentText = new Dictionary<string, string>
            {
                ["en"] = "Yes, sign me up for the rewards program and send me member offers and news by email or text message. "
                    + "I can unsubscribe at any time. Message and data rates may apply.",
                ["es"] = "Sí, apúntenme al programa de recompensas y envíenme ofertas y novedades para socios por correo o SMS. "
                    + "Puedo darme de baja cuando quiera. Pueden aplicarse tarifas de mensajes y datos.",
                ["fr"] = "Oui, inscrivez-moi au programme de fidélité et envoyez-moi les offres et nouvelles des membres par e-mail ou SMS. "
                    + "Je peux me désinscrire à tout moment. Des frais de messagerie et de données peuvent s'appliquer.",
            },
        },
        new()
        {
            Type = WidgetType.PromotionSignup,
            DisplayName = "Promotion signup",
            Purpose = "Customers sign up for a campaign's offers by email or text message.",
            Landing = Contact,
            Settings = new(),
            ConsentText = new Dictionary<string, string>
            {
                ["en"] = "Yes, send me promotions and offers by email or text message. I can unsubscribe at any time. Message and data rates may apply.",
                ["es"] = "Sí, envíenme promociones y ofertas por correo o SMS. Puedo darme de baja cuando quiera. Pueden aplicarse tarifas de mensajes y datos.",
                ["fr"] = "Oui, envoyez-moi promotions et offres par e-mail ou SMS. Je peux me désinscrire à tout moment. Des frais de messagerie et de données peuvent s'appliquer.",
            },
        },
        new()
        {
            Type = WidgetType.ContactCollection,
            DisplayName = "Email / SMS collection",
            Purpose = "Customers leave an email address or mobile number for receipts and store news.",
            Landing = Contact,
            Settings = new(),
            ConsentText = new Dictionary<string, string>
            {
                ["en"] = "Yes, send me receipts and store news at the email address and/or mobile number above. "
                    + "I can unsubscribe at any time. Message and data rates may apply.",
                ["es"] = "Sí, envíenme recibos y novedades de la tienda al correo y/o al móvil indicados arriba. "
                    + "Puedo darme de baja cuando quiera. Pueden aplicarse tarifas de mensajes y datos.",
                ["fr"] = "Oui, envoyez-moi reçus et nouvelles du magasin à l'adresse e-mail et/ou au numéro de mobile ci-dessus. "
                    + "Je peux me désinscrire à tout moment. Des frais de messagerie et de données peuvent s'appliquer.",
            },
        },
        new()
        {
            Type = WidgetType.CouponDelivery,
            DisplayName = "Coupon delivery",
            Purpose = "Customers reveal a unique coupon code (from a pool, or generated with a prefix).",
            Landing = new() { Email = true, Consent = true },
            Settings = new() { Coupons = true },
            ConsentText = new Dictionary<string, string>
            {
                ["en"] = "Also email me future offers. I can unsubscribe at any time.",
                ["es"] = "Envíenme también futuras ofertas por correo. Puedo darme de baja cuando quiera.",
                ["fr"] = "Envoyez-moi aussi les prochaines offres par e-mail. Je peux me désinscrire à tout moment.",
            },
        },
        new()
        {
            Type = WidgetType.Survey,
            DisplayName = "Survey",
            Purpose = "Customers answer a few questions (ratings, choices, free text).",
            Landing = new() { Answers = true },
            Settings = new() { SurveyQuestions = true },
        },
        new()
        {
            Type = WidgetType.ContestEntry,
            DisplayName = "Contest entry",
            Purpose = "Customers enter a draw once per email address or mobile number, after accepting its rules.",
            Landing = new() { Email = true, Phone = true, ContactRequired = true, Rules = true },
            Settings = new() { ContestRules = true },
        },
    ];

    private static readonly Dictionary<WidgetType, WidgetTypeRules> ByType = All.ToDictionary(r => r.Type);

    public static WidgetTypeRules For(WidgetType type) => ByType[type];
}
