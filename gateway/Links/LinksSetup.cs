namespace Widgets.Gateway.Links;

public static class LinksSetup
{
    public static IServiceCollection AddWidgetsLinks(this IServiceCollection services) => services
        .AddSingleton<LinkTokens>()
        .AddSingleton<UnsubscribeTokens>()
        .AddSingleton<ScreenTokens>()
        .AddSingleton<PublicUrls>();

    /// <summary>Outside Development, links without a configured public base URL are worth a warning at every start.</summary>
    public static WebApplication WarnWithoutPublicBaseUrl(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment() && !app.Services.GetRequiredService<PublicUrls>().IsConfigured)
        {
            app.Logger.LogWarning(
                "Widgets:PublicBaseUrl is not set: customer links (QR codes, texts, emails) use the request's host, and calls on any host other than " +
                "loopback or those in AllowedHosts are refused with 400 host_not_allowed. Set Widgets:PublicBaseUrl=https://your.public.host");
        }

        return app;
    }
}
