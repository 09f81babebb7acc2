using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Widgets.Client;
using Widgets.Client.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="IWidgetsClient"/> with the HTTP client factory.</summary>
public static class WidgetsClientServiceCollectionExtensions
{
    /// <summary>The name of the factory's client for <c>/connect/token</c> (add handlers to it with <c>AddHttpClient(name)</c>).</summary>
    public const string TokenClientName = "Widgets.Client.Token";

    /// <summary>Registers <see cref="IWidgetsClient"/> configured in code.</summary>
    /// <returns>The builder of the API client, to add handlers (e.g. logging) or change its primary handler.</returns>
    public static IHttpClientBuilder AddWidgetsClient(this IServiceCollection services, Action<WidgetsClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<WidgetsClientOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// Registers <see cref="IWidgetsClient"/> bound to a configuration section (keys as the properties of
    /// <see cref="WidgetsClientOptions"/>). A reloading source that rotates <c>ClientSecret</c> takes effect at the
    /// next token request.
    /// </summary>
    /// <returns>The builder of the API client, to add handlers (e.g. logging) or change its primary handler.</returns>
    public static IHttpClientBuilder AddWidgetsClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WidgetsClientOptions>().Bind(configuration);
        return AddCore(services);
    }

    private static IHttpClientBuilder AddCore(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WidgetsClientOptions>, OptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WidgetListCache>();
        services.TryAddSingleton(provider =>
        {
            var factory = provider.GetRequiredService<IHttpClientFactory>();
            var monitor = provider.GetRequiredService<IOptionsMonitor<WidgetsClientOptions>>();
            return new AccessTokenSource(() => factory.CreateClient(TokenClientName), () => monitor.CurrentValue, provider.GetRequiredService<TimeProvider>());
        });
        services.TryAddTransient<BearerTokenHandler>();

        // No retry pipeline of its own: a token request runs inside an API call's attempt and is retried with it.
        services.AddHttpClient(TokenClientName).ConfigureHttpClient(ConfigureHttpClient);

        var api = services.AddHttpClient<IWidgetsClient, WidgetsClient>((http, provider) =>
            {
                var monitor = provider.GetRequiredService<IOptionsMonitor<WidgetsClientOptions>>();
                return new WidgetsClient(http, () => monitor.CurrentValue, provider.GetRequiredService<WidgetListCache>());
            })
            .ConfigureHttpClient(ConfigureHttpClient);

        // The retry pipeline is outermost, the token handler inside it: every attempt gets a current token, and a
        // failed token request is retried as part of the call.
        api.AddResilienceHandler("widgets", ConfigureResilience);
        return api.AddHttpMessageHandler<BearerTokenHandler>();
    }

    private static void ConfigureHttpClient(IServiceProvider provider, HttpClient http)
    {
        var options = provider.GetRequiredService<IOptionsMonitor<WidgetsClientOptions>>().CurrentValue;
        http.BaseAddress = options.NormalizedBaseAddress();
        http.Timeout = Timeout.InfiniteTimeSpan; // The pipeline's TotalRequestTimeout bounds a call.
    }

    private static void ConfigureResilience(Polly.ResiliencePipelineBuilder<HttpResponseMessage> builder, Microsoft.Extensions.Http.Resilience.ResilienceHandlerContext context) =>
        WidgetsResilience.Configure(builder, context.ServiceProvider.GetRequiredService<IOptionsMonitor<WidgetsClientOptions>>().CurrentValue);

    private sealed class OptionsValidator : IValidateOptions<WidgetsClientOptions>
    {
        public ValidateOptionsResult Validate(string? name, WidgetsClientOptions options) =>
            options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
