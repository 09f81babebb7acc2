namespace Widgets.Gateway.Customer.Texts;

/// <summary>
/// Every built-in text of the customer pages, in one language. Each area is a record whose members are all
/// <c>required</c>, so a language that misses a text does not compile. The location's <c>locale</c> setting picks
/// the language (<see cref="For"/>); widget content (headline, body) is the merchant's own and shown as written.
/// </summary>
public sealed record CustomerTexts
{
    /// <summary>The value of <c>&lt;html lang&gt;</c>.</summary>
    public required string Lang { get; init; }

    public required ScreenTexts Screen { get; init; }

    public required LandingTexts Landing { get; init; }

    public required ResultTexts Results { get; init; }

    public required UnsubscribeTexts Unsubscribe { get; init; }

    public static IReadOnlyDictionary<string, CustomerTexts> ByLocale { get; } = new Dictionary<string, CustomerTexts>(StringComparer.Ordinal)
    {
        ["en"] = English.Texts,
        ["es"] = Spanish.Texts,
        ["fr"] = French.Texts,
    };

    /// <summary>The texts of <paramref name="locale"/>; English for an unknown or missing one.</summary>
    public static CustomerTexts For(string? locale) =>
        locale is not null && ByLocale.TryGetValue(locale, out var texts) ? texts : English.Texts;
}

/// <summary>The customer-facing screens: a terminal's screen (<c>/t/…</c>) and a session's screen (<c>/s/…</c>).</summary>
public sealed record ScreenTexts
{
    public required string Welcome { get; init; }
    public required string IdleHint { get; init; }
    public required string TapHint { get; init; }
    public required string QrAlt { get; init; }
    public required string ScanHint { get; init; }
    public required string ExpiresIn { get; init; }
    public required string ScannedTitle { get; init; }
    public required string ThanksTitle { get; init; }
    public required string ThanksText { get; init; }
    public required string EndedTitle { get; init; }
    public required string EndedText { get; init; }
    public required string NotPairedTitle { get; init; }
    public required string NotPairedText { get; init; }
    public required string Reconnecting { get; init; }
    public required string Starting { get; init; }
    public required string StartBusy { get; init; }
    public required string StartUnavailable { get; init; }
    public required string StartFailed { get; init; }
    public required string ExpiredTitle { get; init; }
    public required string ExpiredText { get; init; }
}

/// <summary>The phone's landing page: its form, its messages and its expired page.</summary>
public sealed record LandingTexts
{
    public required string FirstName { get; init; }
    public required string LastName { get; init; }
    public required string Email { get; init; }
    public required string Mobile { get; init; }
    public required string EmailForReceipts { get; init; }
    public required string MobileForTexts { get; init; }
    public required string EitherContact { get; init; }
    public required string Optional { get; init; }
    public required string AcceptRules { get; init; }
    public required string ContestRulesLabel { get; init; }
    public required string Poor { get; init; }
    public required string Excellent { get; init; }
    public required string JoinNow { get; init; }
    public required string SignMeUp { get; init; }
    public required string KeepMePosted { get; init; }
    public required string RevealCode { get; init; }
    public required string SendAnswers { get; init; }
    public required string EnterDraw { get; init; }
    public required string Continue { get; init; }

    /// <summary>"Is this you?" with the masked contact the POS gave ({0}); the contact itself is never shown.</summary>
    public required string IsThisYou { get; init; }
    public required string CheckFields { get; init; }
    public required string InvalidEmail { get; init; }
    public required string InvalidPhone { get; init; }

    /// <summary>{0} is the largest number of characters.</summary>
    public required string TooLong { get; init; }
    public required string TryAgain { get; init; }
    public required string ExpiredTitle { get; init; }
    public required string ExpiredText { get; init; }
    public required string ErrorTitle { get; init; }
    public required string TooLarge { get; init; }
    public required string WrongMediaType { get; init; }
    public required string FormExpired { get; init; }
    public required string Unreadable { get; init; }
}

/// <summary>What the customer sees after submitting, per widget type, and the refusals.</summary>
public sealed record ResultTexts
{
    public required string Welcome { get; init; }

    /// <summary>{0} is the customer's first name.</summary>
    public required string WelcomeNamed { get; init; }
    public required string WelcomeText { get; init; }
    public required string OnTheList { get; init; }
    public required string OnTheListText { get; init; }
    public required string AllSet { get; init; }
    public required string AllSetText { get; init; }
    public required string YourCode { get; init; }
    public required string YourCodeText { get; init; }
    public required string CodeLabel { get; init; }
    public required string FeedbackThanks { get; init; }
    public required string FeedbackText { get; init; }
    public required string Entered { get; init; }
    public required string EnteredText { get; init; }
    public required string ThankYou { get; init; }
    public required string ThankYouText { get; init; }
    public required string SameCode { get; init; }
    public required string AlreadyDone { get; init; }
    public required string AlreadyEnteredTitle { get; init; }
    public required string AlreadyEnteredText { get; init; }
    public required string CouponsGoneTitle { get; init; }
    public required string CouponsGoneText { get; init; }
}

/// <summary>The email unsubscribe page.</summary>
public sealed record UnsubscribeTexts
{
    public required string Title { get; init; }
    public required string Question { get; init; }
    public required string Button { get; init; }
    public required string DoneTitle { get; init; }
    public required string DoneText { get; init; }
    public required string InvalidTitle { get; init; }
    public required string InvalidText { get; init; }
}
