using Widgets.Catalogue;
using Widgets.Common;
using Widgets.Sessions;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Grains;

/// <summary>What each widget type does with the customer's landing-page submission.</summary>
[Collection(SiloClusterCollection.Name)]
public sealed class LandingTests(SiloClusterFixture fixture)
{
    [Fact]
    public async Task Coupon_pool_gives_each_session_its_own_code_and_the_same_code_on_a_repeated_submit()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(TestShop.Draft(WidgetType.CouponDelivery) with
        {
            Settings = new WidgetSettings { CouponCodes = ["POOL-1", "POOL-2", "POOL-3"] },
        });
        var first = await shop.StartAsync(widget.Id);
        var firstReceipt = await shop.Session(first.SessionId).SubmitLanding(new LandingSubmission());
        var second = await shop.StartAsync(widget.Id);
        var secondReceipt = await shop.Session(second.SessionId).SubmitLanding(new LandingSubmission());

        var repeated = await shop.Session(first.SessionId).SubmitLanding(new LandingSubmission());

        Assert.Equal("POOL-1", firstReceipt.Value!.CouponCode);
        Assert.False(firstReceipt.Value.AlreadyConverted);
        Assert.Equal("POOL-2", secondReceipt.Value!.CouponCode);
        Assert.True(repeated.IsSuccess);
        Assert.True(repeated.Value!.AlreadyConverted);
        Assert.Equal("POOL-1", repeated.Value.CouponCode);
        Assert.Equal("POOL-1", (await shop.Session(first.SessionId).OpenLanding()).Value!.CouponCode);
        Assert.Equal(SessionState.Completed, (await shop.Session(first.SessionId).GetView())!.State);
    }

    [Fact]
    public async Task Coupon_pool_without_prefix_reports_CouponsExhausted_when_empty()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(TestShop.Draft(WidgetType.CouponDelivery) with
        {
            Settings = new WidgetSettings { CouponCodes = ["ONLY-ONE"] },
        });
        var first = await shop.StartAsync(widget.Id);
        Assert.Equal("ONLY-ONE", (await shop.Session(first.SessionId).SubmitLanding(new LandingSubmission())).Value!.CouponCode);
        var second = await shop.StartAsync(widget.Id);

        var result = await shop.Session(second.SessionId).SubmitLanding(new LandingSubmission());

        Assert.Equal(DomainError.CouponsExhausted, result.Error);
        Assert.Null((await shop.Session(second.SessionId).GetView())!.ConvertedAt);
    }

    [Fact]
    public async Task Generated_coupon_codes_carry_the_prefix_and_are_unique_across_50_sessions()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(TestShop.Draft(WidgetType.CouponDelivery) with
        {
            Settings = new WidgetSettings { CouponPrefix = "SPRING" },
        });
        var codes = new List<string>();

        for (var i = 0; i < 50; i++)
        {
            var started = await shop.StartAsync(widget.Id);
            var receipt = await shop.Session(started.SessionId).SubmitLanding(new LandingSubmission());
            Assert.True(receipt.IsSuccess, receipt.Detail);
            codes.Add(receipt.Value!.CouponCode!);
        }

        Assert.All(codes, code => Assert.StartsWith("SPRING-", code));
        Assert.Equal(50, codes.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Contest_refuses_a_second_entry_by_the_same_contact_with_AlreadyEntered()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(WidgetType.ContestEntry);
        var first = await shop.StartAsync(widget.Id);
        var entered = await shop.Session(first.SessionId).SubmitLanding(new LandingSubmission { Email = "ann@example.com", AcceptRules = true });
        var second = await shop.StartAsync(widget.Id);

        var again = await shop.Session(second.SessionId).SubmitLanding(new LandingSubmission { Email = " Ann@Example.com ", AcceptRules = true });
        var someoneElse = await shop.Session(second.SessionId).SubmitLanding(new LandingSubmission { Email = "bob@example.com", AcceptRules = true });

        Assert.True(entered.IsSuccess, entered.Detail);
        Assert.Equal(DomainError.AlreadyEntered, again.Error);
        Assert.True(someoneElse.IsSuccess, someoneElse.Detail);
        Assert.Equal(["ann@example.com", "bob@example.com"], (await shop.ConversionsAsync()).Select(c => c.Email).Order());
    }

    [Fact]
    public async Task Contest_entry_needs_a_contact_and_the_rules_accepted()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(WidgetType.ContestEntry);
        var started = await shop.StartAsync(widget.Id);

        var result = await shop.Session(started.SessionId).SubmitLanding(new LandingSubmission());

        Assert.Equal(DomainError.Validation, result.Error);
        Assert.Contains("email", result.Errors!.Keys);
        Assert.Contains("acceptRules", result.Errors!.Keys);
    }

    [Fact]
    public async Task Survey_validates_required_choice_and_rating_answers()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(SurveyDraft());
        var started = await shop.StartAsync(widget.Id);
        var session = shop.Session(started.SessionId);

        var missing = await session.SubmitLanding(new LandingSubmission { Answers = Answers(("colour", "red")) });
        var wrong = await session.SubmitLanding(new LandingSubmission { Answers = Answers(("rating", "6"), ("colour", "purple"), ("shoe", "43")) });

        Assert.Equal(DomainError.Validation, missing.Error);
        Assert.Equal(["answers.rating"], missing.Errors!.Keys);
        Assert.Equal(DomainError.Validation, wrong.Error);
        Assert.Equal(["answers.colour", "answers.rating", "answers.shoe"], wrong.Errors!.Keys.Order());
        Assert.Null((await session.GetView())!.ConvertedAt);
        Assert.Empty(await shop.ConversionsAsync());
    }

    [Fact]
    public async Task Survey_stores_the_answers_with_the_conversion()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(SurveyDraft());
        var started = await shop.StartAsync(widget.Id);
        var answers = Answers(("rating", "4"), ("colour", "blue"), ("comment", "Quick checkout"));

        var receipt = await shop.Session(started.SessionId).SubmitLanding(new LandingSubmission { Answers = answers });

        Assert.True(receipt.IsSuccess, TestShop.Errors(receipt));
        var conversion = Assert.Single(await shop.ConversionsAsync());
        Assert.Equal(started.SessionId, conversion.SessionId);
        Assert.Equal(WidgetType.Survey, conversion.WidgetType);
        Assert.Equal(answers.OrderBy(a => a.Key), conversion.Answers!.OrderBy(a => a.Key));
        Assert.Equal(SessionState.Completed, (await shop.Session(started.SessionId).GetView())!.State);
    }

    [Fact]
    public async Task Loyalty_enrollment_without_consent_is_a_Validation_error()
    {
        var shop = await TestShop.OpenAsync(fixture.Grains);
        var widget = await shop.AddWidgetAsync(WidgetType.LoyaltyEnrollment);
        var started = await shop.StartAsync(widget.Id);
        var session = shop.Session(started.SessionId);

        var refused = await session.SubmitLanding(new LandingSubmission { FirstName = "Ann", Email = "ann@example.com", Consent = false });
        var accepted = await session.SubmitLanding(new LandingSubmission { FirstName = "Ann", Email = "ann@example.com", Consent = true, ConsentText = "Yes" });

        Assert.Equal(DomainError.Validation, refused.Error);
        Assert.Equal(["consent"], refused.Errors!.Keys);
        Assert.True(accepted.IsSuccess, TestShop.Errors(accepted));
        var conversion = Assert.Single(await shop.ConversionsAsync());
        Assert.True(conversion.Consent!.Marketing);
        Assert.Equal("Yes", conversion.Consent.Text);
    }

    private static WidgetDraft SurveyDraft() => TestShop.Draft(WidgetType.Survey) with
    {
        Settings = new WidgetSettings
        {
            SurveyQuestions =
            [
                new SurveyQuestion { Id = "rating", Text = "How was your visit?", Kind = SurveyQuestionKind.Rating, Required = true },
                new SurveyQuestion { Id = "colour", Text = "Favourite colour?", Kind = SurveyQuestionKind.Choice, Options = ["red", "blue"] },
                new SurveyQuestion { Id = "comment", Text = "Anything else?", Kind = SurveyQuestionKind.Text },
            ],
        },
    };

    private static Dictionary<string, string> Answers(params (string Question, string Answer)[] answers) =>
        answers.ToDictionary(a => a.Question, a => a.Answer);
}
